"""The area of a donor's registration certificate (Decree 58/2022/NĐ-CP Art 8(1): a foreign
NGO works only in the provinces and fields its certificate names).

The provinces are codes of the 34 provinces after 1 July 2025 (`vietnam-provinces`, as the
communes), the fields are the aid sectors' keys (app/aid/models.py `Sector`), so both
compare with an item's communes and sectors in SQL. Nothing recorded means "unknown": no
warning. Warnings never refuse anything.
"""

from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa

from app.aid.models import AidDonor, AidItem, AidLocation, AidSector, Sector
from app.core.errors import FieldError
from app.core.models import Commune, sync_children, utcnow
from app.core.text import fold
from app.extensions import db
from app.orgs.models import Organization, OrganizationField, OrganizationProvince

SCOPE_FIELDS = ("certificate_provinces", "certificate_fields")


@cache
def provinces() -> dict[str, str]:
    """{code: name} of the 34 provinces (vietnam_provinces takes 0.17 s to import: read on
    first use, not when the registry starts)."""
    from vietnam_provinces import Province

    return {str(int(p.code)): p.name for p in Province.iter_all()}


def province_name(code) -> str:
    return provinces().get(str(code), str(code))


def province_choices() -> list[tuple[str, str]]:
    """(code, name) of the 34 provinces, by name (diacritics ignored)."""
    return sorted(provinces().items(), key=lambda pair: fold(pair[1]))


def field_choices() -> list[tuple[str, str]]:
    return Sector.choices()


def _codes(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def clean_scope(data: dict) -> dict:
    """The scope fields present in `data`, checked: {"certificate_provinces": ["51", ...],
    "certificate_fields": ["y_te", ...]}, without duplicates. A field absent from `data`
    is left out (kept as it is). Raises FieldError for an unknown code, before anything
    is written."""
    cleaned = {}
    if "certificate_provinces" in data:
        known, chosen = provinces(), []
        for code in _codes(data["certificate_provinces"]):
            key = str(int(code)) if code.isdigit() else code
            if key not in known:
                raise FieldError(
                    "certificate_provinces", f"Mã tỉnh, thành phố không hợp lệ: {code}."
                )
            if key not in chosen:
                chosen.append(key)
        cleaned["certificate_provinces"] = sorted(chosen, key=int)
    if "certificate_fields" in data:
        order = list(Sector.labels())
        fields = []
        for code in _codes(data["certificate_fields"]):
            if code not in order:
                raise FieldError("certificate_fields", f"Lĩnh vực không hợp lệ: {code}.")
            if code not in fields:
                fields.append(code)
        cleaned["certificate_fields"] = sorted(fields, key=order.index)
    return cleaned


def scope_snapshot(org: Organization) -> dict:
    """The scope as the audit log keeps it (lists of codes)."""
    return {
        "certificate_provinces": org.certificate_provinces,
        "certificate_fields": org.certificate_fields,
    }


def apply_scope(org: Organization, cleaned: dict) -> None:
    """Replace the recorded provinces / fields given in `cleaned`. A change of the scope
    alone still bumps the organisation's version (optimistic locking covers it)."""
    before = scope_snapshot(org) if org.id is not None else None
    if "certificate_provinces" in cleaned:
        rows = [{"province_code": int(code)} for code in cleaned["certificate_provinces"]]
        org.province_rows = sync_children(
            org.province_rows, "province_code", OrganizationProvince, rows
        )
    if "certificate_fields" in cleaned:
        rows = [{"sector": Sector(code)} for code in cleaned["certificate_fields"]]
        org.field_rows = sync_children(org.field_rows, "sector", OrganizationField, rows)
    if before is not None and before != scope_snapshot(org):
        org.updated_at = utcnow()


# --- Warnings: an item's communes or sectors outside its donors' certificates ------------


@dataclass
class Breach:
    """One donor of one item, and what of the item lies outside the donor's certificate."""

    item_id: int
    item_code: str
    item_name: str
    org_id: int
    org_code: str
    org_name: str
    communes: list[str] = field(default_factory=list)  # "Xã A (Tỉnh B)"
    sectors: list[str] = field(default_factory=list)  # sector labels


def _donors(item_id: int | None, org_id: int | None):
    """(item_id, org_id) of the donors of an item (AidDonor rows and the main donor),
    restricted to one item or one organisation inside each branch."""
    listed = sa.select(
        AidDonor.aid_item_id.label("item_id"), AidDonor.organization_id.label("org_id")
    )
    main = sa.select(AidItem.id.label("item_id"), AidItem.main_donor_id.label("org_id")).where(
        AidItem.main_donor_id.is_not(None)
    )
    if item_id is not None:
        listed = listed.where(AidDonor.aid_item_id == item_id)
        main = main.where(AidItem.id == item_id)
    if org_id is not None:
        listed = listed.where(AidDonor.organization_id == org_id)
        main = main.where(AidItem.main_donor_id == org_id)
    return sa.union(listed, main).subquery("donor_pair")


def _breaches(*, item_id: int | None = None, org_id: int | None = None) -> list[Breach]:
    """The breaches of one item's donors or of one organisation's items, in one query:
    communes whose province is not among the donor's recorded provinces, and sectors not
    among its recorded fields; only for donors that recorded any (nothing = unknown)."""
    pairs = _donors(item_id, org_id)
    province = OrganizationProvince
    commune_rows = (
        sa.select(
            pairs.c.item_id,
            pairs.c.org_id,
            sa.literal("commune").label("kind"),
            Commune.code.label("code"),
            Commune.name.label("name"),
            Commune.province_name.label("province"),
        )
        .join(AidLocation, AidLocation.aid_item_id == pairs.c.item_id)
        .join(Commune, Commune.code == AidLocation.commune_code)
        .where(
            sa.exists().where(province.organization_id == pairs.c.org_id),
            ~sa.exists().where(
                province.organization_id == pairs.c.org_id,
                province.province_code == Commune.province_code,
            ),
        )
    )
    sector_rows = (
        sa.select(
            pairs.c.item_id,
            pairs.c.org_id,
            sa.literal("sector").label("kind"),
            AidSector.sector.label("code"),
            sa.null().label("name"),
            sa.null().label("province"),
        )
        .join(AidSector, AidSector.aid_item_id == pairs.c.item_id)
        .where(
            sa.exists().where(OrganizationField.organization_id == pairs.c.org_id),
            ~sa.exists().where(
                OrganizationField.organization_id == pairs.c.org_id,
                OrganizationField.sector == AidSector.sector,
            ),
        )
    )
    found = sa.union_all(commune_rows, sector_rows).subquery("breach")
    query = (
        sa.select(
            found,
            AidItem.code.label("item_code"),
            AidItem.name.label("item_name"),
            Organization.code.label("org_code"),
            Organization.name.label("org_name"),
        )
        .join(AidItem, AidItem.id == found.c.item_id)
        .join(Organization, Organization.id == found.c.org_id)
        .where(AidItem.archived_at.is_(None))
        .order_by(AidItem.code, Organization.code, found.c.kind, found.c.code)
    )
    breaches: dict[tuple[int, int], Breach] = {}
    for row in db.session.execute(query):
        key = (row.item_id, row.org_id)
        if key not in breaches:
            item = (row.item_id, row.item_code, row.item_name)
            breaches[key] = Breach(*item, row.org_id, row.org_code, row.org_name)
        breach = breaches[key]
        if row.kind == "commune":
            breach.communes.append(f"{row.name} ({row.province})")
        else:
            breach.sectors.append(Sector(str(row.code)).label)
    return list(breaches.values())


def item_breaches(item_id: int) -> list[Breach]:
    """The item's donors whose certificate does not cover its communes or sectors."""
    return _breaches(item_id=item_id)


def organization_breaches(org_id: int) -> list[Breach]:
    """The organisation's items (donor or co-donor) outside its certificate's scope."""
    return _breaches(org_id=org_id)
