"""Writing the keyed sheets: organisations, aid items (donors, sectors, communes) and
delegations (countries, host, itinerary), each upserted by `ma` through Writer.upsert."""

from collections import Counter
from decimal import Decimal

import sqlalchemy as sa

from app.aid.models import AidDonor, AidItem, AidLocation, AidSector, item_search_text
from app.aid.regimes import regime_for
from app.auth.models import Agency
from app.core.dates import parse_date, today_vn
from app.core.inserts import insert_rows
from app.core.models import Commune
from app.core.money import to_vnd
from app.core.text import fold
from app.delegations import states
from app.delegations.models import Delegation, ItineraryStop
from app.delegations.services import schedule_report
from app.delegations.services.revisions import Line, note_changes
from app.extensions import db
from app.orgs.models import Organization
from app.transfer.bulk import Plain, bulk_upsert, load_children, sync_children
from app.transfer.fields import DELEGATION_FIELDS, ITEM_FIELDS, ORG_FIELDS
from app.transfer.upsert import Writer, chunks


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
    """Items in bulk (app/transfer/bulk.py): their donors, sectors and communes are read
    per batch and replaced as AidItem.set_children does; the search text is the model's."""
    children = (  # attribute, table, key, value fields, order of the stored rows
        ("donors", AidDonor.__table__, "organization_id", ("position",), ("position", "id")),
        ("sectors", AidSector.__table__, "sector", ("share",), ("id",)),
        ("locations", AidLocation.__table__, "commune_code", (), ("id",)),
    )
    stored: dict[str, dict[int, list[dict]]] = {}

    def load(existing: dict[str, Plain]) -> None:
        ids = [record.id for record in existing.values()]
        for name, table, _key, _fields, order in children:
            stored[name] = load_children(table, "aid_item_id", ids, [table.c[o] for o in order])

    def after(item: Plain, row, created):
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
        old_donors = [] if created else stored["donors"].get(item.id, [])
        donors = [d["organization_id"] for d in old_donors]
        if "nha_tai_tro" in row.present:
            new = [w.org_ids[c] for c in row.values["nha_tai_tro"] or []]
            if donors != new:
                item.new_donors = [{"organization_id": o, "position": i} for i, o in enumerate(new)]
                changes["donors"] = [donors, new]
                donors = new
            item.main_donor_id = new[0] if new else None
        if "linh_vuc" in row.present:
            sectors = [(k, s) for k, s in row.values["linh_vuc"] or []]
            old = [] if created else stored["sectors"].get(item.id, [])
            old = [(s["sector"], s["share"]) for s in old]
            # the spec's sectors are a set of keys with shares: their order carries no
            # meaning (the rows are reused by key, so the stored order never follows it)
            if Counter((k, None if s is None else Decimal(s)) for k, s in old) != Counter(sectors):
                item.new_sectors = [{"sector": k, "share": s} for k, s in sectors]
                changes["sectors"] = [
                    [f"{k}:{s}" for k, s in old],
                    [f"{k}:{s}" for k, s in sectors],
                ]
        if "dia_ban" in row.present:
            communes = list(row.values["dia_ban"] or [])
            old = [] if created else stored["locations"].get(item.id, [])
            old = [loc["commune_code"] for loc in old]
            if Counter(old) != Counter(communes):  # a set of communes, as the sectors
                item.new_locations = [{"commune_code": c} for c in communes]
                changes["communes"] = [old, communes]
        names = [w.org_names.get(d, "") for d in donors]
        search = item_search_text(item.code, item.name, item.name_en, names)
        if item.search_text != search:
            item.search_text = search
        return changes

    def after_write(touched) -> None:
        for name, table, key, _fields, _order in children:
            wanted = {
                item.id: getattr(item, f"new_{name}")
                for item, _, _ in touched
                if getattr(item, f"new_{name}") is not None
            }
            sync_children(table, "aid_item_id", key, stored.get(name, {}), wanted)

    w.item_ids = bulk_upsert(
        w, "VienTro", AidItem, ITEM_FIELDS, after, load=load, after_write=after_write
    )
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
    """Delegations in bulk (app/transfer/bulk.py): itineraries read per batch and replaced
    where they differ, border area and report date derived before writing, reviews
    re-opened (note_changes) for the delegations a file changes after a review."""
    agencies = {
        fold(name): agency_id
        for agency_id, name in db.session.execute(sa.select(Agency.id, Agency.name))
    }
    author = w.user.agency_id if w.user else _any_agency()
    border = set(db.session.scalars(sa.select(Commune.code).where(Commune.is_border)))
    stops_table = ItineraryStop.__table__
    stored: dict[int, list[dict]] = {}

    def load(existing: dict[str, Plain]) -> None:
        ids = [record.id for record in existing.values()]
        order = (stops_table.c.day, stops_table.c.id)  # as Delegation.stops
        stored.clear()
        stored.update(load_children(stops_table, "delegation_id", ids, order))

    def after(delegation: Plain, row, created):
        changes = {}
        if created:
            delegation.author_agency_id = author
        if "to_chuc" in row.present:
            org_id = w.org_ids.get(row.values.get("to_chuc")) if row.values.get("to_chuc") else None
            if delegation.organization_id != org_id:
                changes["organization_id"] = [delegation.organization_id, org_id]
                delegation.organization_id = org_id
        if "quoc_gia" in row.present:
            countries = list(row.values["quoc_gia"])
            others = countries[1:] or None
            if delegation.country != countries[0] or delegation.other_countries != others:
                old = Delegation.countries.fget(delegation) if not created else []
                changes["countries"] = [old, countries]
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
            old = [] if created else stored.get(delegation.id, [])
            old = [(s["day"], s["commune_code"], s["place"], s["activity"]) for s in old]
            if created or old != [tuple(s.values()) for s in stops]:
                delegation.new_stops = stops
                if not created:
                    changes["stops"] = [len(old), len(stops)]
        if (
            "bien_gioi" in row.present
            and delegation.border_area_override != row.values["bien_gioi"]
        ):
            delegation.border_area_override = row.values["bien_gioi"]
            changes["border_area_override"] = [None, row.values["bien_gioi"]]
        return changes

    def before_write(touched: list[tuple[Plain, bool, dict]]) -> None:
        """What the ORM path derived after the diff (so not in the audit's changes)."""
        for delegation, created, changes in touched:
            was_border = delegation.is_border_area
            # refresh_border_area's rule, with the border communes read once
            if delegation.border_area_override is not None:
                delegation.is_border_area = delegation.border_area_override
            else:
                stops = delegation.new_stops
                if stops is None:
                    stops = [] if created else stored.get(delegation.id, [])
                delegation.is_border_area = any(s["commune_code"] in border for s in stops)
            if delegation.status == states.APPROVED and delegation.report_due_on is None:
                schedule_report(delegation)  # as if approved here: the overdue alert sees it
            if not created:  # a reviewed delegation changed by the file is reviewed again
                reviewed = sorted(REVIEWED_CONTENT.get(name, "") for name in changes)
                if was_border != delegation.is_border_area:
                    reviewed.append("khu vực biên giới")
                delegation.reviewed = [label for label in reviewed if label]

    def after_write(touched: list[tuple[Plain, bool, dict]]) -> None:
        replaced = [d for d, _, _ in touched if d.new_stops is not None]
        for chunk in chunks([s["id"] for d in replaced for s in stored.get(d.id, [])]):
            db.session.execute(sa.delete(stops_table).where(stops_table.c.id.in_(chunk)))
        rows = [{"delegation_id": d.id, **stop} for d in replaced for stop in d.new_stops]
        insert_rows(stops_table, rows)
        for delegation, _, _ in touched:
            if delegation.reviewed:
                record = db.session.get(Delegation, delegation.id, populate_existing=True)
                text = f"Nhập từ tệp {w.report.filename}: đổi {', '.join(delegation.reviewed)}"
                note_changes(record, [Line(text)], user=w.user)
                db.session.expunge(record)

    w.delegation_ids = bulk_upsert(
        w,
        "Doan",
        Delegation,
        DELEGATION_FIELDS,
        after,
        load=load,
        before_write=before_write,
        after_write=after_write,
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
