"""Writes on a delegation's members: add, correct, remove, a whole list from a file, and
the audit of who saw their personal data unmasked.

The member rules themselves (no database) live in app.delegations.rules.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app

from app.core import audit
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.errors import DomainError, FieldError
from app.core.models import utcnow
from app.delegations import rules as member_rules
from app.delegations import workflow
from app.delegations.models import Delegation, DelegationMember, normalize_passport
from app.delegations.services.delegation import logged
from app.delegations.services.revisions import Line, member_change_line, note_changes
from app.delegations.states import DelegationAudit
from app.extensions import db

MEMBER_FIELDS = (
    "full_name",
    "sex",
    "birth_date",
    "nationality",
    "passport_number",
    "passport_type",
    "passport_expiry",
    "position",
    "organization_name",
    "is_head",
)
PERSONAL_FIELDS = ("birth_date", "passport_number")


REMOVE_REASON_REQUIRED = "Vui lòng ghi lý do xóa thành viên."


def passport_months() -> int:
    return current_app.config["PASSPORT_MIN_VALID_MONTHS"]


def passport_warning(delegation: Delegation, expiry: date | None) -> str | None:
    """The warning shown next to a member's passport expiry (the setting's months)."""
    return member_rules.passport_warning(
        expiry, delegation.start_on, delegation.end_on, passport_months()
    )


def passport_valid_until(delegation: Delegation) -> date:
    return member_rules.passport_valid_until(delegation.start_on, passport_months())


def short_passports(delegations: list[Delegation]) -> dict[int, int]:
    """{delegation id: how many members' passports the warning above concerns}, for a
    list of delegations in one query (the rule is applied to each member's expiry)."""
    if not delegations:
        return {}
    months = passport_months()
    by_id = {d.id: d for d in delegations}
    latest = max(member_rules.passport_valid_until(d.start_on, months) for d in delegations)
    rows = db.session.execute(
        db.select(DelegationMember.delegation_id, DelegationMember.passport_expiry).where(
            DelegationMember.delegation_id.in_(by_id),
            DelegationMember.archived_at.is_(None),
            DelegationMember.passport_expiry < latest,
        )
    ).all()
    counts: dict[int, int] = {}
    for delegation_id, expiry in rows:
        if passport_warning(by_id[delegation_id], expiry):
            counts[delegation_id] = counts.get(delegation_id, 0) + 1
    return counts


def _passports(delegation: Delegation, except_id: int | None = None) -> set[str]:
    return {
        m.passport_number for m in delegation.members if m.passport_number and m.id != except_id
    }


def _check(delegation: Delegation, values: dict, except_id: int | None = None) -> None:
    """Every broken member rule at once, then the one-head rule (needs the other members)."""
    errors = member_rules.member_errors(
        values,
        is_incoming=delegation.is_incoming,
        end_on=delegation.end_on,
        other_passports=_passports(delegation, except_id),
    )
    if errors:
        raise FieldError.many(errors)
    if values.get("is_head") and any(m.is_head and m.id != except_id for m in delegation.members):
        raise FieldError("is_head", "Đoàn đã có trưởng đoàn; bỏ chọn người kia trước.")


def _after_members_change(delegation: Delegation) -> None:
    db.session.flush()
    db.session.expire(delegation, ["members"])
    delegation.refresh_search_text([m.full_name for m in delegation.members])


def _masked(changes: dict) -> dict:
    """Audit diffs keep that personal data changed, not the values themselves."""
    return {k: (["***", "***"] if k in PERSONAL_FIELDS else v) for k, v in changes.items()}


def add_member(delegation: Delegation, values: dict, *, user) -> DelegationMember:
    workflow.require(delegation, "edit", user)
    _check(delegation, values)
    member = DelegationMember(delegation_id=delegation.id, **values)
    db.session.add(member)
    _after_members_change(delegation)
    summary = f"Thêm thành viên {member.full_name} vào đoàn {delegation.code}"
    logged(delegation, DelegationAudit.MEMBER_ADD, summary, user=user)
    note_changes(delegation, [Line(f"Thêm thành viên {member.full_name}")], user=user)
    return member


def update_member(
    member: DelegationMember, values: dict, *, user, version: int | None = None
) -> DelegationMember:
    """Correct a member. Who may not see the personal data cannot change it either: the
    stored date of birth and passport are kept whatever the form sent."""
    delegation = member.delegation
    workflow.require(delegation, "edit", user)
    check_version(member, version)
    if not rules.see_personal_data.allows(user, delegation):
        values = {**values, **{name: getattr(member, name) for name in PERSONAL_FIELDS}}
    _check(delegation, values, member.id)
    before = audit.snapshot(member, MEMBER_FIELDS)
    for name in MEMBER_FIELDS:
        setattr(member, name, values.get(name))
    _after_members_change(delegation)
    after = audit.snapshot(member, MEMBER_FIELDS)
    if changes := audit.diff(before, after):
        summary = f"Sửa thành viên {member.full_name} (đoàn {delegation.code})"
        logged(
            delegation, DelegationAudit.MEMBER_UPDATE, summary, user=user, changes=_masked(changes)
        )
        line = member_change_line(before.get("full_name") or member.full_name, before, after)
        note_changes(delegation, [line], user=user)
    return member


def remove_member(
    member: DelegationMember, reason: str | None = None, *, user, version: int | None = None
) -> None:
    """Take a member off the list: archived with the reason (never deleted), so the audit
    and the record's history keep them; no longer listed nor counted."""
    delegation = member.delegation
    workflow.require(delegation, "edit", user)
    if member.is_archived:
        raise DomainError(f"{member.full_name} đã được xóa khỏi danh sách đoàn.")
    if version is not None:
        check_version(member, version)
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", REMOVE_REASON_REQUIRED)
    member.archived_at = utcnow()
    member.archive_reason = reason[:500]
    _after_members_change(delegation)
    summary = f"Xóa thành viên {member.full_name} khỏi đoàn {delegation.code}"
    logged(delegation, DelegationAudit.MEMBER_REMOVE, summary, user=user)
    line = f"Xóa thành viên {member.full_name} (lý do: {member.archive_reason})"
    note_changes(delegation, [Line(line[:500])], user=user)


@dataclass
class RowError:
    row: int
    column: str
    message: str


def add_members_from_rows(
    delegation: Delegation,
    rows: list[tuple[int, dict]],
    *,
    user,
    labels: dict[str, str],
    file_errors: list[RowError] | None = None,
) -> list[RowError]:
    """Validate every row first; add all of them only if none has an error.

    rows: (row number, values) of the rows the file could parse; file_errors: what the file
    itself got wrong; labels: {field: column label} for the messages. Returns all errors,
    by row.
    """
    workflow.require(delegation, "edit", user)
    errors: list[RowError] = list(file_errors or [])
    # A cell the file's reading already found wrong is reported once, by the reading: the
    # member rules would repeat its message, or miss the value it could not keep.
    reported = {(error.row, error.column) for error in errors}
    seen = _passports(delegation)
    for row_number, values in rows:
        row_errors = member_rules.member_errors(
            values,
            is_incoming=delegation.is_incoming,
            end_on=delegation.end_on,
            other_passports=seen,
        )
        for field, message in row_errors.items():
            if (row_number, labels.get(field, field)) not in reported:
                errors.append(RowError(row_number, labels.get(field, field), message))
        if passport := normalize_passport(values.get("passport_number")):
            seen.add(passport)
    heads = [n for n, v in rows if v.get("is_head")]
    if len(heads) + sum(1 for m in delegation.members if m.is_head) > 1:
        errors += [
            RowError(n, labels.get("is_head", "is_head"), "Một đoàn chỉ có một trưởng đoàn.")
            for n in heads
        ]
    if not rows and not errors:
        errors.append(RowError(0, "", "Tệp không có dòng thành viên nào."))
    if errors:
        return sorted(errors, key=lambda e: e.row)
    for _row_number, values in rows:
        db.session.add(DelegationMember(delegation_id=delegation.id, **values))
    _after_members_change(delegation)
    summary = f"Nhập {len(rows)} thành viên từ tệp vào đoàn {delegation.code}"
    logged(delegation, DelegationAudit.MEMBERS_UPLOAD, summary, user=user)
    added = [Line(f"Thêm thành viên {values.get('full_name')}") for _n, values in rows]
    note_changes(delegation, added, user=user)
    return []


# --- Personal data ------------------------------------------------------------------------


def shows_personal_data(
    delegation: Delegation, *, user, where: str, members: list | None = None
) -> bool:
    """Whether the user sees the members' dates of birth and passports unmasked on a page
    (`where`: "trang hồ sơ đoàn", "bản in"...); each view that shows some is audited.
    `members`: the ones the page shows (default: the whole list)."""
    if not rules.see_personal_data.allows(user, delegation):
        return False
    shown = delegation.members if members is None else members
    if any(m.birth_date or m.passport_number for m in shown):
        summary = f"Xem ngày sinh, số hộ chiếu thành viên đoàn {delegation.code} ({where})"
        logged(delegation, DelegationAudit.PERSONAL_DATA_VIEW, summary, user=user)
    return True


def unmasked_in_search(members: list[DelegationMember], text: str, *, user) -> set[int]:
    """The ids of the found members whose personal data the user sees; audited if any."""
    shown = [m for m in members if rules.see_personal_data.allows(user, m.delegation)]
    if shown:
        codes = ", ".join(sorted({m.delegation.code for m in shown}))
        audit.record(
            DelegationAudit.PERSONAL_DATA_VIEW,
            user=user,
            object_type="delegation_member",
            summary=f"Tra cứu người «{text}»: xem ngày sinh, số hộ chiếu của {len(shown)} "
            f"người (đoàn {codes})",
        )
    return {m.id for m in shown}
