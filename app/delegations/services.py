"""Use cases of delegations: the request, members, the review, follow-up, working views.

Services validate, change the models and flush; the view commits once.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy.orm import contains_eager, selectinload

from app.core import attachments, audit
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.countries import parse_country
from app.core.dates import add_working_days, today_vn, working_days_between
from app.core.errors import DomainError, FieldError
from app.core.models import Commune, utcnow
from app.core.text import fold
from app.delegations import workflow
from app.delegations.models import (
    BorderPermit,
    Delegation,
    DelegationMember,
    ItineraryStop,
    Review,
    VisitReport,
    normalize_passport,
)
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
EDITABLE_STATES = ("du_thao", "da_gui", "dang_xem_xet")
PASSPORT_RE = re.compile(r"^[A-Z0-9]{1,30}$")
LIVE_STATES = ("da_gui", "dang_xem_xet", "da_duyet")


# --- The delegation itself ---------------------------------------------------------------


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
    if f["end_on"] < f["start_on"]:
        raise FieldError("end_on", "Ngày kết thúc không được trước ngày bắt đầu.")
    if not parse_country(f["country"]):
        raise FieldError("country", "Quốc gia không hợp lệ.")
    for day in (stop["day"] for stop in data.stops if stop.get("day")):
        if not f["start_on"] <= day <= f["end_on"]:
            raise FieldError("stops", "Ngày trong lịch trình phải nằm trong thời gian của đoàn.")
    codes = [s["commune_code"] for s in data.stops if s.get("commune_code")]
    if codes:
        found = set(db.session.scalars(db.select(Commune.code).where(Commune.code.in_(codes))))
        if missing := sorted(set(codes) - found):
            raise FieldError("stops", f"Mã xã, phường không tồn tại: {', '.join(missing)}.")


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


def create_delegation(data: DelegationInput, user) -> Delegation:
    rules.create_delegation.require(user)
    _validate(data)
    delegation = Delegation(status="du_thao", author_agency_id=user.agency_id)
    if not data.fields.get("host_agency_id"):
        data.fields["host_agency_id"] = user.agency_id
    db.session.add(delegation)
    _apply(delegation, data)
    workflow.DELEGATION_WORKFLOW.record_start(delegation, user)
    audit.record(
        "delegation.create",
        delegation,
        user=user,
        summary=f"Lập hồ sơ {delegation.direction_label.lower()} {delegation.code}",
        changes=audit.diff({}, _snapshot(delegation)),
    )
    return delegation


def _require_editable(delegation: Delegation, user) -> None:
    rules.edit_delegation.require(user, delegation)
    if delegation.is_archived or delegation.status not in EDITABLE_STATES:
        raise DomainError(f"Không thể sửa hồ sơ đoàn ở trạng thái “{delegation.status_label}”.")


def update_delegation(delegation: Delegation, data: DelegationInput, version, user) -> None:
    _require_editable(delegation, user)
    check_version(delegation, version)
    _validate(data, delegation.id)
    before = _snapshot(delegation)
    _apply(delegation, data)
    db.session.flush()
    if changes := audit.diff(before, _snapshot(delegation)):
        audit.record(
            "delegation.update",
            delegation,
            user=user,
            summary=f"Sửa hồ sơ đoàn {delegation.code}",
            changes=changes,
        )


# --- Members -----------------------------------------------------------------------------


def member_errors(values: dict, delegation: Delegation, other_passports: set[str]) -> dict:
    """{field: Vietnamese message} for one member; shared by the form and the list upload."""
    errors = {}
    if not (values.get("full_name") or "").strip():
        errors["full_name"] = "Vui lòng nhập họ và tên."
    if not values.get("nationality"):
        errors["nationality"] = "Vui lòng chọn quốc tịch hợp lệ."
    birth = values.get("birth_date")
    if birth and birth >= today_vn():
        errors["birth_date"] = "Ngày sinh phải là một ngày trong quá khứ."
    elif birth and birth.year < 1900:
        errors["birth_date"] = "Ngày sinh không hợp lệ (trước năm 1900)."
    passport = normalize_passport(values.get("passport_number"))
    if passport and not PASSPORT_RE.match(passport):
        errors["passport_number"] = "Số hộ chiếu chỉ gồm chữ cái không dấu và chữ số."
    foreign = values.get("nationality") and values["nationality"] != "VN"
    if delegation.is_incoming and foreign and not passport:
        errors["passport_number"] = "Thành viên người nước ngoài của đoàn vào phải có số hộ chiếu."
    if passport and passport in other_passports:
        errors["passport_number"] = f"Số hộ chiếu {passport} đã có trong danh sách đoàn."
    expiry = values.get("passport_expiry")
    if expiry and expiry < delegation.end_on:
        errors["passport_expiry"] = (
            f"Hộ chiếu hết hạn ({expiry:%d/%m/%Y}) trước khi kết thúc chuyến đi "
            f"({delegation.end_on:%d/%m/%Y})."
        )
    return errors


def _one_head(delegation: Delegation, values: dict, except_id: int | None = None) -> None:
    if values.get("is_head") and any(m.is_head and m.id != except_id for m in delegation.members):
        raise FieldError("is_head", "Đoàn đã có trưởng đoàn; bỏ chọn người kia trước.")


def _passports(delegation: Delegation, except_id: int | None = None) -> set[str]:
    return {
        m.passport_number for m in delegation.members if m.passport_number and m.id != except_id
    }


def _after_members_change(delegation: Delegation) -> None:
    db.session.flush()
    db.session.expire(delegation, ["members"])
    delegation.refresh_search_text([m.full_name for m in delegation.members])


def add_member(delegation: Delegation, user, values: dict) -> DelegationMember:
    _require_editable(delegation, user)
    errors = member_errors(values, delegation, _passports(delegation))
    if errors:
        raise FieldError.many(errors)
    _one_head(delegation, values)
    member = DelegationMember(delegation_id=delegation.id, **values)
    db.session.add(member)
    _after_members_change(delegation)
    audit.record(
        "delegation.member_add",
        delegation,
        user=user,
        summary=f"Thêm thành viên {member.full_name} vào đoàn {delegation.code}",
    )
    return member


def update_member(member: DelegationMember, user, values: dict) -> None:
    delegation = member.delegation
    _require_editable(delegation, user)
    errors = member_errors(values, delegation, _passports(delegation, member.id))
    if errors:
        raise FieldError.many(errors)
    _one_head(delegation, values, member.id)
    before = audit.snapshot(member, MEMBER_FIELDS)
    for name in MEMBER_FIELDS:
        setattr(member, name, values.get(name))
    _after_members_change(delegation)
    changes = audit.diff(before, audit.snapshot(member, MEMBER_FIELDS))
    if changes:
        audit.record(
            "delegation.member_update",
            delegation,
            user=user,
            summary=f"Sửa thành viên {member.full_name} (đoàn {delegation.code})",
            changes=_masked(changes),
        )


def _masked(changes: dict) -> dict:
    """Audit diffs keep that personal data changed, not the values themselves."""
    return {
        k: (["***", "***"] if k in ("birth_date", "passport_number") else v)
        for k, v in changes.items()
    }


def remove_member(member: DelegationMember, user, reason: str | None = None) -> None:
    delegation = member.delegation
    _require_editable(delegation, user)
    member.archived_at = utcnow()
    member.archive_reason = reason or "Xóa khỏi danh sách đoàn"
    _after_members_change(delegation)
    audit.record(
        "delegation.member_remove",
        delegation,
        user=user,
        summary=f"Xóa thành viên {member.full_name} khỏi đoàn {delegation.code}",
    )


@dataclass
class RowError:
    row: int
    column: str
    message: str


def add_members_from_rows(
    delegation: Delegation,
    user,
    rows: list[tuple[int, dict]],
    labels: dict[str, str],
    file_errors: list[RowError] | None = None,
) -> list[RowError]:
    """Validate every row first; add all of them only if none has an error.

    rows: (row number, values) of the rows the file could parse; file_errors: what the file
    itself got wrong; labels: {field: column label} for the messages. Returns all errors,
    by row.
    """
    _require_editable(delegation, user)
    errors: list[RowError] = list(file_errors or [])
    seen = _passports(delegation)
    for row_number, values in rows:
        row_errors = member_errors(values, delegation, seen)
        errors += [RowError(row_number, labels.get(k, k), m) for k, m in row_errors.items()]
        if values.get("passport_number"):
            seen.add(normalize_passport(values["passport_number"]))
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
    audit.record(
        "delegation.members_upload",
        delegation,
        user=user,
        summary=f"Nhập {len(rows)} thành viên từ tệp vào đoàn {delegation.code}",
    )
    return []


# --- The review --------------------------------------------------------------------------


def submit(delegation: Delegation, user, comment: str | None = None) -> None:
    """Send the request; a request later than the set lead time is flagged, not refused."""
    today = today_vn()

    def record():
        delegation.submitted_on = today
        lead = current_app.config["DELEGATION_REQUEST_WORKING_DAYS"]
        delegation.is_late_request = working_days_between(today, delegation.start_on) < lead

    workflow.apply(delegation, "submit", user, comment, record)


def receive(delegation: Delegation, user, comment: str | None = None) -> None:
    workflow.apply(delegation, "receive", user, comment)


REVIEW_RULES = {"foreign_affairs": rules.review_foreign_affairs, "police": rules.review_police}


def record_review(
    delegation: Delegation,
    user,
    kind: str,
    verdict: str,
    text: str,
    document_number: str | None,
    reviewed_on: date | None,
) -> Review:
    """Foreign affairs' appraisal or the police's security opinion (one each, revisable)."""
    REVIEW_RULES[kind].require(user, delegation)
    if delegation.status != "dang_xem_xet" or delegation.is_archived:
        raise DomainError("Chỉ ghi ý kiến khi hồ sơ đoàn đang được xem xét.")
    if not text:
        raise FieldError("text", "Vui lòng nhập nội dung ý kiến.")
    reviewed_on = reviewed_on or today_vn()
    if reviewed_on > today_vn():
        raise FieldError("reviewed_on", "Ngày văn bản không được sau ngày hôm nay.")
    if delegation.submitted_on and reviewed_on < delegation.submitted_on:
        raise FieldError("reviewed_on", "Ngày văn bản không được trước ngày gửi hồ sơ đoàn.")
    review = delegation.review_by(kind)
    before = audit.snapshot(review, ("verdict", "text")) if review else {}
    if review is None:
        review = Review(reviewer_kind=kind)
        delegation.reviews.append(review)
    review.agency_id = user.agency_id
    review.verdict = verdict
    review.text = text
    review.document_number = document_number or None
    review.reviewed_on = reviewed_on
    review.reviewed_by_id = user.id
    db.session.flush()
    audit.record(
        f"delegation.review_{kind}",
        delegation,
        user=user,
        summary=f"{review.kind_label}: {review.verdict_label} (đoàn {delegation.code})",
        changes=audit.diff(before, audit.snapshot(review, ("verdict", "text"))),
    )
    return review


def record_permit(
    delegation: Delegation,
    user,
    number: str,
    issued_on: date,
    valid_from: date,
    valid_to: date,
    notes: str | None,
) -> BorderPermit:
    rules.review_police.require(user, delegation)
    if delegation.status not in ("dang_xem_xet", "da_duyet") or delegation.is_archived:
        raise DomainError("Chỉ cấp giấy phép khi hồ sơ đoàn đang xem xét hoặc đã duyệt.")
    if not delegation.is_border_area:
        raise DomainError("Đoàn không đến khu vực biên giới, không cần giấy phép.")
    if issued_on > today_vn():
        raise FieldError("issued_on", "Ngày cấp không được sau ngày hôm nay.")
    if valid_to < valid_from:
        raise FieldError("valid_to", "Ngày hết hiệu lực không được trước ngày có hiệu lực.")
    if valid_from > delegation.start_on or valid_to < delegation.end_on:
        raise FieldError(
            "valid_to",
            f"Giấy phép phải có hiệu lực suốt thời gian đoàn "
            f"({delegation.start_on:%d/%m/%Y} – {delegation.end_on:%d/%m/%Y}).",
        )
    permit = BorderPermit(
        delegation_id=delegation.id,
        number=number.strip(),
        issued_on=issued_on,
        valid_from=valid_from,
        valid_to=valid_to,
        notes=notes or None,
        recorded_by_id=user.id,
    )
    db.session.add(permit)
    db.session.flush()
    audit.record(
        "delegation.border_permit",
        delegation,
        user=user,
        summary=f"Cấp giấy phép vào khu vực biên giới số {permit.number}",
    )
    return permit


def record_border_notice(delegation: Delegation, user, notice_on: date) -> None:
    """The notice to police and border guard, at least 24 hours before the visit."""
    rules.edit_delegation.require(user, delegation)
    if delegation.status not in LIVE_STATES or delegation.is_archived:
        raise DomainError("Chỉ ghi nhận thông báo cho đoàn đang xử lý hoặc đã duyệt.")
    if not delegation.is_border_area:
        raise DomainError("Đoàn không đến khu vực biên giới.")
    if notice_on > today_vn():
        raise FieldError("notice_on", "Ngày thông báo không được sau ngày hôm nay.")
    hours = workflow.notice_hours()
    if notice_on > delegation.start_on - timedelta(days=max(1, -(-hours // 24))):
        raise FieldError(
            "notice_on",
            f"Phải thông báo cho Công an và Bộ đội Biên phòng trước ít nhất {hours} giờ "
            f"(trước ngày {delegation.start_on:%d/%m/%Y}).",
        )
    old = delegation.border_notice_on
    delegation.border_notice_on = notice_on
    db.session.flush()
    audit.record(
        "delegation.border_notice",
        delegation,
        user=user,
        summary=f"Thông báo Công an, Biên phòng ngày {notice_on:%d/%m/%Y}",
        changes={"border_notice_on": [str(old) if old else None, str(notice_on)]},
    )


def approve(delegation: Delegation, user, number: str, approved_on: date, approved_by: str):
    if not number:
        raise FieldError("number", "Vui lòng nhập số văn bản hoặc quyết định.")
    if approved_on is None or approved_on > today_vn():
        raise FieldError("approved_on", "Ngày phê duyệt không hợp lệ (không được sau hôm nay).")
    if delegation.submitted_on and approved_on < delegation.submitted_on:
        raise FieldError("approved_on", "Ngày phê duyệt không được trước ngày gửi hồ sơ đoàn.")

    def record():
        delegation.approval_number = number.strip()
        delegation.approval_date = approved_on
        delegation.approved_by = approved_by or None
        days = current_app.config["DELEGATION_REPORT_WORKING_DAYS"]
        delegation.report_due_on = add_working_days(delegation.end_on, days)

    workflow.apply(delegation, "approve", user, f"Văn bản {number.strip()}", record)


def refuse(delegation: Delegation, user, reason: str) -> None:
    if not reason:
        raise FieldError("comment", "Vui lòng ghi lý do từ chối.")

    def record():
        delegation.refusal_reason = reason

    workflow.apply(delegation, "refuse", user, reason, record)


def cancel(delegation: Delegation, user, reason: str) -> None:
    if not reason:
        raise FieldError("comment", "Vui lòng ghi lý do hủy.")
    workflow.apply(delegation, "cancel", user, reason)


def file_report(
    delegation: Delegation, user, received_on: date, summary: str, file=None
) -> VisitReport:
    rules.edit_delegation.require(user, delegation)
    if delegation.status != "da_duyet" or delegation.is_archived:
        raise DomainError("Chỉ nhận báo cáo cho đoàn đã được duyệt.")
    if not summary:
        raise FieldError("summary", "Vui lòng nhập nội dung báo cáo.")
    if received_on > today_vn():
        raise FieldError("received_on", "Ngày báo cáo không được sau ngày hôm nay.")
    if received_on < delegation.start_on:
        raise FieldError("received_on", "Ngày báo cáo không được trước khi đoàn bắt đầu.")
    report = VisitReport(
        delegation_id=delegation.id,
        received_on=received_on,
        summary=summary,
        recorded_by_id=user.id,
    )
    db.session.add(report)
    db.session.flush()
    if file is not None and getattr(file, "filename", ""):
        attachments.store(file, "visit_report", report.id, user)
    audit.record(
        "delegation.report",
        delegation,
        user=user,
        summary=f"Nhận báo cáo kết quả đoàn {delegation.code}",
    )
    return report


def complete(delegation: Delegation, user, comment: str | None = None) -> None:
    workflow.apply(delegation, "complete", user, comment)


def archive(delegation: Delegation, user, reason: str, version) -> None:
    rules.edit_delegation.require(user, delegation)
    check_version(delegation, version)
    if not reason:
        raise FieldError("reason", "Vui lòng ghi lý do lưu trữ.")
    delegation.archived_at = utcnow()
    delegation.archive_reason = reason
    db.session.flush()
    audit.record(
        "delegation.archive",
        delegation,
        user=user,
        summary=f"Lưu trữ hồ sơ đoàn {delegation.code}: {reason}",
    )


# --- Lists and working views -------------------------------------------------------------


@dataclass
class DelegationFilters:
    q: str = ""
    direction: str = ""
    status: str = ""
    year: int | None = None
    country: str = ""
    purpose: str = ""
    host: int | None = None
    border: str = ""  # "1" or "0"
    archived: bool = False


def visible_to(user):
    """Drafts only for their author agency (and administrators)."""
    if rules.administer.allows(user):
        return db.true()
    return db.or_(Delegation.status != "du_thao", Delegation.author_agency_id == user.agency_id)


def delegations_query(filters: DelegationFilters, user):
    query = db.select(Delegation).where(visible_to(user))
    if not filters.archived:
        query = query.where(Delegation.archived_at.is_(None))
    if filters.q:
        query = query.where(Delegation.search_text.contains(fold(filters.q), autoescape=True))
    if filters.direction:
        query = query.where(Delegation.direction == filters.direction)
    if filters.status:
        query = query.where(Delegation.status == filters.status)
    if filters.year:
        query = query.where(
            Delegation.start_on >= date(filters.year, 1, 1),
            Delegation.start_on < date(filters.year + 1, 1, 1),
        )
    if filters.country:
        query = query.where(Delegation.country == filters.country)
    if filters.purpose:
        query = query.where(Delegation.purpose == filters.purpose)
    if filters.host:
        query = query.where(Delegation.host_agency_id == filters.host)
    if filters.border in ("1", "0"):
        query = query.where(Delegation.is_border_area.is_(filters.border == "1"))
    return query


def of_organization(organization_id: int, user, limit: int = 100) -> list[Delegation]:
    """The delegations an organisation sent or received, newest first (for its profile)."""
    return db.session.scalars(
        db.select(Delegation)
        .where(
            visible_to(user),
            Delegation.organization_id == organization_id,
            Delegation.archived_at.is_(None),
        )
        .order_by(Delegation.start_on.desc())
        .limit(limit)
    ).all()


def upcoming(user, today: date | None = None, days: int = 30) -> list[tuple[Delegation, int]]:
    """Delegations in the province now and in the next `days` days (not refused/cancelled),
    each with its number of members."""
    today = today or today_vn()
    members = (
        db.select(db.func.count(DelegationMember.id))
        .where(
            DelegationMember.delegation_id == Delegation.id,
            DelegationMember.archived_at.is_(None),
        )
        .scalar_subquery()
    )
    return db.session.execute(
        db.select(Delegation, members)
        .where(
            visible_to(user),
            Delegation.archived_at.is_(None),
            Delegation.status.in_(LIVE_STATES),
            Delegation.start_on <= today + timedelta(days=days),
            Delegation.end_on >= today,
        )
        .order_by(Delegation.start_on, Delegation.code)
    ).all()


def person_search(user, text: str, limit: int = 200) -> list[DelegationMember]:
    """Members found by passport number (users who may see it) or by name, diacritics ignored."""
    text = (text or "").strip()
    if not text:
        return []
    conditions = [DelegationMember.name_folded.contains(fold(text), autoescape=True)]
    if rules.see_personal_data.allows(user):
        conditions.append(DelegationMember.passport_number == normalize_passport(text))
    return db.session.scalars(
        db.select(DelegationMember)
        .join(Delegation, DelegationMember.delegation_id == Delegation.id)
        .options(contains_eager(DelegationMember.delegation))
        .where(
            db.or_(*conditions),
            DelegationMember.archived_at.is_(None),
            visible_to(user),
            Delegation.archived_at.is_(None),
        )
        .order_by(DelegationMember.name_folded, Delegation.start_on.desc())
        .limit(limit)
    ).all()


@dataclass
class Inbox:
    to_receive: list = field(default_factory=list)  # foreign affairs
    to_review: list = field(default_factory=list)  # the user's agency's review missing
    to_approve: list = field(default_factory=list)  # foreign affairs: both reviews in
    permits_needed: list = field(default_factory=list)  # police
    reports_overdue: list = field(default_factory=list)  # the author agency


def inbox(user, today: date | None = None, limit: int = 100) -> Inbox:
    today = today or today_vn()
    kind = user.agency.kind
    box = Inbox()
    live = Delegation.archived_at.is_(None)

    def fetch(*conditions):
        return db.session.scalars(
            db.select(Delegation)
            .options(selectinload(Delegation.reviews))
            .where(live, *conditions)
            .order_by(Delegation.start_on, Delegation.id)
            .limit(limit)
        ).all()

    def without_review(reviewer):
        return (
            ~db.select(Review.id)
            .where(Review.delegation_id == Delegation.id, Review.reviewer_kind == reviewer)
            .exists()
        )

    if rules.review_foreign_affairs.allows(user):
        box.to_receive = fetch(Delegation.status == "da_gui")
        box.to_review = fetch(
            Delegation.status == "dang_xem_xet", without_review("foreign_affairs")
        )
        box.to_approve = [
            d
            for d in fetch(Delegation.status == "dang_xem_xet")
            if workflow._ready_to_approve(d) is None
        ]
    if rules.review_police.allows(user):
        box.to_review = fetch(Delegation.status == "dang_xem_xet", without_review("police"))
        box.permits_needed = fetch(*_border_without_permit())
    if rules.create_delegation.allows(user) and kind != "police":
        mine = [] if kind == "foreign_affairs" else [Delegation.author_agency_id == user.agency_id]
        box.reports_overdue = fetch(
            Delegation.status == "da_duyet", Delegation.report_due_on < today, *mine
        )
    return box


def _border_without_permit():
    permit = db.select(BorderPermit.id).where(
        BorderPermit.delegation_id == Delegation.id,
        BorderPermit.archived_at.is_(None),
        BorderPermit.valid_from <= Delegation.start_on,
        BorderPermit.valid_to >= Delegation.end_on,
    )
    return (
        Delegation.is_border_area.is_(True),
        Delegation.status.in_(("dang_xem_xet", "da_duyet")),
        ~permit.exists(),
    )


def alerts(user, today: date | None = None, limit: int = 50) -> dict[str, list]:
    """Border visits without a permit, reports overdue, passports expiring before the end."""
    today = today or today_vn()
    visible = db.and_(visible_to(user), Delegation.archived_at.is_(None))
    no_permit = db.session.scalars(
        db.select(Delegation)
        .where(visible, *_border_without_permit())
        .order_by(Delegation.start_on)
        .limit(limit)
    ).all()
    overdue = db.session.scalars(
        db.select(Delegation)
        .where(visible, Delegation.status == "da_duyet", Delegation.report_due_on < today)
        .order_by(Delegation.report_due_on)
        .limit(limit)
    ).all()
    expiring = db.session.execute(
        db.select(Delegation, db.func.count(DelegationMember.id))
        .join(DelegationMember, DelegationMember.delegation_id == Delegation.id)
        .where(
            visible,
            Delegation.status.in_(LIVE_STATES),
            Delegation.end_on >= today,
            DelegationMember.archived_at.is_(None),
            DelegationMember.passport_expiry < Delegation.end_on,
        )
        .group_by(Delegation.id)
        .order_by(Delegation.start_on)
        .limit(limit)
    ).all()
    return {"no_permit": no_permit, "reports_overdue": overdue, "passports_expiring": expiring}


def inbox_counts(user) -> list[tuple[str, int, str]]:
    """What waits for this user about delegations, for the home page."""
    from flask import url_for

    box = inbox(user)
    url = url_for("delegations.inbox")
    return [
        ("Hồ sơ đoàn cần tiếp nhận", len(box.to_receive), url),
        ("Hồ sơ đoàn cần cho ý kiến", len(box.to_review), url),
        ("Hồ sơ đoàn đủ điều kiện phê duyệt", len(box.to_approve), url),
        ("Đoàn vào khu vực biên giới chưa có giấy phép", len(box.permits_needed), url),
        ("Đoàn chậm báo cáo kết quả", len(box.reports_overdue), url),
    ]
