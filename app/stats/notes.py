"""The notes under a year's figures: what the figures include that a reader should know,
without changing them (spec/annual-report.md's figures stay as they are).

- items over-disbursed at the end of the year (their live disbursements dated up to 31/12
  exceed the approved value with its amendments) among the items approved or paid in the
  year;
- corrections: disbursements dated in the year and recorded after the item's completion
  (with a reason), already counted in "disbursed in Y".

Two small queries; the lists are bounded.

The corrections are counted from a partial index of their own (ix_disbursement_correction,
declared with Disbursement, migration d9a1b3c5e7f8; SQLite uses it because SQLAlchemy
writes `is_correction = 1`, its predicate, there): a correction is rare,
and without it the year's ~300 000 disbursement rows were read for their flag (0.5 s on
SQLite at national scale, for none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.aid.models import AidItem, Disbursement
from app.aid.services.money import over_disbursed_condition
from app.core.money import format_number, format_vnd
from app.stats import loaders

LIMIT = 50


@dataclass
class YearNotes:
    year: int
    over_disbursed: list = field(default_factory=list)  # (id, code, name) rows, by code
    over_disbursed_count: int = 0
    corrections_count: int = 0
    corrections_vnd: int = 0

    def __bool__(self) -> bool:
        return bool(self.over_disbursed_count or self.corrections_count)

    # The sentences, once: the year page links the codes, the workbook lists them.
    def over_disbursed_text(self) -> str:
        return (
            f"{format_number(self.over_disbursed_count)} khoản viện trợ (phê duyệt hoặc giải "
            f"ngân trong năm) có tổng giải ngân đến 31/12/{self.year} vượt giá trị được phê "
            "duyệt (kể cả điều chỉnh)"
        )

    OVER_DISBURSED_END = "Số liệu giải ngân đã tính đủ các khoản này."

    def corrections_text(self) -> str:
        return (
            f"{format_number(self.corrections_count)} dòng giải ngân ghi nhận dưới dạng điều "
            f"chỉnh sau khi khoản viện trợ hoàn thành ({format_vnd(self.corrections_vnd)}), đã "
            "tính trong số liệu giải ngân trong năm."
        )

    def lines(self) -> list[str]:
        """The notes as plain sentences (the workbook's first sheet)."""
        lines = []
        if self.over_disbursed_count:
            codes = ", ".join(code for _, code, _ in self.over_disbursed)
            more = ", …" if self.over_disbursed_count > len(self.over_disbursed) else ""
            lines.append(f"{self.over_disbursed_text()}: {codes}{more}. {self.OVER_DISBURSED_END}")
        if self.corrections_count:
            lines.append(self.corrections_text())
        return lines


def year_notes(session, year: int) -> YearNotes:
    first, last = date(year, 1, 1), date(year, 12, 31)
    # The items of the year as one union of ids (see loaders._items_condition: an OR with
    # a subquery over the year's disbursements never ends on PostgreSQL at national scale).
    decided = sa.select(AidItem.id).where(AidItem.decision_date.between(first, last))
    of_the_year = sa.union(decided, loaders.paid_between(first, last))
    # The rule is evaluated in the select list of a fenced subquery (OFFSET 0), so only for
    # the year's items: in the WHERE, PostgreSQL pushed it down to its scan of every item
    # and summed the disbursements of all 99 000 (40 000 are of the year; 1.4 s -> 0.6 s).
    candidates = (
        sa.select(
            AidItem.id,
            AidItem.code,
            AidItem.name,
            over_disbursed_condition(until=last).label("over"),  # as the year ended
        )
        .where(AidItem.archived_at.is_(None), AidItem.id.in_(of_the_year))
        .offset(0)
        .subquery()
    )
    # Every row, no LIMIT nor count() OVER (): with them PostgreSQL walks the code index
    # into a nested loop over the year's ids (49 s at national scale instead of 0.7 s).
    over_rows = session.execute(
        sa.select(candidates.c.id, candidates.c.code, candidates.c.name)
        .where(candidates.c.over)
        .order_by(candidates.c.code)
    ).all()
    corrections = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Disbursement.value_vnd), 0))
        .join(AidItem, AidItem.id == Disbursement.aid_item_id)
        .where(
            Disbursement.is_correction == sa.true(),  # the partial index's predicate
            Disbursement.archived_at.is_(None),
            AidItem.archived_at.is_(None),
            Disbursement.disbursed_on.between(first, last),
        )
    ).one()
    return YearNotes(
        year=year,
        over_disbursed=[tuple(row) for row in over_rows[:LIMIT]],
        over_disbursed_count=len(over_rows),
        corrections_count=int(corrections[0]),
        corrections_vnd=int(corrections[1]),
    )
