"""Planned disbursements: the item's schedule by year, in its currency, beside what was
disbursed each year. Rows are added, corrected (with the version the form showed) and
archived with a reason, never deleted. Writes only flush; the view commits once."""

from dataclasses import dataclass
from decimal import Decimal

from app.aid.models import AidItem, PlannedDisbursement
from app.aid.services import money
from app.aid.services.common import check, saved
from app.aid.states import AidAudit
from app.aid.workflow import AID_WORKFLOW
from app.core import audit, validation
from app.core.concurrency import check_version
from app.core.errors import DomainError, FieldError
from app.core.models import utcnow
from app.extensions import db

FIRST_YEAR, LAST_YEAR = 1990, 2100
PLAN_FIELDS = ("year", "amount", "currency", "note")


def _year(year: int | None) -> None:
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise FieldError("year", f"Năm phải từ {FIRST_YEAR} đến {LAST_YEAR}.")


def _year_free(item: AidItem, year: int | None, row_id: int | None = None) -> None:
    """One live row per year: a second plan for the same year is a correction of the first."""
    if year is None:
        return
    taken = db.session.scalar(
        db.select(PlannedDisbursement.id).where(
            PlannedDisbursement.aid_item_id == item.id,
            PlannedDisbursement.year == year,
            PlannedDisbursement.archived_at.is_(None),
            PlannedDisbursement.id != (row_id or 0),
        )
    )
    if taken:
        raise FieldError("year", f"Năm {year} đã có dòng kế hoạch giải ngân: hãy sửa dòng đó.")


def _checked(item: AidItem, year, amount, row_id=None) -> None:
    check(
        (_year, year),
        (_year_free, item, year, row_id),
        (validation.positive, amount, "amount"),
        (validation.money, amount, item.currency, item.rate_vnd, item.rate_usd, "amount"),
    )


def add_planned_disbursement(
    item: AidItem, year: int, amount: Decimal, note: str | None = None, *, user
) -> PlannedDisbursement:
    AID_WORKFLOW.require(item, "planned_disbursement", user)
    _checked(item, year, amount)
    row = PlannedDisbursement(
        aid_item_id=item.id,
        year=year,
        amount=amount,
        currency=item.currency,
        note=(note or "").strip() or None,
        recorded_by_id=user.id,
    )
    return saved(
        row,
        AidAudit.PLAN_ADD,
        user=user,
        summary=f"Kế hoạch giải ngân {item.code} năm {year}: {amount} {item.currency}",
        changes=audit.diff({}, audit.snapshot(row, PLAN_FIELDS)),
    )


def update_planned_disbursement(
    row: PlannedDisbursement,
    year: int,
    amount: Decimal,
    note: str | None = None,
    *,
    user,
    version: int | None,
) -> PlannedDisbursement:
    """A correction of a year's plan; the form's version must be the row's (else 409)."""
    item = db.session.get(AidItem, row.aid_item_id)
    AID_WORKFLOW.require(item, "planned_disbursement", user)
    check_version(row, version)
    if row.is_archived:
        raise DomainError("Dòng kế hoạch này đã được lưu trữ.")
    _checked(item, year, amount, row.id)
    before = audit.snapshot(row, PLAN_FIELDS)
    row.year, row.amount, row.note = year, amount, (note or "").strip() or None
    changes = audit.diff(before, audit.snapshot(row, PLAN_FIELDS))
    if not changes:
        return row
    return saved(
        row,
        AidAudit.PLAN_UPDATE,
        user=user,
        summary=f"Sửa kế hoạch giải ngân {item.code} năm {row.year}",
        changes=changes,
    )


def archive_planned_disbursement(
    row: PlannedDisbursement, reason: str, *, user, version: int | None = None
) -> None:
    item = db.session.get(AidItem, row.aid_item_id)
    AID_WORKFLOW.require(item, "planned_disbursement", user)
    if version is not None:
        check_version(row, version)
    if not (reason or "").strip():
        raise FieldError("reason", "Vui lòng ghi lý do lưu trữ dòng kế hoạch.")
    if row.is_archived:
        raise DomainError("Dòng kế hoạch này đã được lưu trữ.")
    row.archived_at = utcnow()
    row.archive_reason = reason.strip()
    summary = f"Lưu trữ kế hoạch giải ngân {item.code} năm {row.year}: {reason.strip()}"
    saved(row, AidAudit.PLAN_ARCHIVE, user=user, summary=summary[:500])


@dataclass
class ScheduleYear:
    year: int
    planned: Decimal | None  # None: no plan for the year
    actual: Decimal
    plan: PlannedDisbursement | None  # the live row, to correct or archive

    @property
    def difference(self) -> Decimal:
        """Disbursed minus planned (negative: behind the plan)."""
        return self.actual - (self.planned or Decimal(0))


def schedule(item: AidItem, actual: dict[int, Decimal] | None = None) -> dict:
    """The schedule beside the actual disbursements, year by year (two queries, one when
    the actual ones by year are given): every year with a live plan or a disbursement,
    the archived rows, and the totals."""
    rows = db.session.scalars(
        db.select(PlannedDisbursement)
        .where(PlannedDisbursement.aid_item_id == item.id)
        .order_by(PlannedDisbursement.year, PlannedDisbursement.id)
    ).all()
    live = {row.year: row for row in rows if not row.is_archived}
    if actual is None:
        actual = money.disbursed_by_year(item)
    years = [
        ScheduleYear(
            year,
            live[year].amount if year in live else None,
            actual.get(year, Decimal(0)),
            live.get(year),
        )
        for year in sorted(set(live) | set(actual))
    ]
    planned_total = sum((row.amount for row in live.values()), Decimal(0))
    actual_total = sum(actual.values(), Decimal(0))
    return {
        "years": years,
        "archived": [row for row in rows if row.is_archived],
        "planned_total": planned_total,
        "actual_total": actual_total,
        "difference_total": actual_total - planned_total,
    }
