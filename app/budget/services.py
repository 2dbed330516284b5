"""Use cases of the yearly budget: the owner's proposal and spending, finance's allocation
and check, archiving. Services flush; the view commits once (docs/architecture.md).

Order in each write: the permission rule (403), the data (422, every broken rule at once),
the state and the write (409), the audit entry (BudgetAudit names, or `budget.<action>` for
a workflow step).
"""

from datetime import date
from decimal import Decimal

from app.budget import workflow
from app.budget.models import BudgetLine, BudgetSpending
from app.budget.states import BudgetAudit, Verdict
from app.core import audit, validation
from app.core import permissions as rules
from app.core.concurrency import check_version, lock_row
from app.core.errors import DomainError, FieldError
from app.core.models import utcnow
from app.core.money import format_vnd
from app.extensions import db

FLOW = workflow.BUDGET_WORKFLOW
FIRST_YEAR, LAST_YEAR = 2000, 2100
PROPOSAL_FIELDS = ("year", "proposed_vnd", "proposal_note")
ALLOCATION_FIELDS = ("allocated_vnd", "allocation_number", "allocation_date")
CHECK_FIELDS = ("verdict", "finance_remarks")
SPENDING_FIELDS = (
    "spent_on",
    "amount_vnd",
    "document_number",
    "description",
    "association_activity_id",
    "training_course_id",
    "delegation_id",
    "over_allocation",
)
LINKS = ("association_activity_id", "training_course_id", "delegation_id")


# --- Checks on values (no database) ------------------------------------------------------


def _given(value, field: str, message: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError(field, message)


def _year(year, field: str = "year") -> None:
    if year is None:
        raise FieldError(field, "Vui lòng nhập năm.")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise FieldError(field, f"Năm phải từ {FIRST_YEAR} đến {LAST_YEAR}.")


def _whole_vnd(amount, field: str, positive: bool = False) -> None:
    """An amount in whole đồng: given, not negative (or > 0), no fraction, not absurd."""
    if amount is None:
        raise FieldError(field, "Vui lòng nhập số tiền.")
    if positive:
        validation.positive(amount, field)
    validation.not_negative(amount, field, "Số tiền")
    if Decimal(amount) != Decimal(amount).to_integral_value():
        raise FieldError(field, "Số tiền VNĐ không có phần lẻ.")
    if amount >= validation.VND_LIMIT:
        raise FieldError(field, "Số tiền quá lớn, hãy kiểm tra lại.")


def _check(*checks) -> None:
    validation.raise_all(validation.collect(*checks))


def _text(value) -> str | None:
    return (value or "").strip() or None


def _version(line, version: int | None) -> None:
    if version is not None:
        check_version(line, version)


# --- The proposal ---------------------------------------------------------------------------


def _owner_taken(year: int, agency_id, association_id, except_id=None) -> bool:
    query = db.select(BudgetLine.id).where(
        BudgetLine.year == year, BudgetLine.archived_at.is_(None)
    )
    if agency_id is not None:
        query = query.where(BudgetLine.agency_id == agency_id)
    else:
        query = query.where(BudgetLine.association_id == association_id)
    if except_id is not None:
        query = query.where(BudgetLine.id != except_id)
    return db.session.scalar(query) is not None


def _live_association(association_id: int) -> None:
    from app.associations.models import Association

    found = db.session.get(Association, association_id)
    if found is None or found.is_archived:
        raise FieldError("association_id", "Hội hữu nghị không tồn tại hoặc đã lưu trữ.")


def _in_year(day: date | None, year: int) -> None:
    if day and day.year != year:
        raise FieldError("spent_on", f"Ngày chi phải trong năm {year} của ngân sách.")


def _verdict(verdict: str | None, remarks: str | None) -> None:
    if not verdict:
        raise FieldError("verdict", "Vui lòng chọn kết luận.")
    if verdict not in Verdict.labels():
        raise FieldError("verdict", "Kết luận không hợp lệ.")
    if verdict != Verdict.DUNG_MUC_DICH and not remarks:
        raise FieldError("finance_remarks", "Vui lòng ghi nhận xét, yêu cầu giải trình.")


def _proposal_checks(data: dict) -> list[tuple]:
    return [
        (_year, data.get("year")),
        (_whole_vnd, data.get("proposed_vnd"), "proposed_vnd"),
    ]


def propose(data: dict, *, user) -> BudgetLine:
    """A new line of the user's agency, or (foreign-affairs officers) of an association
    (`data["association_id"]`), for a year not yet proposed by that owner."""
    rules.record_own_budget.require(user)
    association_id = data.get("association_id") or None
    if association_id is not None and not rules.manage_associations.allows(user):
        raise FieldError(
            "association_id", "Chỉ cán bộ cơ quan ngoại vụ đề xuất ngân sách cho hội hữu nghị."
        )
    checks = _proposal_checks(data)
    if association_id is not None:
        checks.append((_live_association, association_id))
    _check(*checks)
    agency_id = None if association_id else user.agency_id
    if _owner_taken(data["year"], agency_id, association_id):
        raise FieldError("year", f"Đã có đề xuất ngân sách năm {data['year']} của đơn vị này.")
    line = BudgetLine(
        year=data["year"],
        agency_id=agency_id,
        association_id=association_id,
        proposed_vnd=int(data["proposed_vnd"]),
        proposal_note=_text(data.get("proposal_note")),
        created_by_id=user.id,
    )
    db.session.add(line)
    FLOW.record_start(line, user)
    owner_fields = ("agency_id", "association_id", *PROPOSAL_FIELDS)
    changes = audit.diff({}, audit.snapshot(line, owner_fields))
    audit.record(
        BudgetAudit.CREATE,
        line,
        user=user,
        summary=f"Đề xuất ngân sách {line.code}: {format_vnd(line.proposed_vnd)}",
        changes=changes,
    )
    return line


def update_proposal(line: BudgetLine, data: dict, *, user, version: int | None = None):
    """The owner's edit of its proposal, before the allocation (version required)."""
    FLOW.require_rule(line, "edit", user)
    _check(*_proposal_checks(data))
    check_version(line, version)
    FLOW.require(line, "edit", user)
    if _owner_taken(data["year"], line.agency_id, line.association_id, except_id=line.id):
        raise FieldError("year", f"Đã có đề xuất ngân sách năm {data['year']} của đơn vị này.")
    if line.year != data["year"] and _live_spending(line):
        raise FieldError("year", "Đã có khoản chi của năm cũ: không đổi năm được.")
    before = audit.snapshot(line, PROPOSAL_FIELDS)
    line.year = data["year"]
    line.proposed_vnd = int(data["proposed_vnd"])
    line.proposal_note = _text(data.get("proposal_note"))
    changes = audit.diff(before, audit.snapshot(line, PROPOSAL_FIELDS))
    if changes:
        db.session.flush()
        audit.record(
            BudgetAudit.UPDATE, line, user=user, summary=f"Sửa đề xuất {line.code}", changes=changes
        )
    return line


def resubmit(line: BudgetLine, note: str | None = None, *, user, version: int | None = None):
    FLOW.require_rule(line, "resubmit", user)
    _version(line, version)
    with workflow.step(line, "resubmit", user, _text(note)):
        pass
    return line


def archive_line(line: BudgetLine, reason: str, *, user, version: int | None = None):
    FLOW.require_rule(line, "archive", user)
    reason = _text(reason)
    if not reason:
        raise FieldError("reason", "Vui lòng ghi lý do lưu trữ.")
    _version(line, version)
    FLOW.require(line, "archive", user)
    line.archived_at = utcnow()
    line.archive_reason = reason[:500]
    db.session.flush()
    audit.record(
        BudgetAudit.ARCHIVE,
        line,
        user=user,
        summary=f"Lưu trữ ngân sách {line.code}: {reason}",
        changes={"archive_reason": [None, line.archive_reason]},
    )
    return line


def years_both_own(source_id: int, target_id: int) -> list[int]:
    """The years in which both agencies have a live line: merging one into the other would
    give the remaining agency two (app/auth/services.py refuses such a merge)."""
    target_years = db.select(BudgetLine.year).where(
        BudgetLine.agency_id == target_id, BudgetLine.archived_at.is_(None)
    )
    return list(
        db.session.scalars(
            db.select(BudgetLine.year)
            .where(
                BudgetLine.agency_id == source_id,
                BudgetLine.archived_at.is_(None),
                BudgetLine.year.in_(target_years),
            )
            .order_by(BudgetLine.year)
        )
    )


# --- Finance: allocation, return, check, re-opening ------------------------------------------


def _allocation(line, action, allocated_vnd, allocation_number, allocation_date, user, version):
    FLOW.require_rule(line, action, user)
    _check(
        (_whole_vnd, allocated_vnd, "allocated_vnd"),
        (_given, allocation_number, "allocation_number", "Vui lòng nhập số quyết định phân bổ."),
        (_given, allocation_date, "allocation_date", "Vui lòng nhập ngày quyết định."),
        (validation.not_future, allocation_date, "allocation_date", "Ngày quyết định"),
    )
    _version(line, version)
    before = audit.snapshot(line, ALLOCATION_FIELDS)
    number = allocation_number.strip()
    comment = f"Quyết định {number} ngày {allocation_date:%d/%m/%Y}: {format_vnd(allocated_vnd)}"
    with workflow.step(line, action, user, comment) as step:
        line.allocated_vnd = int(allocated_vnd)
        line.allocation_number = number[:60]
        line.allocation_date = allocation_date
        step.changes.update(audit.diff(before, audit.snapshot(line, ALLOCATION_FIELDS)))
    return line


def allocate(
    line: BudgetLine,
    allocated_vnd,
    allocation_number: str,
    allocation_date: date,
    *,
    user,
    version: int | None = None,
):
    """Finance's allocation: the amount and its decision (number, date)."""
    return _allocation(
        line, "allocate", allocated_vnd, allocation_number, allocation_date, user, version
    )


def reallocate(
    line: BudgetLine,
    allocated_vnd,
    allocation_number: str,
    allocation_date: date,
    *,
    user,
    version: int | None = None,
):
    """A changed allocation (a new decision), the line staying allocated."""
    return _allocation(
        line, "reallocate", allocated_vnd, allocation_number, allocation_date, user, version
    )


def return_proposal(line: BudgetLine, reason: str, *, user, version: int | None = None):
    FLOW.require_rule(line, "return", user)
    _check((_given, reason, "reason", "Vui lòng ghi lý do trả lại."))
    _version(line, version)
    with workflow.step(line, "return", user, reason.strip()):
        pass
    return line


def check_line(
    line: BudgetLine,
    verdict: str,
    finance_remarks: str | None = None,
    *,
    user,
    version: int | None = None,
):
    """Finance's verdict on the line's spending, with remarks (required unless the money
    was used as intended)."""
    FLOW.require_rule(line, "check", user)
    remarks = _text(finance_remarks)
    _check((_verdict, verdict, remarks))
    _version(line, version)
    before = audit.snapshot(line, CHECK_FIELDS)
    with workflow.step(line, "check", user, f"{Verdict(verdict).label}") as step:
        line.verdict = verdict
        line.finance_remarks = remarks
        line.checked_by_id = user.id
        line.checked_at = utcnow()
        step.changes.update(audit.diff(before, audit.snapshot(line, CHECK_FIELDS)))
    return line


def reopen(line: BudgetLine, reason: str, *, user, version: int | None = None):
    """A checked line back to allocated (e.g. after the owner's explanation)."""
    FLOW.require_rule(line, "reopen", user)
    _check((_given, reason, "reason", "Vui lòng ghi lý do mở lại."))
    _version(line, version)
    with workflow.step(line, "reopen", user, reason.strip()):
        pass
    return line


# --- Spending --------------------------------------------------------------------------------


def _live_spending(line: BudgetLine) -> int:
    """The line's live spending total, whole đồng."""
    total = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(BudgetSpending.amount_vnd), 0)).where(
            BudgetSpending.line_id == line.id, BudgetSpending.archived_at.is_(None)
        )
    )
    return int(total or 0)


def _links_exist(links: dict) -> dict[str, str]:
    """Errors for linked records that do not exist (ids from a form are not trusted)."""
    from app.associations.models import AssociationActivity
    from app.delegations.models import Delegation
    from app.training.models import TrainingCourse

    models = {
        "association_activity_id": (AssociationActivity, "Hoạt động của hội không tồn tại."),
        "training_course_id": (TrainingCourse, "Khóa đào tạo không tồn tại."),
        "delegation_id": (Delegation, "Đoàn không tồn tại."),
    }
    errors = {}
    for field, value in links.items():
        model, message = models[field]
        if value is not None and db.session.get(model, value) is None:
            errors[field] = message
    return errors


def over_allocation_message(line: BudgetLine, total: int) -> str:
    return (
        f"Tổng chi sẽ là {format_vnd(total)}, vượt số được phân bổ "
        f"{format_vnd(line.allocated_vnd)}. Nếu đúng, hãy đánh dấu xác nhận rồi lưu lại; "
        "ngân sách sẽ được đánh dấu “chi vượt số được phân bổ”."
    )


def add_spending(
    line: BudgetLine,
    spent_on: date,
    amount_vnd,
    document_number: str,
    description: str,
    association_activity_id: int | None = None,
    training_course_id: int | None = None,
    delegation_id: int | None = None,
    confirm_over: bool = False,
    *,
    user,
) -> BudgetSpending:
    """A spending entry of the owner, dated in the line's year. One that takes the total
    above the allocation is refused (422, next to the confirmation) until confirmed; the
    line's row is locked first, so two clerks cannot together pass it unconfirmed."""
    FLOW.require_rule(line, "spend", user)
    links = {
        "association_activity_id": association_activity_id or None,
        "training_course_id": training_course_id or None,
        "delegation_id": delegation_id or None,
    }
    errors = validation.collect(
        (_given, spent_on, "spent_on", "Vui lòng nhập ngày chi."),
        (validation.not_future, spent_on, "spent_on", "Ngày chi"),
        (_in_year, spent_on, line.year),
        (_whole_vnd, amount_vnd, "amount_vnd", True),
        (_given, document_number, "document_number", "Vui lòng nhập số chứng từ."),
        (_given, description, "description", "Vui lòng ghi nội dung hoạt động."),
    )
    chosen = [field for field, value in links.items() if value is not None]
    if len(chosen) > 1:
        errors.setdefault(chosen[-1], "Chỉ liên kết một hoạt động, khóa đào tạo hoặc đoàn.")
    for field, message in _links_exist(links).items():
        errors.setdefault(field, message)
    validation.raise_all(errors)
    FLOW.require(line, "spend", user)
    lock_row(BudgetLine, line.id)  # two entries at once must not both pass the check below
    total = _live_spending(line) + int(amount_vnd)
    over = line.allocated_vnd is not None and total > line.allocated_vnd
    if over and not confirm_over:
        raise FieldError("confirm_over", over_allocation_message(line, total))
    spending = BudgetSpending(
        line_id=line.id,
        spent_on=spent_on,
        amount_vnd=int(amount_vnd),
        document_number=document_number.strip()[:100],
        description=description.strip()[:500],
        over_allocation=over,
        recorded_by_id=user.id,
        **links,
    )
    db.session.add(spending)
    db.session.flush()
    summary = (
        f"Chi {format_vnd(spending.amount_vnd)} ngày {spent_on:%d/%m/%Y} ({line.code}), "
        f"chứng từ {spending.document_number}"
    )
    action = BudgetAudit.SPENDING_ADD
    if over:
        action, summary = BudgetAudit.SPENDING_OVER_ALLOCATION, summary + " – vượt số phân bổ"
    audit.record(
        action,
        spending,
        user=user,
        summary=summary,
        changes=audit.diff({}, audit.snapshot(spending, SPENDING_FIELDS)),
    )
    return spending


def archive_spending(
    spending: BudgetSpending, reason: str, *, user, version: int | None = None
) -> BudgetSpending:
    """Cancel a wrong entry (kept, struck through, on the line's page)."""
    line = spending.line
    FLOW.require_rule(line, "spend", user)
    reason = _text(reason)
    if not reason:
        raise FieldError("reason", "Vui lòng ghi lý do hủy khoản chi.")
    _version(spending, version)
    if spending.is_archived:
        raise DomainError("Khoản chi này đã được hủy.")
    FLOW.require(line, "spend", user)
    spending.archived_at = utcnow()
    spending.archive_reason = reason[:500]
    db.session.flush()
    audit.record(
        BudgetAudit.SPENDING_ARCHIVE,
        spending,
        user=user,
        summary=f"Hủy khoản chi #{spending.id} của {line.code}: {reason}",
        changes={"archive_reason": [None, spending.archive_reason]},
    )
    return spending
