"""Writing a validated registry workbook: upsert by `ma`, replace listed children, audit.

`import_workbook()` reads and validates the whole file first; with any error it writes
nothing. Otherwise every sheet is written in the caller's transaction (the caller commits
once, or rolls back for a dry run, which therefore counts exactly what a real import
would do). Records enter the state the file gives, without the workflows' preconditions.
Re-importing the same file changes nothing: values are compared before anything is set.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from app.aid.models import AidDonor, AidItem, AidLocation, AidSector, Disbursement
from app.aid.services import VND_LIMIT
from app.auth.models import Agency
from app.core import audit
from app.core.dates import DateParseError, parse_date
from app.core.models import AuditEntry, Commune, sync_children, utcnow
from app.core.money import to_vnd
from app.core.text import fold
from app.delegations.models import Delegation, DelegationMember, ItineraryStop
from app.delegations.services import refresh_border_area
from app.extensions import db
from app.orgs.models import Organization
from app.transfer.reader import Issue, ReadResult, read_workbook, validate_cross_sheet
from app.transfer.schema import APPROVED_STATUSES, SHEETS

# sheet key -> model field, for the plain columns of each sheet.
ORG_FIELDS = {
    "ma": "code",
    "ten": "name",
    "ten_viet": "name_vi",
    "loai": "kind",
    "quoc_gia": "country",
    "loai_giay": "certificate_type",
    "so_giay": "certificate_number",
    "ngay_cap": "certificate_issued_on",
    "ngay_het_han": "certificate_expires_on",
    "tinh_trang_giay": "certificate_status",
    "linh_vuc_dang_ky": "registered_fields",
    "dia_ban_dang_ky": "registered_areas",
    "nguoi_dai_dien": "representative",
    "dia_chi": "address",
    "email": "email",
    "dien_thoai": "phone",
    "website": "website",
    "ghi_chu": "notes",
}
ITEM_FIELDS = {
    "ma": "code",
    "ten": "name",
    "hinh_thuc": "modality",
    "chu_khoan": "owner_name",
    "ngay_nhan_ho_so": "dossier_received_on",
    "trang_thai": "status",
    "so_quyet_dinh": "decision_number",
    "ngay_phe_duyet": "decision_date",
    "gia_tri": "value",
    "tien_te": "currency",
    "ty_gia": "rate_vnd",
    "ty_gia_usd": "rate_usd",
    "von_doi_ung": "counterpart_vnd",
    "ngay_bat_dau": "start_on",
    "ngay_ket_thuc": "end_on",
    "ten_tieng_anh": "name_en",
    "che_do": "regime",
    "co_quan_chu_quan": "governing_agency",
    "nguoi_ky": "decision_signer",
    "nguon_thu_nsnn": "is_budget_revenue",
    "ngay_ho_so_hop_le": "dossier_complete_on",
    "muc_tieu": "objectives",
    "noi_dung": "description",
    "doi_tuong": "beneficiaries",
    "dia_ban_cu": "legacy_location",
}
DELEGATION_FIELDS = {
    "ma": "code",
    "huong": "direction",
    "ten": "title",
    "tu_ngay": "start_on",
    "den_ngay": "end_on",
    "muc_dich": "purpose",
    "trang_thai": "status",
    "ben_cu_doan": "sending_party",
    "kinh_phi": "funding",
    "so_van_ban": "approval_number",
    "ngay_duyet": "approval_date",
    "nguoi_duyet": "approved_by",
    "lien_he": "contact",
    "ghi_chu": "notes",
}
DISBURSEMENT_FIELDS = {
    "ngay": "disbursed_on",
    "so_tien": "amount",
    "tien_te": "currency",
    "ty_gia": "rate_vnd",
    "ty_gia_usd": "rate_usd",
    "nguon": "source",
    "da_doi_chieu": "verified",
}
MEMBER_FIELDS = {
    "ho_ten": "full_name",
    "gioi_tinh": "sex",
    "ngay_sinh": "birth_date",
    "quoc_tich": "nationality",
    "so_ho_chieu": "passport_number",
    "loai_ho_chieu": "passport_type",
    "han_ho_chieu": "passport_expiry",
    "chuc_vu": "position",
    "co_quan": "organization_name",
    "truong_doan": "is_head",
}
BOOL_FIELDS = {"is_budget_revenue", "verified", "is_head"}
# Fields set from others (compared too, so the audit shows their real changes).
DERIVED = {"aid_item": ("value_vnd", "main_donor_id"), "delegation": ("is_border_area",)}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    replaced: int = 0  # existing rows archived because the file's rows replace them


@dataclass
class ImportReport:
    filename: str
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [
            f"{sheet}: {c.created} tạo mới, {c.updated} cập nhật, {c.unchanged} không đổi"
            + (f", {c.replaced} dòng cũ được thay thế" if c.replaced else "")
            for sheet, c in self.counts.items()
        ]
        return "; ".join(parts) or "không có dòng dữ liệu"


def _value(row, key):
    value = row.values.get(key)
    if key == "von_doi_ung" and value is not None:
        return int(value)
    return value


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return a is not None and b is not None and Decimal(a) == Decimal(b)
        except (InvalidOperation, TypeError):
            return False
    return a == b or (a is None and b is None)


class _Writer:
    def __init__(self, result: ReadResult, user, report: ImportReport):
        self.result = result
        self.user = user
        self.report = report
        self.audit_rows: list[dict] = []
        self.ip = audit.client_ip()
        self.org_ids: dict[str, int] = {}
        self.org_names: dict[int, str] = {}
        self.item_ids: dict[str, int] = {}
        self.delegation_ids: dict[str, int] = {}

    # -- helpers ------------------------------------------------------------------------

    def rows(self, sheet_key):
        return self.result.sheets.get(sheet_key, [])

    def counts(self, sheet_key) -> Counts:
        return self.report.counts.setdefault(sheet_key, Counts())

    def audit(self, action, object_type, object_id, summary, changes=None):
        self.audit_rows.append(
            {
                "at": utcnow(),
                "user_id": self.user.id if self.user else None,
                "username": self.user.username if self.user else "cli",
                "ip": self.ip,
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "summary": summary[:500],
                "changes": changes or None,
            }
        )

    def apply_fields(self, obj, row, mapping) -> None:
        """Set the present columns' values (only where they differ)."""
        for key, name in mapping.items():
            if key not in row.present:
                continue
            new = _value(row, key)
            if name in BOOL_FIELDS and new is None:
                new = False
            if not _same(getattr(obj, name), new):
                setattr(obj, name, new)

    def upsert(self, sheet_key, model, mapping, existing, make, after=None):
        """Create or update one record per row; `after(obj, row, created)` sets the rest."""
        counts = self.counts(sheet_key)
        fields = [*mapping.values(), *DERIVED.get(model.__tablename__, ())]
        touched = []
        for row in self.rows(sheet_key):
            code = row.values["ma"]
            obj = existing.get(code)
            created = obj is None
            if created:
                obj = make()
                db.session.add(obj)
                existing[code] = obj
            before = {} if created else {n: audit.plain(getattr(obj, n)) for n in fields}
            self.apply_fields(obj, row, mapping)
            extra = (after(obj, row, created) or {}) if after else {}
            changes = (
                {}
                if created
                else {
                    n: [before[n], audit.plain(getattr(obj, n))]
                    for n in fields
                    if not _same(before[n], audit.plain(getattr(obj, n)))
                }
            )
            changes.update(extra)
            touched.append((obj, created, changes))
        db.session.flush()
        for obj, created, changes in touched:
            if created:
                counts.created += 1
                self.audit(
                    f"{model.__tablename__}.import_create",
                    model.__tablename__,
                    obj.id,
                    f"Nhập từ tệp {self.report.filename}: tạo {obj.code}",
                )
            elif changes:
                counts.updated += 1
                self.audit(
                    f"{model.__tablename__}.import_update",
                    model.__tablename__,
                    obj.id,
                    f"Nhập từ tệp {self.report.filename}: cập nhật {obj.code}",
                    changes,
                )
            else:
                counts.unchanged += 1
        return existing

    # -- sheets -------------------------------------------------------------------------

    def organizations(self):
        codes = self.result.codes("ToChuc")
        existing = (
            {
                o.code: o
                for o in db.session.scalars(
                    sa.select(Organization).where(Organization.code.in_(codes))
                )
            }
            if codes
            else {}
        )
        self.upsert("ToChuc", Organization, ORG_FIELDS, existing, Organization)
        referenced = set()
        for row in self.rows("VienTro"):
            referenced.update(row.values.get("nha_tai_tro") or [])
        for row in self.rows("Doan"):
            if row.values.get("to_chuc"):
                referenced.add(row.values["to_chuc"])
        for org_id, code, name in db.session.execute(
            sa.select(Organization.id, Organization.code, Organization.name).where(
                Organization.code.in_(referenced | codes)
            )
        ):
            self.org_ids[code] = org_id
            self.org_names[org_id] = name

    def items(self):
        codes = self.result.codes("VienTro")
        existing = (
            {
                i.code: i
                for i in db.session.scalars(sa.select(AidItem).where(AidItem.code.in_(codes)))
            }
            if codes
            else {}
        )

        def after(item: AidItem, row, created):
            changes = {}
            if item.currency == "VND":
                item.rate_vnd = None
            if item.currency == "USD" and item.rate_usd is None:
                item.rate_usd = item.rate_vnd
            value_vnd = to_vnd(item.value, None if item.currency == "VND" else item.rate_vnd)
            if item.value_vnd != value_vnd:
                item.value_vnd = value_vnd
            if created:
                item.created_by_id = self.user.id if self.user else None
                item.regime = item.regime or "nd313_2025"
            if "nha_tai_tro" in row.present:
                donors = [self.org_ids[c] for c in row.values["nha_tai_tro"] or []]
                old = [d.organization_id for d in item.donors] if not created else []
                if old != donors:
                    item.donors = sync_children(
                        item.donors,
                        "organization_id",
                        AidDonor,
                        [
                            {"organization_id": org_id, "position": i}
                            for i, org_id in enumerate(donors)
                        ],
                    )
                    changes["donors"] = [old, donors]
                item.main_donor_id = donors[0] if donors else None
            if "linh_vuc" in row.present:
                sectors = [(k, s) for k, s in row.values["linh_vuc"] or []]
                old = [(s.sector, s.share) for s in item.sectors] if not created else []
                if [(k, None if s is None else Decimal(s)) for k, s in old] != sectors:
                    item.sectors = sync_children(
                        item.sectors,
                        "sector",
                        AidSector,
                        [{"sector": k, "share": s} for k, s in sectors],
                    )
                    changes["sectors"] = [
                        [f"{k}:{s}" for k, s in old],
                        [f"{k}:{s}" for k, s in sectors],
                    ]
            if "dia_ban" in row.present:
                communes = list(row.values["dia_ban"] or [])
                old = [loc.commune_code for loc in item.locations] if not created else []
                if old != communes:
                    item.locations = sync_children(
                        item.locations,
                        "commune_code",
                        AidLocation,
                        [{"commune_code": c} for c in communes],
                    )
                    changes["communes"] = [old, communes]
            names = [self.org_names.get(d.organization_id, "") for d in item.donors]
            search = fold(" ".join([item.code, item.name, item.name_en or "", *names]))
            if item.search_text != search:
                item.search_text = search
            return changes

        self.upsert("VienTro", AidItem, ITEM_FIELDS, existing, AidItem, after)
        self.item_ids = {code: item.id for code, item in existing.items()}
        missing = {r.values["ma_vien_tro"] for r in self.rows("GiaiNgan")}
        missing |= {r.values.get("ma_vien_tro") for r in self.rows("Doan")}
        missing = {c for c in missing if c and c not in self.item_ids}
        if missing:
            self.item_ids.update(
                db.session.execute(
                    sa.select(AidItem.code, AidItem.id).where(AidItem.code.in_(missing))
                ).all()
            )

    def disbursements(self):
        counts = self.counts("GiaiNgan")
        wanted = defaultdict(list)
        for row in self.rows("GiaiNgan"):
            values = {name: row.values.get(key) for key, name in DISBURSEMENT_FIELDS.items()}
            values["verified"] = bool(values["verified"])
            if values["currency"] == "VND":
                values["rate_vnd"] = None
            if values["currency"] == "USD" and values["rate_usd"] is None:
                values["rate_usd"] = values["rate_vnd"]
            values["value_vnd"] = to_vnd(values["amount"], values["rate_vnd"])
            wanted[self.item_ids[row.values["ma_vien_tro"]]].append(values)
        if not wanted:
            return
        current = defaultdict(list)
        for d in db.session.scalars(
            sa.select(Disbursement).where(
                Disbursement.aid_item_id.in_(wanted), Disbursement.archived_at.is_(None)
            )
        ):
            current[d.aid_item_id].append(d)
        new_rows, archive_ids = [], []
        for item_id, rows in wanted.items():
            fields = (*DISBURSEMENT_FIELDS.values(), "value_vnd")
            stored = [{k: getattr(d, k) for k in fields} for d in current[item_id]]
            if _fingerprints(rows, fields) == _fingerprints(stored, fields):
                counts.unchanged += len(rows)
                continue
            archive_ids += [d.id for d in current[item_id]]
            new_rows += [
                {"aid_item_id": item_id, **r, "recorded_by_id": getattr(self.user, "id", None)}
                for r in rows
            ]
            counts.created += len(rows)
        counts.replaced += len(archive_ids)
        self._replace(Disbursement, archive_ids, new_rows, "disbursement", "giải ngân")

    def _replace(self, model, archive_ids, new_rows, object_type, noun):
        now = utcnow()
        reason = f"Thay thế khi nhập tệp {self.report.filename}"
        for chunk in _chunks(archive_ids):
            db.session.execute(
                sa.update(model)
                .where(model.id.in_(chunk))
                .values(archived_at=now, archive_reason=reason)
            )
        for old_id in archive_ids:
            self.audit(
                f"{object_type}.import_archive",
                object_type,
                old_id,
                f"Nhập từ tệp {self.report.filename}: {noun} cũ được thay thế (lưu trữ)",
            )
        extra = {"created_at": now, "updated_at": now}
        if hasattr(model, "version"):
            extra["version"] = 1
        for chunk in _chunks(new_rows, 2000):
            ids = db.session.scalars(
                sa.insert(model).returning(model.id), [{**extra, **r} for r in chunk]
            ).all()
            for new_id in ids:
                self.audit(
                    f"{object_type}.import_create",
                    object_type,
                    new_id,
                    f"Nhập từ tệp {self.report.filename}: {noun}",
                )

    def delegations(self):
        codes = self.result.codes("Doan")
        existing = (
            {
                d.code: d
                for d in db.session.scalars(sa.select(Delegation).where(Delegation.code.in_(codes)))
            }
            if codes
            else {}
        )
        agencies = {
            fold(name): agency_id
            for agency_id, name in db.session.execute(sa.select(Agency.id, Agency.name))
        }

        def after(delegation: Delegation, row, created):
            changes = {}
            if created:
                delegation.author_agency_id = self.user.agency_id if self.user else _any_agency()
            if "to_chuc" in row.present:
                org_id = (
                    self.org_ids.get(row.values.get("to_chuc"))
                    if row.values.get("to_chuc")
                    else None
                )
                if delegation.organization_id != org_id:
                    changes["organization_id"] = [delegation.organization_id, org_id]
                    delegation.organization_id = org_id
            if "quoc_gia" in row.present:
                countries = list(row.values["quoc_gia"])
                others = countries[1:] or None
                if delegation.country != countries[0] or delegation.other_countries != others:
                    changes["countries"] = [delegation.countries if not created else [], countries]
                    delegation.country, delegation.other_countries = countries[0], others
            if "ma_vien_tro" in row.present:
                code = row.values.get("ma_vien_tro")
                item_id = self.item_ids.get(code) if code else None
                if delegation.aid_item_id != item_id:
                    delegation.aid_item_id = item_id
                    changes["aid_item_id"] = [None, item_id]
            if "don_vi" in row.present:
                name = row.values.get("don_vi")
                host = agencies.get(fold(name)) if name else None
                if delegation.host_agency_id != host and (host or not name):
                    changes["host_agency_id"] = [delegation.host_agency_id, host]
                    delegation.host_agency_id = host
            if created and delegation.host_agency_id is None:
                delegation.host_agency_id = delegation.author_agency_id
            stops = _stops_of(row)
            if stops is not None:
                old = [(s.day, s.commune_code, s.place, s.activity) for s in delegation.stops]
                if created or old != [tuple(s.values()) for s in stops]:
                    delegation.stops = [ItineraryStop(**s) for s in stops]
                    if not created:
                        changes["stops"] = [len(old), len(stops)]
            if (
                "bien_gioi" in row.present
                and delegation.border_area_override != row.values["bien_gioi"]
            ):
                delegation.border_area_override = row.values["bien_gioi"]
                changes["border_area_override"] = [None, row.values["bien_gioi"]]
            return changes

        self.upsert("Doan", Delegation, DELEGATION_FIELDS, existing, Delegation, after)
        for delegation in existing.values():
            if delegation.code in codes:  # derived from the stops and the communes' flags
                refresh_border_area(delegation)
        self.delegation_ids = {code: d.id for code, d in existing.items()}
        missing = {r.values["ma_doan"] for r in self.rows("ThanhVien")} - set(self.delegation_ids)
        if missing:
            self.delegation_ids.update(
                db.session.execute(
                    sa.select(Delegation.code, Delegation.id).where(Delegation.code.in_(missing))
                ).all()
            )

    def members(self):
        counts = self.counts("ThanhVien")
        wanted = defaultdict(list)
        for row in self.rows("ThanhVien"):
            values = {name: row.values.get(key) for key, name in MEMBER_FIELDS.items()}
            values["is_head"] = bool(values["is_head"])
            values["name_folded"] = fold(values["full_name"])
            wanted[self.delegation_ids[row.values["ma_doan"]]].append(values)
        if not wanted:
            return
        current = defaultdict(list)
        for m in db.session.scalars(
            sa.select(DelegationMember).where(
                DelegationMember.delegation_id.in_(wanted), DelegationMember.archived_at.is_(None)
            )
        ):
            current[m.delegation_id].append(m)
        new_rows, archive_ids = [], []
        for delegation_id, rows in wanted.items():
            fields = (*MEMBER_FIELDS.values(),)
            if _fingerprints(rows, fields) == _fingerprints(
                [{k: getattr(m, k) for k in fields} for m in current[delegation_id]], fields
            ):
                counts.unchanged += len(rows)
                continue
            archive_ids += [m.id for m in current[delegation_id]]
            new_rows += [{"delegation_id": delegation_id, **r} for r in rows]
            counts.created += len(rows)
        counts.replaced += len(archive_ids)
        self._replace(
            DelegationMember, archive_ids, new_rows, "delegation_member", "thành viên đoàn"
        )
        # Member names are part of the delegations' search text.
        changed = {r["delegation_id"] for r in new_rows}
        names = defaultdict(list)
        for delegation_id, name in db.session.execute(
            sa.select(DelegationMember.delegation_id, DelegationMember.full_name).where(
                DelegationMember.delegation_id.in_(changed), DelegationMember.archived_at.is_(None)
            )
        ):
            names[delegation_id].append(name)
        for delegation in db.session.scalars(
            sa.select(Delegation).where(Delegation.id.in_(changed))
        ):
            delegation.refresh_search_text(names[delegation.id])

    def finish(self):
        self.audit(
            "transfer.import",
            "import",
            self.report.filename,
            f"Nhập tệp {self.report.filename}: {self.report.summary()}",
        )
        for chunk in _chunks(self.audit_rows, 5000):
            db.session.execute(sa.insert(AuditEntry), chunk)
        db.session.flush()


def _any_agency() -> int:
    return db.session.scalar(sa.select(Agency.id).order_by(Agency.id).limit(1))


def _fingerprints(rows, fields) -> Counter:
    """The rows as a multiset of their values: equal when the file repeats what is stored."""

    def norm(value):
        if isinstance(value, Decimal):
            return value.normalize()
        return value

    return Counter(tuple(norm(r.get(f)) for f in fields) for r in rows)


def _chunks(items, size=900):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stops_of(row) -> list[dict] | None:
    """The itinerary from `lich_trinh` (day | commune | place | activity per line), else
    from `dia_ban` (communes without a day); None when neither column is present."""
    text = row.values.get("lich_trinh") if "lich_trinh" in row.present else None
    if text:
        stops = []
        for line in text.splitlines():
            parts = [p.strip() for p in line.split("|")] + ["", "", "", ""]
            stops.append(
                {
                    "day": parse_date(parts[0]) if parts[0] else None,
                    "commune_code": parts[1] or None,
                    "place": parts[2] or None,
                    "activity": parts[3] or None,
                }
            )
        return stops
    if "dia_ban" in row.present:
        return [
            {"day": None, "commune_code": c, "place": None, "activity": None}
            for c in row.values.get("dia_ban") or []
        ]
    return None


def _drafts_of_others(result: ReadResult, user) -> None:
    """A user may not change another agency's draft delegation (nor see that it exists)."""
    from app.core import permissions as rules

    if user is None or rules.administer.allows(user):
        return
    codes = {r.values.get("ma") for r in result.sheets.get("Doan", [])}
    codes |= {r.values.get("ma_doan") for r in result.sheets.get("ThanhVien", [])}
    codes.discard(None)
    if not codes:
        return
    foreign = set(
        db.session.scalars(
            sa.select(Delegation.code).where(
                Delegation.code.in_(codes),
                Delegation.status == "du_thao",
                Delegation.author_agency_id != user.agency_id,
            )
        )
    )
    for sheet, key in (("Doan", "ma"), ("ThanhVien", "ma_doan")):
        for row in result.sheets.get(sheet, []):
            if row.values.get(key) in foreign:
                result.error(
                    sheet,
                    row.excel_row,
                    SHEETS[sheet].column(key).label,
                    f"Không có đoàn mã {row.values[key]} (hồ sơ dự thảo của đơn vị khác).",
                )


def _registry_checks(result: ReadResult) -> None:
    """Rules that need the database: approved items need a decision; itineraries parse;
    converted values fit the registry."""
    for sheet, amount_key, label in (
        ("VienTro", "gia_tri", "Giá trị viện trợ"),
        ("GiaiNgan", "so_tien", "Số tiền"),
    ):
        for row in result.sheets.get(sheet, []):
            amount, currency = row.values.get(amount_key), row.values.get("tien_te")
            rate = None if currency == "VND" else row.values.get("ty_gia")
            known = amount is not None and (rate or currency == "VND")
            if known and to_vnd(amount, rate) >= VND_LIMIT:
                result.error(sheet, row.excel_row, label, "Giá trị quy đổi ra VNĐ quá lớn.")
    approved_rows = [
        r
        for r in result.sheets.get("VienTro", [])
        if r.values.get("trang_thai") in APPROVED_STATUSES
    ]
    absent = [
        r
        for r in approved_rows
        if "so_quyet_dinh" not in r.present or "ngay_phe_duyet" not in r.present
    ]
    if absent:
        stored = dict(
            db.session.execute(
                sa.select(AidItem.code, AidItem.decision_number).where(
                    AidItem.code.in_([r.values.get("ma") for r in absent])
                )
            ).all()
        )
        for row in absent:
            if not stored.get(row.values.get("ma")):
                result.error(
                    "VienTro",
                    row.excel_row,
                    "Số quyết định phê duyệt",
                    "Khoản viện trợ đã phê duyệt phải có số và ngày quyết định.",
                )
    communes = None
    for row in result.sheets.get("Doan", []):
        text = row.values.get("lich_trinh")
        if not text:
            continue
        for line in text.splitlines():
            parts = [p.strip() for p in line.split("|")]
            try:
                day = parse_date(parts[0]) if parts and parts[0] else None
            except DateParseError as error:
                result.error("Doan", row.excel_row, "Lịch trình", str(error))
                continue
            start, end = row.values.get("tu_ngay"), row.values.get("den_ngay")
            if day and start and end and not (start <= day <= end):
                result.error(
                    "Doan",
                    row.excel_row,
                    "Lịch trình",
                    f"Ngày {day:%d/%m/%Y} ngoài thời gian của đoàn.",
                )
            if len(parts) > 1 and parts[1]:
                if communes is None:
                    communes = set(db.session.scalars(sa.select(Commune.code)))
                if parts[1] not in communes:
                    result.error(
                        "Doan",
                        row.excel_row,
                        "Lịch trình",
                        f"Mã xã, phường không tồn tại: {parts[1]}.",
                    )


def known_codes() -> tuple[dict[str, set[str]], dict[str, str]]:
    directions = dict(db.session.execute(sa.select(Delegation.code, Delegation.direction)).all())
    known = {
        "ToChuc": set(db.session.scalars(sa.select(Organization.code))),
        "VienTro": set(db.session.scalars(sa.select(AidItem.code))),
        "Doan": set(directions),
        "communes": set(db.session.scalars(sa.select(Commune.code))),
    }
    return known, {code: str(d) for code, d in directions.items()}


def import_workbook(data: bytes, filename: str, user, max_bytes: int | None = None) -> ImportReport:
    """Validate, then write everything (flushed, not committed). With errors, nothing."""
    result = read_workbook(data, filename, **({"max_bytes": max_bytes} if max_bytes else {}))
    report = ImportReport(filename=filename, warnings=result.warnings)
    if result.sheets:  # every check runs, so the report lists all errors at once
        known, directions = known_codes()
        validate_cross_sheet(result, known, directions)
        _registry_checks(result)
        _drafts_of_others(result, user)
    if not result.ok:
        report.errors = result.errors
        return report
    writer = _Writer(result, user, report)
    writer.organizations()
    writer.items()
    writer.disbursements()
    writer.delegations()
    writer.members()
    writer.finish()
    return report
