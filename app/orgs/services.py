"""Use cases for donor organisations. Services flush; the view commits once."""

import re

import pycountry

from app.core import audit
from app.core.concurrency import check_version
from app.core.errors import DomainError, FieldError
from app.core.models import utcnow
from app.extensions import db
from app.orgs.models import CertificateStatus, CertificateType, Organization, OrgKind

ORG_FIELDS = (
    "code",
    "name",
    "name_vi",
    "kind",
    "country",
    "certificate_type",
    "certificate_number",
    "certificate_issued_on",
    "certificate_expires_on",
    "certificate_status",
    "registered_fields",
    "registered_areas",
    "representative",
    "address",
    "email",
    "phone",
    "website",
    "notes",
)
REQUIRED_FIELDS = {
    "code": "Vui lòng nhập mã tổ chức.",
    "name": "Vui lòng nhập tên tổ chức.",
    "kind": "Vui lòng chọn loại tổ chức.",
    "country": "Vui lòng chọn quốc gia.",
}
CODE_RE = re.compile(r"[A-Z0-9._/-]+")
CODED_FIELDS = {
    "kind": (OrgKind, "Loại tổ chức không hợp lệ."),
    "certificate_type": (CertificateType, "Loại giấy đăng ký không hợp lệ."),
    "certificate_status": (CertificateStatus, "Tình trạng giấy đăng ký không hợp lệ."),
}


def normalize_code(code: str | None) -> str:
    """Organisation codes are stored stripped and upper-case (" abc-1 " -> "ABC-1")."""
    return (code or "").strip().upper()


def _clean(data: dict) -> dict:
    """Every field of ORG_FIELDS: text stripped, empty text as None, code upper-case.

    Raises FieldError for a rule on one field's value (so the form shows it next to it).
    """
    cleaned = {}
    for field in ORG_FIELDS:
        value = data.get(field)
        if isinstance(value, str):
            value = value.strip() or None
        cleaned[field] = value
    if cleaned["code"]:
        cleaned["code"] = normalize_code(cleaned["code"])
    if cleaned["country"]:
        cleaned["country"] = cleaned["country"].upper()
    for field, message in REQUIRED_FIELDS.items():
        if not cleaned[field]:
            raise FieldError(field, message)
    if not CODE_RE.fullmatch(cleaned["code"]):
        raise FieldError("code", "Chỉ dùng chữ cái không dấu, chữ số và các ký tự - _ . /")
    for field, (enum_class, message) in CODED_FIELDS.items():
        value = cleaned[field]
        if value is not None:
            if value not in enum_class.labels():
                raise FieldError(field, message)
            cleaned[field] = enum_class(value)
    if pycountry.countries.get(alpha_2=cleaned["country"]) is None:
        raise FieldError("country", "Quốc gia không hợp lệ.")
    issued, expires = cleaned["certificate_issued_on"], cleaned["certificate_expires_on"]
    if issued and expires and expires < issued:
        raise FieldError("certificate_expires_on", "Ngày hết hạn không được trước ngày cấp.")
    return cleaned


def _code_taken(code: str, except_id: int | None = None) -> bool:
    query = db.select(Organization.id).where(Organization.code == code)
    if except_id is not None:
        query = query.where(Organization.id != except_id)
    return db.session.scalar(query) is not None


def _duplicate_code(code: str) -> FieldError:
    return FieldError("code", f"Mã tổ chức '{code}' đã được dùng cho một tổ chức khác.")


def create_organization(data: dict) -> Organization:
    cleaned = _clean(data)
    if _code_taken(cleaned["code"]):
        raise _duplicate_code(cleaned["code"])
    org = Organization(**cleaned)
    db.session.add(org)
    db.session.flush()
    audit.record(
        "organization.create",
        org,
        summary=f"Tạo tổ chức {org.code} – {org.name}",
        changes=audit.diff({}, audit.snapshot(org, ORG_FIELDS)),
    )
    return org


def update_organization(org: Organization, data: dict, version: int | None) -> Organization:
    check_version(org, version)
    if org.is_archived:
        raise DomainError("Tổ chức đã được lưu trữ; hãy khôi phục trước khi sửa.")
    cleaned = _clean(data)
    if _code_taken(cleaned["code"], except_id=org.id):
        raise _duplicate_code(cleaned["code"])
    before = audit.snapshot(org, ORG_FIELDS)
    for field, value in cleaned.items():
        setattr(org, field, value)
    changes = audit.diff(before, audit.snapshot(org, ORG_FIELDS))
    if changes:
        db.session.flush()
        audit.record("organization.update", org, summary=f"Sửa tổ chức {org.code}", changes=changes)
    return org


def archive_organization(org: Organization, reason: str) -> Organization:
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Vui lòng nhập lý do lưu trữ.")
    if org.is_archived:
        raise DomainError("Tổ chức này đã được lưu trữ.")
    org.archived_at = utcnow()
    org.archive_reason = reason[:500]
    db.session.flush()
    audit.record(
        "organization.archive",
        org,
        summary=f"Lưu trữ tổ chức {org.code}: {reason}",
        changes={"archive_reason": [None, org.archive_reason]},
    )
    return org


def restore_organization(org: Organization) -> Organization:
    if not org.is_archived:
        raise DomainError("Tổ chức này không ở trạng thái lưu trữ.")
    old_reason = org.archive_reason
    org.archived_at = None
    org.archive_reason = None
    db.session.flush()
    audit.record(
        "organization.restore",
        org,
        summary=f"Khôi phục tổ chức {org.code}",
        changes={"archive_reason": [old_reason, None]},
    )
    return org
