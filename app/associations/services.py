"""Use cases of friendship associations: the association, its yearly member counts and its
activity log. Services check the rule (403), then every broken rule on the data at once
(422, next to each field), then the state (409); they audit with AssociationAudit and only
flush: the view commits once."""

import re
from decimal import Decimal

import pycountry

from app.aid.models import AidItem
from app.associations.models import (
    Association,
    AssociationActivity,
    AssociationActivityCountry,
    AssociationCountry,
    AssociationMemberCount,
)
from app.associations.states import ActivityKind, AssociationAudit, AssociationStatus
from app.core import audit
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.dates import today_vn
from app.core.errors import DomainError, FieldError
from app.core.models import sync_children, utcnow
from app.core.validation import collect, not_before, not_future, raise_all
from app.delegations.models import Delegation
from app.extensions import db

ASSOCIATION_FIELDS = (
    "code",
    "name",
    "name_vi",
    "founding_decision_number",
    "founding_decision_date",
    "leaders",
    "address",
    "phone",
    "email",
    "status",
    "union_member",
    "union_joined_on",
    "notes",
)
# What the association's form sends: the columns, then the partner countries (a list).
FORM_FIELDS = (*ASSOCIATION_FIELDS, "countries")
ACTIVITY_FIELDS = ("held_on", "kind", "title", "partners", "participants", "funds_vnd", "notes")
# What the activity's form sends: the columns, the countries, and the linked records by code.
ACTIVITY_FORM_FIELDS = (*ACTIVITY_FIELDS, "countries", "delegation_code", "aid_item_code")

CODE_RE = re.compile(r"[A-Z0-9._/-]+")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
EARLIEST_YEAR = 1900
VND_LIMIT = 10**15  # funds of one activity: more is a typing mistake
MAX_COUNT = 10**7  # members or participants: more is a typing mistake


def _require_manager(user) -> None:
    rules.manage_associations.require(user)


def _text(value):
    if isinstance(value, str):
        return value.strip() or None
    return value


def _countries(values, errors: dict) -> list[str]:
    """Alpha-2 codes, upper-case, each once, in the order given; an unknown code is an
    error next to the countries field."""
    codes: list[str] = []
    for value in values or []:
        code = (value or "").strip().upper()
        if not code:
            continue
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            errors.setdefault("countries", f"Quốc gia không hợp lệ: {code}.")
            continue
        if code not in codes:
            codes.append(code)
    return codes


def _coded(enum_class, value, field: str, missing: str, invalid: str, errors: dict):
    if not value:
        errors.setdefault(field, missing)
        return None
    if value not in enum_class.labels():
        errors.setdefault(field, invalid)
        return None
    return enum_class(value)


# --- The association ---------------------------------------------------------------------


def normalize_code(code: str | None) -> str:
    return (code or "").strip().upper()


def _clean_association(data: dict) -> tuple[dict, list[str]]:
    """(columns, partner countries) from the form's data; every broken rule at once."""
    cleaned = {field: _text(data.get(field)) for field in ASSOCIATION_FIELDS}
    cleaned["code"] = normalize_code(cleaned["code"]) or None
    cleaned["union_member"] = bool(data.get("union_member"))
    errors: dict[str, str] = {}
    if not cleaned["code"]:
        errors["code"] = "Vui lòng nhập mã hội."
    elif not CODE_RE.fullmatch(cleaned["code"]) or len(cleaned["code"]) > 40:
        errors["code"] = "Chỉ dùng chữ cái không dấu, chữ số và các ký tự - _ . / (tối đa 40)."
    if not cleaned["name"]:
        errors["name"] = "Vui lòng nhập tên hội."
    cleaned["status"] = _coded(
        AssociationStatus,
        cleaned["status"],
        "status",
        "Vui lòng chọn tình trạng hoạt động.",
        "Tình trạng hoạt động không hợp lệ.",
        errors,
    )
    if cleaned["email"] and not EMAIL_RE.fullmatch(cleaned["email"]):
        errors["email"] = "Địa chỉ thư điện tử không hợp lệ."
    founded, joined = cleaned["founding_decision_date"], cleaned["union_joined_on"]
    if joined and not cleaned["union_member"]:
        errors["union_joined_on"] = (
            "Chỉ ghi ngày gia nhập khi hội là thành viên Liên hiệp các tổ chức hữu nghị tỉnh."
        )
    errors.update(
        {
            k: v
            for k, v in collect(
                (not_future, founded, "founding_decision_date", "Ngày quyết định thành lập"),
                (not_future, joined, "union_joined_on", "Ngày gia nhập Liên hiệp"),
                (
                    not_before,
                    joined,
                    founded,
                    "union_joined_on",
                    "Ngày gia nhập Liên hiệp",
                    "ngày quyết định thành lập",
                ),
            ).items()
            if k not in errors
        }
    )
    countries = _countries(data.get("countries"), errors)
    raise_all(errors)
    return cleaned, countries


def _code_taken(code: str, except_id: int | None = None) -> bool:
    query = db.select(Association.id).where(Association.code == code)
    if except_id is not None:
        query = query.where(Association.id != except_id)
    return db.session.scalar(query) is not None


def _duplicate_code(code: str) -> FieldError:
    return FieldError("code", f"Mã hội '{code}' đã được dùng cho một hội khác.")


def _snapshot(association: Association) -> dict:
    return audit.snapshot(association, ASSOCIATION_FIELDS) | {"countries": association.countries}


def _set_countries(record, model, codes: list[str]) -> None:
    record.country_rows = sync_children(
        record.country_rows, "country", model, [{"country": code} for code in codes]
    )


def _audited(record, action: str, user, summary: str, changes: dict | None):
    db.session.flush()
    audit.record(action, record, user=user, summary=summary, changes=changes)
    return record


def create_association(data: dict, *, user) -> Association:
    """A new association with its partner countries."""
    _require_manager(user)
    cleaned, countries = _clean_association(data)
    if _code_taken(cleaned["code"]):
        raise _duplicate_code(cleaned["code"])
    association = Association(**cleaned)
    _set_countries(association, AssociationCountry, countries)
    db.session.add(association)
    changes = audit.diff({"countries": []}, _snapshot(association))
    summary = f"Tạo hội {association.code} – {association.name}"
    return _audited(association, AssociationAudit.CREATE, user, summary, changes)


def _editable(association: Association) -> None:
    if association.is_archived:
        raise DomainError("Hội đã được lưu trữ; hãy khôi phục trước khi sửa.")


def update_association(
    association: Association, data: dict, *, user, version: int | None = None
) -> Association:
    """Save the edit form; the version is required (the form always sends it)."""
    _require_manager(user)
    check_version(association, version)
    _editable(association)
    cleaned, countries = _clean_association(data)
    if _code_taken(cleaned["code"], except_id=association.id):
        raise _duplicate_code(cleaned["code"])
    before = _snapshot(association)
    for field, value in cleaned.items():
        setattr(association, field, value)
    _set_countries(association, AssociationCountry, countries)
    changes = audit.diff(before, _snapshot(association))
    if changes:
        if set(changes) == {"countries"}:
            association.updated_at = utcnow()  # a countries-only change bumps the version
        summary = f"Sửa hội {association.code}"
        _audited(association, AssociationAudit.UPDATE, user, summary, changes)
    return association


def archive_association(
    association: Association, reason: str, *, user, version: int | None = None
) -> Association:
    """Archive (never delete) with a reason; a stale page (its version given) is refused."""
    _require_manager(user)
    if version is not None:
        check_version(association, version)
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Vui lòng nhập lý do lưu trữ.")
    if association.is_archived:
        raise DomainError("Hội này đã được lưu trữ.")
    association.archived_at = utcnow()
    association.archive_reason = reason[:500]
    changes = {"archive_reason": [None, association.archive_reason]}
    summary = f"Lưu trữ hội {association.code}: {reason}"
    return _audited(association, AssociationAudit.ARCHIVE, user, summary, changes)


def restore_association(
    association: Association, *, user, version: int | None = None
) -> Association:
    _require_manager(user)
    if version is not None:
        check_version(association, version)
    if not association.is_archived:
        raise DomainError("Hội này không ở trạng thái lưu trữ.")
    changes = {"archive_reason": [association.archive_reason, None]}
    association.archived_at = None
    association.archive_reason = None
    summary = f"Khôi phục hội {association.code}"
    return _audited(association, AssociationAudit.RESTORE, user, summary, changes)


# --- Member counts -----------------------------------------------------------------------


def set_member_count(
    association: Association, year: int | None, count: int | None, *, user
) -> AssociationMemberCount:
    """The number of members for a year: added, or the year's figure replaced (audited
    old → new). One row per association and year."""
    _require_manager(user)
    errors: dict[str, str] = {}
    last_year = today_vn().year
    if year is None:
        errors["year"] = "Vui lòng nhập năm."
    elif not EARLIEST_YEAR <= year <= last_year:
        errors["year"] = f"Năm phải từ {EARLIEST_YEAR} đến {last_year}."
    if count is None:
        errors["count"] = "Vui lòng nhập số hội viên."
    elif not 0 <= count < MAX_COUNT:
        errors["count"] = "Số hội viên phải là số nguyên không âm."
    raise_all(errors)
    _editable(association)
    row = db.session.scalar(
        db.select(AssociationMemberCount).where(
            AssociationMemberCount.association_id == association.id,
            AssociationMemberCount.year == year,
        )
    )
    old = row.count if row is not None else None
    if row is None:
        row = AssociationMemberCount(association_id=association.id, year=year, count=count)
        db.session.add(row)
    row.count = count
    db.session.flush()
    audit.record(
        AssociationAudit.MEMBER_COUNT,
        association,
        user=user,
        summary=f"Số hội viên năm {year} của hội {association.code}: {count}",
        changes={f"member_count_{year}": [old, count]},
    )
    return row


# --- Activities ----------------------------------------------------------------------------


def _linked(model, code: str | None, field: str, what: str, errors: dict, visible=None):
    """The record of `model` with this code (upper-cased), or None; an unknown code (or one
    the user may not see) is an error next to `field`."""
    code = normalize_code(code)
    if not code:
        return None
    record = db.session.scalar(db.select(model).where(model.code == code))
    if record is None or (visible is not None and not visible(record)):
        errors.setdefault(field, f"Không có {what} mã {code}.")
        return None
    return record


def _clean_activity(data: dict, user) -> tuple[dict, list[str]]:
    cleaned = {field: _text(data.get(field)) for field in ACTIVITY_FIELDS}
    errors: dict[str, str] = {}
    if cleaned["held_on"] is None:
        errors["held_on"] = "Vui lòng nhập ngày hoạt động."
    elif cleaned["held_on"].year < EARLIEST_YEAR:
        errors["held_on"] = f"Ngày hoạt động không hợp lệ (trước năm {EARLIEST_YEAR})."
    cleaned["kind"] = _coded(
        ActivityKind,
        cleaned["kind"],
        "kind",
        "Vui lòng chọn loại hoạt động.",
        "Loại hoạt động không hợp lệ.",
        errors,
    )
    if not cleaned["title"]:
        errors["title"] = "Vui lòng nhập tên, nội dung hoạt động."
    participants = cleaned["participants"]
    if participants is not None and not 0 <= participants < MAX_COUNT:
        errors["participants"] = "Số người tham gia phải là số nguyên không âm."
    funds = cleaned["funds_vnd"]
    if funds is not None:
        funds = Decimal(funds)
        if funds < 0:
            errors["funds_vnd"] = "Kinh phí không được âm."
        elif funds != funds.to_integral_value():
            errors["funds_vnd"] = "Kinh phí tính bằng đồng, không có phần lẻ."
        elif funds >= VND_LIMIT:
            errors["funds_vnd"] = "Kinh phí quá lớn, hãy kiểm tra lại."
        cleaned["funds_vnd"] = funds
    delegation = _linked(
        Delegation,
        data.get("delegation_code"),
        "delegation_code",
        "đoàn",
        errors,
        visible=lambda d: rules.read_delegations.allows(user, d),
    )
    aid_item = _linked(
        AidItem, data.get("aid_item_code"), "aid_item_code", "khoản viện trợ", errors
    )
    cleaned["delegation_id"] = delegation.id if delegation else None
    cleaned["aid_item_id"] = aid_item.id if aid_item else None
    countries = _countries(data.get("countries"), errors)
    raise_all(errors)
    return cleaned, countries


STORED_ACTIVITY_FIELDS = (*ACTIVITY_FIELDS, "delegation_id", "aid_item_id")


def _activity_snapshot(activity: AssociationActivity) -> dict:
    return audit.snapshot(activity, STORED_ACTIVITY_FIELDS) | {"countries": activity.countries}


def _activity_audited(activity, action: str, user, summary: str, changes: dict | None):
    """Activities are audited under their own table; the summary names the association."""
    db.session.flush()
    audit.record(action, activity, user=user, summary=summary, changes=changes)
    return activity


def add_activity(association: Association, data: dict, *, user) -> AssociationActivity:
    """A new activity in the association's log."""
    _require_manager(user)
    cleaned, countries = _clean_activity(data, user)
    _editable(association)
    activity = AssociationActivity(association=association, **cleaned)
    _set_countries(activity, AssociationActivityCountry, countries)
    db.session.add(activity)
    changes = audit.diff({"countries": []}, _activity_snapshot(activity))
    summary = f"Thêm hoạt động của hội {association.code}: {activity.title}"
    return _activity_audited(activity, AssociationAudit.ACTIVITY_ADD, user, summary, changes)


def update_activity(
    activity: AssociationActivity, data: dict, *, user, version: int | None = None
) -> AssociationActivity:
    _require_manager(user)
    check_version(activity, version)
    if activity.is_archived:
        raise DomainError("Hoạt động đã được lưu trữ, không sửa được.")
    _editable(activity.association)
    cleaned, countries = _clean_activity(data, user)
    before = _activity_snapshot(activity)
    for field, value in cleaned.items():
        setattr(activity, field, value)
    _set_countries(activity, AssociationActivityCountry, countries)
    changes = audit.diff(before, _activity_snapshot(activity))
    if changes:
        if set(changes) == {"countries"}:
            activity.updated_at = utcnow()  # a countries-only change bumps the version
        summary = f"Sửa hoạt động của hội {activity.association.code}: {activity.title}"
        _activity_audited(activity, AssociationAudit.ACTIVITY_UPDATE, user, summary, changes)
    return activity


def archive_activity(
    activity: AssociationActivity, reason: str, *, user, version: int | None = None
) -> AssociationActivity:
    _require_manager(user)
    if version is not None:
        check_version(activity, version)
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Vui lòng nhập lý do lưu trữ.")
    if activity.is_archived:
        raise DomainError("Hoạt động này đã được lưu trữ.")
    activity.archived_at = utcnow()
    activity.archive_reason = reason[:500]
    changes = {"archive_reason": [None, activity.archive_reason]}
    summary = f"Lưu trữ hoạt động của hội {activity.association.code}: {reason}"
    return _activity_audited(activity, AssociationAudit.ACTIVITY_ARCHIVE, user, summary, changes)
