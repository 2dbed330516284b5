"""Use cases for donor organisations. Services flush; the view commits once."""

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import lru_cache

import pycountry
import sqlalchemy as sa

from app.aid.models import AidDonor, AidItem, Disbursement, Sector
from app.aid.states import APPROVED_OR_LATER, AidStatus
from app.core import audit
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.countries import country_choices, country_name
from app.core.errors import DomainError, FieldError
from app.core.listing import apply_sort
from app.core.models import utcnow
from app.core.text import fold, search_condition
from app.extensions import db
from app.orgs.forms import OrganizationForm
from app.orgs.models import (
    CERTIFICATE_WARNING_DAYS,
    CertificateStatus,
    CertificateType,
    Organization,
    OrgAudit,
    OrgKind,
)
from app.orgs.scope import SCOPE_FIELDS, apply_scope, clean_scope, provinces, scope_snapshot

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
# What the organisation's form sends: the columns, then the certificate's scope (lists).
FORM_FIELDS = (*ORG_FIELDS, *SCOPE_FIELDS)
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


def _require_manager(user) -> None:
    rules.manage_organizations.require(user)


def _audited(org: Organization, action: str, user, summary: str, changes: dict) -> Organization:
    """The change flushed and its audit entry added (committed together by the view)."""
    db.session.flush()
    audit.record(action, org, user=user, summary=summary, changes=changes)
    return org


def _snapshot(org: Organization) -> dict:
    return audit.snapshot(org, ORG_FIELDS) | scope_snapshot(org)


def create_organization(data: dict, *, user) -> Organization:
    """A new organisation; `data` may carry the certificate's provinces and fields."""
    _require_manager(user)
    cleaned = _clean(data)
    scope = clean_scope(data)
    if _code_taken(cleaned["code"]):
        raise _duplicate_code(cleaned["code"])
    org = Organization(**cleaned)
    apply_scope(org, scope)
    db.session.add(org)
    summary = f"Tạo tổ chức {org.code} – {org.name}"
    empty = {"certificate_provinces": [], "certificate_fields": []}
    changes = audit.diff(empty, _snapshot(org))
    return _audited(org, OrgAudit.CREATE, user, summary, changes)


def update_organization(
    org: Organization, data: dict, *, user, version: int | None = None
) -> Organization:
    """Save the edit form; the version is required (the form always sends it). The
    certificate's provinces / fields change only when `data` has them."""
    _require_manager(user)
    check_version(org, version)
    if org.is_archived:
        raise DomainError("Tổ chức đã được lưu trữ; hãy khôi phục trước khi sửa.")
    cleaned = _clean(data)
    scope = clean_scope(data)
    if _code_taken(cleaned["code"], except_id=org.id):
        raise _duplicate_code(cleaned["code"])
    before = _snapshot(org)
    for field, value in cleaned.items():
        setattr(org, field, value)
    apply_scope(org, scope)
    changes = audit.diff(before, _snapshot(org))
    if changes:
        _audited(org, OrgAudit.UPDATE, user, f"Sửa tổ chức {org.code}", changes)
    return org


def archive_organization(
    org: Organization, reason: str, *, user, version: int | None = None
) -> Organization:
    """Archive (never delete) with a reason; a stale page (its version given) is refused."""
    _require_manager(user)
    if version is not None:
        check_version(org, version)
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Vui lòng nhập lý do lưu trữ.")
    if org.is_archived:
        raise DomainError("Tổ chức này đã được lưu trữ.")
    org.archived_at = utcnow()
    org.archive_reason = reason[:500]
    changes = {"archive_reason": [None, org.archive_reason]}
    return _audited(org, OrgAudit.ARCHIVE, user, f"Lưu trữ tổ chức {org.code}: {reason}", changes)


def restore_organization(org: Organization, *, user, version: int | None = None) -> Organization:
    _require_manager(user)
    if version is not None:
        check_version(org, version)
    if not org.is_archived:
        raise DomainError("Tổ chức này không ở trạng thái lưu trữ.")
    old_reason = org.archive_reason
    org.archived_at = None
    org.archive_reason = None
    changes = {"archive_reason": [old_reason, None]}
    return _audited(org, OrgAudit.RESTORE, user, f"Khôi phục tổ chức {org.code}", changes)


# --- The list, its export and the profile's figures -------------------------------


def _country_order():
    """Countries sorted by their Vietnamese names (Vietnam first), as the pickers list them."""
    positions = {code: i for i, (code, _name) in enumerate(country_choices())}
    return sa.case(positions, value=Organization.country, else_=len(positions))


@lru_cache(maxsize=1)
def _sorts() -> dict:
    """The list's orders, made at the first list rather than at start-up (the countries'
    order reads pycountry and Babel's names: ~30 ms of `flask --help`, issue 15 item 7)."""
    return {
        "code": Organization.code,
        "name": Organization.name,
        "country": _country_order(),
        "expiry": Organization.certificate_expires_on,
    }


@dataclass
class OrgFilters:
    """The list's filters, cleaned: unknown values are dropped, never an error."""

    q: str = ""
    kind: str = ""
    country: str = ""
    status: str = ""
    cert: str = ""  # "warning": expired or expiring within CERTIFICATE_WARNING_DAYS
    archived: bool = False
    sort: str = ""

    @classmethod
    def from_args(cls, args) -> "OrgFilters":
        kind, status, cert = args.get("kind", ""), args.get("status", ""), args.get("cert", "")
        return cls(
            q=args.get("q", "").strip(),
            kind=kind if kind in OrgKind.labels() else "",
            country=args.get("country", "").strip().upper(),
            status=status if status in CertificateStatus.labels() else "",
            cert=cert if cert == "warning" else "",
            archived=args.get("archived", "") == "1",
        )

    def items(self):
        """(name, value) pairs, as a summary of the filters lists them."""
        return asdict(self).items()


def organizations_query(filters: OrgFilters, today: date):
    """The organisations matching the filters, sorted (?sort=); shared by list and export.
    Sets `filters.sort` to the sort applied."""
    query = db.select(Organization)
    if (matches := search_condition(Organization.search_text, filters.q)) is not None:
        query = query.where(matches)
    if filters.kind:
        query = query.where(Organization.kind == OrgKind(filters.kind))
    if filters.country:
        query = query.where(Organization.country == filters.country)
    if filters.status:
        query = query.where(Organization.certificate_status == CertificateStatus(filters.status))
    if filters.cert:
        limit = today + timedelta(days=CERTIFICATE_WARNING_DAYS)
        query = query.where(
            Organization.certificate_expires_on.is_not(None),
            Organization.certificate_expires_on <= limit,
        )
    if not filters.archived:
        query = query.where(Organization.archived_at.is_(None))
    query, filters.sort = apply_sort(query, _sorts(), "name")
    return query.order_by(Organization.id)


def countries_in_use() -> list[tuple[str, str]]:
    """(code, Vietnamese name) of the countries organisations are from, by name."""
    used = db.session.scalars(db.select(Organization.country).distinct()).all()
    return sorted(((code, country_name(code)) for code in used), key=lambda pair: fold(pair[1]))


def filtered_organizations(args, today: date):
    """(select, filters) for the list's query string; the export calls this too."""
    filters = OrgFilters.from_args(args)
    return organizations_query(filters, today), filters


# The export columns: the keys and Vietnamese labels of sheet ToChuc (spec/interchange.md),
# then the other fields of an organisation.
EXPORT_COLUMNS = (
    ("ma", "Mã tổ chức", lambda o: o.code),
    ("ten", "Tên tổ chức", lambda o: o.name),
    ("ten_viet", "Tên tiếng Việt", lambda o: o.name_vi),
    ("loai", "Loại tổ chức", lambda o: OrgKind(o.kind).label),
    ("quoc_gia", "Quốc gia", lambda o: country_name(o.country)),
    (
        "loai_giay",
        "Loại giấy đăng ký",
        lambda o: CertificateType(o.certificate_type).label if o.certificate_type else None,
    ),
    ("so_giay", "Số giấy đăng ký", lambda o: o.certificate_number),
    ("ngay_cap", "Ngày cấp", lambda o: o.certificate_issued_on),
    ("ngay_het_han", "Ngày hết hạn", lambda o: o.certificate_expires_on),
    (
        "tinh_trang_giay",
        "Tình trạng giấy đăng ký",
        lambda o: CertificateStatus(o.certificate_status).label if o.certificate_status else None,
    ),
    ("linh_vuc_dang_ky", "Lĩnh vực hoạt động đăng ký", lambda o: o.registered_fields),
    # The certificate's scope (codes in the registry), by names; labels of the org form.
    (
        "tinh_duoc_phep",
        OrganizationForm.certificate_provinces.args[0],
        lambda o: "; ".join(provinces().get(code, code) for code in o.certificate_provinces),
    ),
    (
        "linh_vuc_duoc_phep",
        OrganizationForm.certificate_fields.args[0],
        lambda o: "; ".join(Sector(key).label for key in o.certificate_fields),
    ),
    ("dia_ban_dang_ky", "Địa bàn hoạt động đăng ký", lambda o: o.registered_areas),
    ("nguoi_dai_dien", "Người đại diện", lambda o: o.representative),
    ("dia_chi", "Địa chỉ", lambda o: o.address),
    ("email", "Thư điện tử", lambda o: o.email),
    ("dien_thoai", "Điện thoại", lambda o: o.phone),
    ("website", "Trang web", lambda o: o.website),
    ("ghi_chu", "Ghi chú", lambda o: o.notes),
    ("luu_tru", "Lý do lưu trữ", lambda o: o.archive_reason),
)


def aid_rows(org: Organization) -> list[dict]:
    """The organisation's aid items (as main donor or co-donor), in one query of columns.

    The items are picked by id from a UNION of two index searches (its donor rows, the items
    it is main donor of): an OR over a LEFT JOIN scanned every item (issue 15)."""
    donor = sa.orm.aliased(AidDonor)
    ids = sa.union(
        db.select(AidDonor.aid_item_id).where(AidDonor.organization_id == org.id),
        db.select(AidItem.id).where(AidItem.main_donor_id == org.id),
    )
    query = (
        db.select(
            AidItem.id,
            AidItem.code,
            AidItem.name,
            AidItem.status,
            AidItem.value_vnd,
            AidItem.main_donor_id,
            donor.position,
        )
        .outerjoin(donor, sa.and_(donor.aid_item_id == AidItem.id, donor.organization_id == org.id))
        .where(AidItem.id.in_(ids), AidItem.archived_at.is_(None))
        .order_by(AidItem.code)
    )
    return [
        {
            "id": row.id,
            "code": row.code,
            "name": row.name,
            "status_label": AidStatus(row.status).label,
            "value_vnd": row.value_vnd,
            "is_main": row.main_donor_id == org.id or row.position == 0,
        }
        for row in db.session.execute(query)
    ]


def totals(org: Organization) -> tuple[int, int]:
    """(approved value, disbursed value) in VND of the items the org is main donor of."""
    approved = (
        db.select(sa.func.coalesce(sa.func.sum(AidItem.value_vnd), 0))
        .where(
            AidItem.main_donor_id == org.id,
            AidItem.status.in_(APPROVED_OR_LATER),
            AidItem.archived_at.is_(None),
        )
        .scalar_subquery()
    )
    disbursed = (
        db.select(sa.func.coalesce(sa.func.sum(Disbursement.value_vnd), 0))
        .join(AidItem, Disbursement.aid_item_id == AidItem.id)
        .where(
            AidItem.main_donor_id == org.id,
            AidItem.archived_at.is_(None),
            Disbursement.archived_at.is_(None),
        )
        .scalar_subquery()
    )
    row = db.session.execute(db.select(approved, disbursed)).one()
    return int(row[0] or 0), int(row[1] or 0)
