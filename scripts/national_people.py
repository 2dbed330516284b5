"""Delegations and their members for the national data set, and the stamp that tells
scripts/bench which generator version and sizes built a database
(scripts/generate_stats_data.py calls these)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import sqlalchemy as sa
from national_vocab import (
    COUNTRIES,
    DAYS,
    FIRST_DAY,
    NOW,
    POSITIONS_FOREIGN,
    POSITIONS_VN,
    delegation_title,
    insert,
    log,
    passport,
    person_name,
    pick,
    stamps,
)

PURPOSES = ["khao_sat", "giam_sat_du_an", "hop_tac", "hoi_nghi", "nhan_dao", "khac"]
DELEGATION_STATUSES = (
    ["da_duyet", "hoan_thanh", "tu_choi", "huy", "da_gui", "dang_xem_xet"],
    [0.28, 0.50, 0.08, 0.07, 0.04, 0.03],
)
HOSTS = ("UBND Đăk Tô", "UBND Bờ Y", "UBND Mô Rai")  # demo host units (agency codes)
OUTGOING_AUTHORS = ("SNgV", "STC-VT", "NV-VT")


class People:
    """A pool of people per nationality, so visitors come back with the same passport."""

    def __init__(self, rng, expected: dict[str, int]):
        self.rng = rng
        self.size = {c: max(1, int(n * 0.6)) for c, n in expected.items()}
        self.known: dict[tuple[str, int], dict] = {}

    def draw(self, country: str) -> dict:
        key = (country, int(self.rng.integers(0, self.size.get(country, 1))))
        if key not in self.known:
            rng = self.rng
            self.known[key] = {
                "full_name": person_name(rng, country),
                "raw_passport": passport(rng, country),
                "sex": "nam" if rng.random() < 0.55 else "nu",
                "birth_date": FIRST_DAY - timedelta(days=int(rng.integers(365 * 22, 365 * 65))),
                "position": pick(rng, POSITIONS_VN if country == "VN" else POSITIONS_FOREIGN),
            }
        return self.known[key]


def generate_delegations(connection, tables, args, rng, ctx, orgs, item_ids) -> None:
    from app.core.countries import country_name
    from app.core.text import fold
    from app.delegations.models import Delegation, normalize_passport
    from app.delegations.services.delegation import schedule_report

    org_ids, org_names, org_countries = orgs
    communes, agencies = ctx["communes"], ctx["agencies"]
    hosts = [agencies[c] for c in HOSTS]
    authors = [agencies[c] for c in OUTGOING_AUTHORS]
    d = args.delegations
    incoming = rng.random(d) < 0.7
    status = rng.choice(DELEGATION_STATUSES[0], d, p=DELEGATION_STATUSES[1])
    day = rng.integers(0, DAYS, d)
    purpose = rng.choice(PURPOSES, d)
    with_org = incoming & (rng.random(d) < 0.6)
    org_pick = rng.integers(0, len(org_ids), d)
    country = np.where(with_org, org_countries[org_pick], rng.choice(COUNTRIES, d))
    commune = rng.integers(0, len(communes), d)
    length = rng.integers(1, 8, d)
    archived = rng.random(d) < 0.01
    sizes = rng.integers(1, 13, d)
    nationality = np.where(incoming, country, "VN")
    expected: dict[str, int] = {}
    for k in range(d):
        expected[str(nationality[k])] = expected.get(str(nationality[k]), 0) + int(sizes[k])
    people = People(rng, expected)
    rows, stops, members = [], [], []
    for k in range(d):
        place = communes[int(commune[k])]
        c = str(country[k])
        org = int(org_pick[k]) if with_org[k] else None
        sender = org_names[org] if org is not None else None
        if incoming[k] and sender is None:
            sender = f"{pick(rng, ['Nhóm', 'Đại diện', 'Tình nguyện viên'])} {country_name(c)}"
        if not incoming[k]:
            sender = country_name(c)
        title = delegation_title(rng, bool(incoming[k]), sender, place.name, str(purpose[k]))
        start = FIRST_DAY + timedelta(days=int(day[k]))
        end = start + timedelta(days=int(length[k]))
        group = [people.draw(str(nationality[k])) for _ in range(int(sizes[k]))]
        gone = rng.random(len(group)) < 0.01
        code = f"DOAN-{k + 1:06d}"
        shown = SimpleNamespace(
            code=code,
            title=title,
            sending_party=None if org is not None else sender,
            organization=SimpleNamespace(name=sender) if org is not None else None,
        )
        # The registry's rule, with the names of the members not archived.
        Delegation.refresh_search_text(
            shown, [p["full_name"] for p, g in zip(group, gone, strict=True) if not g]
        )
        decided = str(status[k]) in ("da_duyet", "hoan_thanh")
        report = SimpleNamespace(end_on=end, report_due_on=None)
        if decided:
            schedule_report(report)  # the registry's deadline (working days after the visit)
        host = hosts[int(rng.integers(0, len(hosts)))]
        author = host if incoming[k] else authors[int(rng.integers(0, len(authors)))]
        rows.append(
            {
                "code": code,
                "direction": "vao" if incoming[k] else "ra",
                "title": title,
                "search_text": shown.search_text,
                "purpose": str(purpose[k]),
                "status": str(status[k]),
                "organization_id": int(org_ids[org]) if org is not None else None,
                "sending_party": shown.sending_party,
                "country": c,
                "start_on": start,
                "end_on": end,
                "host_agency_id": host,
                "author_agency_id": author,
                "funding": "nha_tai_tro" if incoming[k] else "ngan_sach",
                "aid_item_id": int(item_ids[int(rng.integers(0, len(item_ids)))])
                if purpose[k] == "giam_sat_du_an"
                else None,
                "contact": f"{person_name(rng, 'VN')}, 0905 {int(rng.integers(0, 999_999)):06d}",
                "is_border_area": bool(incoming[k] and place.is_border),
                "submitted_on": start - timedelta(days=25),
                "is_late_request": False,
                "approval_number": f"{k + 1}/UBND-NV" if decided else None,
                "approval_date": start - timedelta(days=7) if decided else None,
                "approved_by": "Phó Chủ tịch UBND tỉnh" if decided else None,
                "refusal_reason": "Chưa đủ điều kiện tiếp đoàn."
                if status[k] == "tu_choi"
                else None,
                "report_due_on": report.report_due_on,
                "archived_at": NOW if archived[k] else None,
                **stamps(),
            }
        )
        if incoming[k]:
            stops.append((k, start, place.code, f"Trụ sở UBND {place.name}"))
        members.append((k, group, gone))
    insert(connection, tables["delegation"], rows)
    ids = connection.execute(sa.select(tables["delegation"].c.id).order_by("id")).scalars().all()
    insert(
        connection,
        tables["itinerary_stop"],
        [
            {
                "delegation_id": ids[k],
                "day": s,
                "commune_code": c,
                "place": p,
                "activity": "Làm việc",
            }
            for k, s, c, p in stops
        ],
    )
    count = write_members(connection, tables, rng, ids, rows, members, fold, normalize_passport)
    log(f"{d} delegations, {count} members, {len(people.known)} distinct people")


def write_members(connection, tables, rng, ids, rows, members, fold, normalize_passport) -> int:
    batch, count = [], 0
    for k, group, gone in members:
        for position, (person, archived) in enumerate(zip(group, gone, strict=True)):
            nationality = rows[k]["country"] if rows[k]["direction"] == "vao" else "VN"
            batch.append(
                {
                    "delegation_id": ids[k],
                    "full_name": person["full_name"],
                    "name_folded": fold(person["full_name"]),
                    "sex": person["sex"],
                    "birth_date": person["birth_date"],
                    "nationality": nationality,
                    "passport_number": normalize_passport(person["raw_passport"]),
                    "passport_type": "pho_thong" if nationality != "VN" else "cong_vu",
                    "passport_expiry": rows[k]["end_on"] + timedelta(days=900),
                    "position": person["position"],
                    "organization_name": rows[k]["sending_party"]
                    if nationality != "VN"
                    else "UBND tỉnh",
                    "is_head": position == 0,
                    "archived_at": NOW if archived else None,
                    **stamps(),
                }
            )
        if len(batch) >= 20_000:
            insert(connection, tables["delegation_member"], batch)
            count += len(batch)
            batch = []
    insert(connection, tables["delegation_member"], batch)
    return count + len(batch)


# --- The stamp: which generator version built a database, with which sizes ----------------


def schema_digest() -> str:
    """A digest of the migrations' text: a set built before a migration changed (even an
    already applied placeholder) no longer matches."""
    import hashlib

    digest = hashlib.sha256()
    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    for path in sorted(versions.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _sidecar(url) -> Path:
    return Path(f"{url.database}.stamp.json")


def write_stamp(engine, payload: dict) -> None:
    """SQLite: a file beside the database (`<file>.stamp.json`); PostgreSQL: the database's
    comment."""
    text = json.dumps(payload, sort_keys=True)
    if engine.dialect.name == "sqlite":
        _sidecar(engine.url).write_text(text)
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        name = engine.url.database.replace('"', "")
        literal = text.replace("'", "''")
        connection.exec_driver_sql(f"COMMENT ON DATABASE \"{name}\" IS '{literal}'")


def read_stamp(url: str) -> dict | None:
    """The stamp of the database at `url`, or None (no database, or not built by us)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sidecar(parsed)
        if not Path(parsed.database or "").exists() or not path.exists():
            return None
        return json.loads(path.read_text())
    engine = sa.create_engine(parsed.set(database="postgres"))
    try:
        with engine.connect() as connection:
            text = connection.execute(
                sa.text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = :name"
                ),
                {"name": parsed.database},
            ).scalar()
    finally:
        engine.dispose()
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None
