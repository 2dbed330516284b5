"""Writes on the delegation itself: the request (create, update, archive) and the steps of
its review (submit, receive, approve, refuse, complete, cancel)."""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from app.core import audit, validation
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.countries import parse_country
from app.core.dates import add_working_days, today_vn, working_days_between
from app.core.errors import FieldError
from app.core.models import Commune, utcnow
from app.delegations import rules as member_rules
from app.delegations import states, workflow
from app.delegations.models import Delegation, DelegationMember, Direction, ItineraryStop
from app.delegations.services import revisions
from app.delegations.states import DelegationAudit
from app.extensions import db

DELEGATION_FIELDS = (
    "code",
    "direction",
    "title",
    "purpose",
    "organization_id",
    "sending_party",
    "country",
    "other_countries",
    "start_on",
    "end_on",
    "host_agency_id",
    "funding",
    "aid_item_id",
    "contact",
    "notes",
)


@dataclass
class DelegationInput:
    fields: dict
    stops: list[dict] = field(default_factory=list)  # {day, commune_code, place, activity}


def _validate(data: DelegationInput, delegation_id: int | None = None) -> None:
    f = data.fields
    duplicate = db.session.scalar(
        db.select(Delegation.id).where(
            Delegation.code == f["code"], Delegation.id != (delegation_id or 0)
        )
    )
    if duplicate:
        raise FieldError("code", f"Mã đoàn '{f['code']}' đã được dùng.")
    member_rules.dates_in_order(f["start_on"], f["end_on"])
    if not parse_country(f["country"]):
        raise FieldError("country", "Quốc gia không hợp lệ.")
    for stop in data.stops:
        member_rules.stop_within_visit(stop.get("day"), f["start_on"], f["end_on"], "stops")
    codes = [s["commune_code"] for s in data.stops if s.get("commune_code")]
    if codes:
        found = set(db.session.scalars(db.select(Commune.code).where(Commune.code.in_(codes))))
        if missing := sorted(set(codes) - found):
            raise FieldError("stops", f"Mã xã, phường không tồn tại: {', '.join(missing)}.")


def schedule_report(delegation: Delegation) -> None:
    """The visit report is due a set number of working days after the visit ends: set at
    approval, and for approved delegations that arrive through the workbook import."""
    days = current_app.config["DELEGATION_REPORT_WORKING_DAYS"]
    delegation.report_due_on = add_working_days(delegation.end_on, days)


def refresh_border_area(delegation: Delegation) -> None:
    """A visit is in a border area if set so explicitly, or if a stop is a border commune."""
    if delegation.border_area_override is not None:
        delegation.is_border_area = delegation.border_area_override
        return
    codes = [s.commune_code for s in delegation.stops if s.commune_code]
    delegation.is_border_area = bool(
        codes
        and db.session.scalar(
            db.select(Commune.code).where(Commune.code.in_(codes), Commune.is_border).limit(1)
        )
    )


def _apply(delegation: Delegation, data: DelegationInput) -> None:
    for name in DELEGATION_FIELDS:
        if name in data.fields:
            setattr(delegation, name, data.fields[name])
    delegation.stops = [ItineraryStop(**stop) for stop in data.stops]
    db.session.flush()
    refresh_border_area(delegation)
    names = db.session.scalars(
        db.select(DelegationMember.full_name).where(
            DelegationMember.delegation_id == delegation.id, DelegationMember.archived_at.is_(None)
        )
    ).all()
    delegation.refresh_search_text(list(names))


def _snapshot(delegation: Delegation) -> dict:
    values = audit.snapshot(delegation, DELEGATION_FIELDS)
    values["stops"] = [
        f"{s.day or ''} {s.commune_code or ''} {s.place or ''} {s.activity or ''}".strip()
        for s in delegation.stops
    ]
    return values


def logged(delegation: Delegation, action: str, summary: str, *, user, changes=None) -> None:
    """Flush the change, then write its entry in the delegation's audit log."""
    db.session.flush()
    audit.record(action, delegation, user=user, summary=summary, changes=changes)


def _save(delegation: Delegation, data: DelegationInput, action: str, summary: str, *, user):
    """Apply the input and audit what changed (every field, for a new delegation)."""
    before = _snapshot(delegation) if delegation.id else {}
    _apply(delegation, data)
    if changes := audit.diff(before, _snapshot(delegation)):
        logged(delegation, action, summary, user=user, changes=changes)


def create_delegation(data: DelegationInput, *, user) -> Delegation:
    rules.create_delegation.require(user)
    _validate(data)
    delegation = Delegation(status=states.INITIAL, author_agency_id=user.agency_id)
    if not data.fields.get("host_agency_id"):
        data.fields["host_agency_id"] = user.agency_id
    db.session.add(delegation)
    kind = Direction(data.fields["direction"]).label.lower()
    summary = f"Lập hồ sơ {kind} {data.fields['code']}"
    _save(delegation, data, DelegationAudit.CREATE, summary, user=user)
    workflow.DELEGATION_WORKFLOW.record_start(delegation, user)
    return delegation


def update_delegation(
    delegation: Delegation, data: DelegationInput, *, user, version: int | None = None
) -> Delegation:
    workflow.require(delegation, "edit", user)
    check_version(delegation, version)
    _validate(data, delegation.id)
    summary = f"Sửa hồ sơ đoàn {data.fields['code']}"
    before = _reviewed_content(delegation)
    _save(delegation, data, DelegationAudit.UPDATE, summary, user=user)
    after = _reviewed_content(delegation)
    lines = revisions.date_lines(before, after) + revisions.itinerary_lines(
        before["stops"], after["stops"], (before["border"], after["border"])
    )
    revisions.note_changes(delegation, lines, user=user)
    return delegation


def _reviewed_content(delegation: Delegation) -> dict:
    """What the reviewers looked at in the request itself: dates, itinerary, border area."""
    return {
        "start_on": delegation.start_on,
        "end_on": delegation.end_on,
        "stops": [revisions.stop_text(stop) for stop in delegation.stops],
        "border": bool(delegation.is_border_area),
    }


def archive_delegation(
    delegation: Delegation, reason: str, *, user, version: int | None = None
) -> Delegation:
    rules.edit_delegation.require(user, delegation)
    check_version(delegation, version)
    if not reason:
        raise FieldError("reason", "Vui lòng ghi lý do lưu trữ.")
    delegation.archived_at = utcnow()
    delegation.archive_reason = reason
    summary = f"Lưu trữ hồ sơ đoàn {delegation.code}: {reason}"
    logged(delegation, DelegationAudit.ARCHIVE, summary, user=user)
    return delegation


# --- The steps of the review -------------------------------------------------------------


def submit_delegation(delegation: Delegation, comment: str | None = None, *, user) -> None:
    """Send the request; a request later than the set lead time is flagged, not refused."""
    with workflow.step(delegation, "submit", user, comment):
        today = today_vn()
        lead = current_app.config["DELEGATION_REQUEST_WORKING_DAYS"]
        delegation.submitted_on = today
        delegation.is_late_request = working_days_between(today, delegation.start_on) < lead


def receive_delegation(delegation: Delegation, comment: str | None = None, *, user) -> None:
    with workflow.step(delegation, "receive", user, comment):
        pass


def approve_delegation(
    delegation: Delegation,
    number: str,
    approved_on: date | None,
    approved_by: str | None = None,
    *,
    user,
) -> None:
    number = (number or "").strip()
    with workflow.step(delegation, "approve", user, f"Văn bản {number}"):
        if not number:
            raise FieldError("number", "Vui lòng nhập số văn bản hoặc quyết định.")
        if approved_on is None:
            raise FieldError("approved_on", "Vui lòng nhập ngày phê duyệt.")
        validation.past_date(
            approved_on,
            "approved_on",
            "Ngày phê duyệt",
            delegation.submitted_on,
            "ngày gửi hồ sơ đoàn",
        )
        delegation.approval_number = number
        delegation.approval_date = approved_on
        delegation.approved_by = approved_by or None
        schedule_report(delegation)


def refuse_delegation(delegation: Delegation, reason: str, *, user) -> None:
    with workflow.step(delegation, "refuse", user, reason):
        if not reason:
            raise FieldError("comment", "Vui lòng ghi lý do từ chối.")
        delegation.refusal_reason = reason


def complete_delegation(delegation: Delegation, comment: str | None = None, *, user) -> None:
    with workflow.step(delegation, "complete", user, comment):
        pass


def cancel_delegation(delegation: Delegation, reason: str, *, user) -> None:
    with workflow.step(delegation, "cancel", user, reason):
        if not reason:
            raise FieldError("comment", "Vui lòng ghi lý do hủy.")
