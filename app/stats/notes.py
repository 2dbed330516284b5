"""The notes under a year's figures: what the figures include that a reader should know,
without changing them (spec/annual-report.md's figures stay as they are).

- items over-disbursed (their live disbursements exceed the approved value with its
  amendments) among the items approved or paid in the year;
- corrections: disbursements dated in the year and recorded after the item's completion
  (with a reason), already counted in "disbursed in Y".

Two small queries; the lists are bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.aid.models import AidItem, Disbursement
from app.aid.services.money import over_disbursed_condition

LIMIT = 50


@dataclass
class YearNotes:
    over_disbursed: list = field(default_factory=list)  # (id, code, name) rows, by code
    over_disbursed_count: int = 0
    corrections_count: int = 0
    corrections_vnd: int = 0

    def __bool__(self) -> bool:
        return bool(self.over_disbursed_count or self.corrections_count)


def year_notes(session, year: int) -> YearNotes:
    first, last = date(year, 1, 1), date(year, 12, 31)
    paid_in_year = AidItem.id.in_(
        sa.select(Disbursement.aid_item_id).where(
            Disbursement.archived_at.is_(None), Disbursement.disbursed_on.between(first, last)
        )
    )
    over = sa.and_(
        AidItem.archived_at.is_(None),
        sa.or_(AidItem.decision_date.between(first, last), paid_in_year),
        over_disbursed_condition(),
    )
    over_rows = session.execute(
        sa.select(AidItem.id, AidItem.code, AidItem.name, sa.func.count().over())
        .where(over)
        .order_by(AidItem.code)
        .limit(LIMIT)
    ).all()
    corrections = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Disbursement.value_vnd), 0))
        .join(AidItem, AidItem.id == Disbursement.aid_item_id)
        .where(
            Disbursement.is_correction.is_(True),
            Disbursement.archived_at.is_(None),
            AidItem.archived_at.is_(None),
            Disbursement.disbursed_on.between(first, last),
        )
    ).one()
    return YearNotes(
        over_disbursed=[row[:3] for row in over_rows],
        over_disbursed_count=over_rows[0][3] if over_rows else 0,
        corrections_count=int(corrections[0]),
        corrections_vnd=int(corrections[1]),
    )
