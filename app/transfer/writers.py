"""Writing the keyed sheets: organisations, aid items (donors, sectors, communes) and
delegations (countries, host, itinerary), each upserted by `ma` through Writer.upsert."""

from decimal import Decimal

import sqlalchemy as sa

from app.aid.models import AidItem
from app.aid.regimes import regime_for
from app.auth.models import Agency
from app.core.dates import parse_date, today_vn
from app.core.money import to_vnd
from app.core.text import fold
from app.delegations import states
from app.delegations.models import Delegation, ItineraryStop
from app.delegations.services import refresh_border_area, schedule_report
from app.delegations.services.revisions import Line, note_changes
from app.extensions import db
from app.orgs.models import Organization
from app.transfer.fields import DELEGATION_FIELDS, ITEM_FIELDS, ORG_FIELDS
from app.transfer.upsert import Writer


def write_organizations(w: Writer) -> None:
    codes = w.result.codes("ToChuc")
    w.upsert("ToChuc", Organization, ORG_FIELDS, Organization)
    referenced = set()
    for row in w.rows("VienTro"):
        referenced.update(row.values.get("nha_tai_tro") or [])
    for row in w.rows("Doan"):
        if row.values.get("to_chuc"):
            referenced.add(row.values["to_chuc"])
    for org_id, code, name in db.session.execute(
        sa.select(Organization.id, Organization.code, Organization.name).where(
            Organization.code.in_(referenced | codes)
        )
    ):
        w.org_ids[code] = org_id
        w.org_names[org_id] = name


def write_items(w: Writer) -> None:
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
            item.created_by_id = w.user.id if w.user else None
            item.regime = item.regime or regime_for(item.dossier_received_on or today_vn())
        if "nha_tai_tro" in row.present:
            donors = [w.org_ids[c] for c in row.values["nha_tai_tro"] or []]
            old = [d.organization_id for d in item.donors] if not created else []
            if old != donors:
                item.set_children(donors=donors)
                changes["donors"] = [old, donors]
            item.main_donor_id = donors[0] if donors else None
        if "linh_vuc" in row.present:
            sectors = [(k, s) for k, s in row.values["linh_vuc"] or []]
            old = [(s.sector, s.share) for s in item.sectors] if not created else []
            if [(k, None if s is None else Decimal(s)) for k, s in old] != sectors:
                item.set_children(sectors=sectors)
                changes["sectors"] = [
                    [f"{k}:{s}" for k, s in old],
                    [f"{k}:{s}" for k, s in sectors],
                ]
        if "dia_ban" in row.present:
            communes = list(row.values["dia_ban"] or [])
            old = [loc.commune_code for loc in item.locations] if not created else []
            if old != communes:
                item.set_children(communes=communes)
                changes["communes"] = [old, communes]
        names = [w.org_names.get(d.organization_id, "") for d in item.donors]
        search = fold(" ".join([item.code, item.name, item.name_en or "", *names]))
        if item.search_text != search:
            item.search_text = search
        return changes

    w.item_ids = w.upsert("VienTro", AidItem, ITEM_FIELDS, AidItem, after)
    missing = {r.values["ma_vien_tro"] for r in w.rows("GiaiNgan")}
    missing |= {r.values.get("ma_vien_tro") for r in w.rows("Doan")}
    missing = {c for c in missing if c and c not in w.item_ids}
    if missing:
        w.item_ids.update(
            db.session.execute(
                sa.select(AidItem.code, AidItem.id).where(AidItem.code.in_(missing))
            ).all()
        )


def write_delegations(w: Writer) -> None:
    agencies = {
        fold(name): agency_id
        for agency_id, name in db.session.execute(sa.select(Agency.id, Agency.name))
    }

    def after(delegation: Delegation, row, created):
        changes = {}
        if created:
            delegation.author_agency_id = w.user.agency_id if w.user else _any_agency()
        if "to_chuc" in row.present:
            org_id = w.org_ids.get(row.values.get("to_chuc")) if row.values.get("to_chuc") else None
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
            item_id = w.item_ids.get(code) if code else None
            if delegation.aid_item_id != item_id:
                delegation.aid_item_id = item_id
                changes["aid_item_id"] = [None, item_id]
        if "don_vi" in row.present:
            name = row.values.get("don_vi")
            # an empty cell means the lodging agency, as for a new delegation
            host = agencies.get(fold(name)) if name else delegation.author_agency_id
            if host is not None and delegation.host_agency_id != host:
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

    def batch_done(written: list[tuple[Delegation, bool, dict]]) -> None:
        for delegation, created, changes in written:
            was_border = delegation.is_border_area
            refresh_border_area(delegation)  # derived from the stops and the communes' flags
            if delegation.status == states.APPROVED and delegation.report_due_on is None:
                schedule_report(delegation)  # as if approved here: the overdue alert sees it
            if not created:  # a reviewed delegation changed by the file is reviewed again
                reviewed = sorted(REVIEWED_CONTENT.get(name, "") for name in changes)
                if was_border != delegation.is_border_area:
                    reviewed.append("khu vực biên giới")
                if reviewed := [label for label in reviewed if label]:
                    note_changes(
                        delegation,
                        [Line(f"Nhập từ tệp {w.report.filename}: đổi {', '.join(reviewed)}")],
                        user=w.user,
                    )

    w.delegation_ids = w.upsert(
        "Doan", Delegation, DELEGATION_FIELDS, Delegation, after, batch_done
    )
    missing = {r.values["ma_doan"] for r in w.rows("ThanhVien")} - set(w.delegation_ids)
    if missing:
        w.delegation_ids.update(
            db.session.execute(
                sa.select(Delegation.code, Delegation.id).where(Delegation.code.in_(missing))
            ).all()
        )


# The reviewed content a file may change (app/delegations/services/revisions.py), by field.
REVIEWED_CONTENT = {"start_on": "ngày bắt đầu", "end_on": "ngày kết thúc", "stops": "lịch trình"}


def _any_agency() -> int:
    return db.session.scalar(sa.select(Agency.id).order_by(Agency.id).limit(1))


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
