#!/usr/bin/env python
"""Fill an EMPTY registry database with the national data set: 100 000 aid items,
1 000 000 disbursements, 20 000 delegations, 1 000 donors (defaults), and 50 bench accounts.

    DATABASE_URL=sqlite:////tmp/national.db .venv/bin/python scripts/generate_stats_data.py
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55432/national \\
        .venv/bin/python scripts/generate_stats_data.py --items 100000 --disbursements 1000000

The schema is built with the migrations. The communes, the demo agencies and users
(`flask demo load --no-records`) and the bench accounts are written through the registry's
own services; the records go in with bulk INSERTs (SQLAlchemy Core executemany, in chunks),
with every derived column computed by the registry's own functions: search texts
(`item_search_text`, `Delegation.refresh_search_text`, the organisation's rule), folded
names, normalised passports, regimes, appraisal deadlines, visit report deadlines. The data
is deterministic (--seed): realistic Vietnamese titles in the real communes of the 34
provinces, donors named by country, Vietnamese and foreign members with repeat visitors,
decisions spread over 2016-2025, every status, six currencies with daily rates (6 decimals),
some rows without a USD rate, sector shares and equal splits, 1 % archived rows.

The bench accounts (`--accounts`, default 50) are officers of the four agencies the load test
signs in as (`planning.bench01`, `other.bench02`, ...), password `demo12345`; give them to
scripts/locustfile.py with LOAD_ACCOUNTS (comma-separated) or LOAD_ACCOUNTS=bench.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import national_vocab as vocab
from national_people import generate_delegations, read_stamp, schema_digest, write_stamp
from national_vocab import CHUNK, COUNTRIES, DAYS, FIRST_DAY, NOW, insert, log, stamps

# Bumped whenever the data written changes: scripts/bench rebuilds a set of another version.
GENERATOR_VERSION = 2
BENCH_PASSWORD = "demo12345"  # noqa: S105 - app.demo.DEMO_PASSWORD, the demo accounts'
# The agencies the load test signs in as (scripts/locustfile.py), in turn.
BENCH_AGENCIES = ("planning", "other", "foreign_affairs", "police")
# currency: (share of items, VND per unit on 2016-01-01, yearly drift)
CURRENCIES = {
    "USD": (0.50, 22_450.0, 0.012),
    "EUR": (0.15, 24_500.0, 0.010),
    "JPY": (0.08, 186.5, -0.020),
    "KRW": (0.10, 19.2, 0.000),
    "AUD": (0.07, 16_200.0, 0.005),
    "VND": (0.10, 1.0, 0.0),
}
APPROVED = ["da_phe_duyet", "dang_thuc_hien", "tam_dung", "hoan_thanh", "thu_hoi"]
APPROVED_WEIGHTS = [0.15, 0.40, 0.05, 0.35, 0.05]
PENDING = ["tiep_nhan", "tra_lai", "xin_y_kien", "tham_dinh", "khong_chap_thuan"]
MODALITIES = (["du_an", "phi_du_an", "chuong_trinh", "khac_phuc_hau_qua"], [0.55, 0.3, 0.05, 0.1])
SHARE_SETS = {
    2: [("60", "40"), ("50.5", "49.5")],
    3: [("33.33", "33.33", "33.34"), ("50", "30", "20")],
}
ORG_KINDS = (
    ["ngo", "quoc_te", "chinh_phu", "doanh_nghiep", "ca_nhan"],
    [0.8, 0.08, 0.05, 0.04, 0.03],
)


def bench_usernames(count: int = 50) -> list[str]:
    """The bench accounts' usernames: `<demo login prefix>.benchNN`, agencies in turn."""
    return [f"{BENCH_AGENCIES[i % len(BENCH_AGENCIES)]}.bench{i + 1:02d}" for i in range(count)]


def daily_rates() -> dict[str, np.ndarray]:
    """VND per unit for every day, with 6 decimals (as the registry stores them)."""
    t = np.arange(DAYS) / 365.0
    rates = {}
    for code, (_share, base, drift) in CURRENCIES.items():
        wave = 1 + drift * t + 0.01 * np.sin(t * 2 * np.pi)
        rates[code] = np.round(base * wave, 6) if code != "VND" else np.ones(DAYS)
    return rates


def micros(value: float) -> int:
    return round(value * 1_000_000)


def vnd(amount_cents: int, rate_micros: int | None) -> int:
    """round(amount x rate) half up, in whole đồng (exact integer arithmetic)."""
    if rate_micros is None:
        return (amount_cents + 50) // 100
    return (amount_cents * rate_micros + 50_000_000) // 100_000_000


def decimal_micros(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-6)


def prepare_registry(accounts: int) -> dict:
    """Communes, the demo agencies and users, the bench accounts: through the services."""
    from app import demo
    from app.auth import services as auth
    from app.auth.models import Agency, Role, User
    from app.core.communes import load_communes, mark_border_communes
    from app.core.models import Commune
    from app.extensions import db

    load_communes()
    mark_border_communes()
    demo.load(records=False)
    agencies = {a.code: a for a in db.session.scalars(sa.select(Agency))}
    by_login = {d.login: agencies[d.code] for d in demo.DEMO_AGENCIES if d.login}
    for username in bench_usernames(accounts):
        agency = by_login[username.split(".")[0]]
        number = username.rsplit("bench", 1)[1]
        auth.ensure_user(username, f"Cán bộ thử tải {number}", agency, Role.OFFICER, BENCH_PASSWORD)
    db.session.commit()
    planning = db.session.scalar(sa.select(User.id).where(User.username == "planning.officer"))
    communes = db.session.execute(
        sa.select(Commune.code, Commune.name, Commune.province_name, Commune.is_border).order_by(
            Commune.code
        )
    ).all()
    log(f"{len(communes)} communes, {len(agencies)} agencies, {accounts} bench accounts")
    return {
        "agencies": {code: a.id for code, a in agencies.items()},
        "planning_user": planning,
        "communes": communes,
    }


def generate_organizations(connection, tables, args, rng) -> tuple[np.ndarray, list, np.ndarray]:
    from app.orgs.models import Organization

    n = args.organizations
    countries = rng.choice(COUNTRIES, n)
    kinds = rng.choice(ORG_KINDS[0], n, p=ORG_KINDS[1])
    rows, names = [], []
    for i in range(n):
        country, kind = str(countries[i]), str(kinds[i])
        name = vocab.donor_name(rng, country)
        code = f"ORG{i + 1:05d}"
        name_vi = f"Tổ chức {name}" if rng.random() < 0.25 else None
        org = SimpleNamespace(code=code, name=name, name_vi=name_vi)
        Organization._refresh_search_text(org, "code", code)  # the organisation's own rule
        issued = FIRST_DAY + timedelta(days=int(rng.integers(0, DAYS)))
        certified = kind == "ngo"
        rows.append(
            {
                "code": code,
                "name": name,
                "name_vi": name_vi,
                "search_text": org.search_text,
                "kind": kind,
                "country": country,
                "certificate_type": "hoat_dong" if certified else None,
                "certificate_number": f"{i + 1}/BNG-GĐK" if certified else None,
                "certificate_issued_on": issued if certified else None,
                "certificate_expires_on": issued + timedelta(days=5 * 365) if certified else None,
                "certificate_status": ("active" if issued.year >= 2021 else "expired")
                if certified
                else None,
                "representative": vocab.person_name(rng, country),
                "email": f"vietnam@org{i + 1:05d}.example.org",
                **stamps(),
            }
        )
        names.append(name)
    insert(connection, tables["organization"], rows)
    ids = connection.execute(sa.select(tables["organization"].c.id).order_by("id")).scalars()
    log(f"{n} organisations")
    return np.array(ids.all()), names, countries


def generate_items(connection, tables, args, rng, ctx, orgs) -> dict:
    from app.aid.models import item_search_text
    from app.aid.regimes import regime_for, regime_rules
    from app.core.dates import add_period

    @functools.cache
    def appraisal_due(complete_on: date, regime: str) -> date:
        return add_period(complete_on, *regime_rules(regime).appraisal_deadline)

    org_ids, org_names, _ = orgs
    communes = ctx["communes"]
    rates = daily_rates()
    rate_micros = {code: [micros(v) for v in values] for code, values in rates.items()}
    n = args.items
    codes = list(CURRENCIES)
    currency = rng.choice(codes, n, p=[CURRENCIES[c][0] for c in codes])
    approved = rng.random(n) < 0.85
    status = np.where(approved, rng.choice(APPROVED, n, p=APPROVED_WEIGHTS), rng.choice(PENDING, n))
    decision_day = rng.integers(0, DAYS, n)
    start_gap = rng.integers(0, 120, n)
    no_start = rng.random(n) < 0.10
    length = rng.integers(180, 1460, n)
    no_end = (rng.random(n) < 0.15) & (status != "hoan_thanh")
    modality = rng.choice(MODALITIES[0], n, p=MODALITIES[1])
    donor = rng.integers(0, len(org_ids), n)
    co_donor = np.where(rng.random(n) < 0.15, rng.integers(0, len(org_ids), n), -1)
    usd_value = np.round(rng.lognormal(11.0, 1.2, n), 2)  # median ~ 60 000 USD
    rate_usd_missing = rng.random(n)
    counterpart = np.where(rng.random(n) < 0.5, rng.integers(1, 2_000, n) * 1_000_000, -1)
    archived = rng.random(n) < 0.01
    commune = rng.integers(0, len(communes), n)
    incomplete = (status == "tiep_nhan") & (rng.random(n) < 0.3)
    rows, donors, sectors, locations = [], [], [], []
    for i in range(n):
        code = str(currency[i])
        day = int(decision_day[i])
        the_day = FIRST_DAY + timedelta(days=day)
        usd_rate = rate_micros["USD"][day]
        unit_rate = rate_micros[code][day]
        amount_cents = round(usd_value[i] * 100 * (rates["USD"][day] / rates[code][day]))
        if code == "VND":
            amount_cents = (amount_cents // 100_000) * 100_000  # whole thousands of đồng
            rate_vnd, rate_usd = None, usd_rate if rate_usd_missing[i] > 0.2 else None
        else:
            rate_vnd, rate_usd = unit_rate, usd_rate if rate_usd_missing[i] > 0.1 else None
        start = None if no_start[i] else the_day + timedelta(days=int(start_gap[i]))
        end = None if no_end[i] else (start or the_day) + timedelta(days=int(length[i]))
        place = communes[int(commune[i])]
        title, english, sector = vocab.aid_title(rng, place.name, place.province_name)
        item_donors = [int(donor[i])]
        if co_donor[i] >= 0 and co_donor[i] != donor[i]:
            item_donors.append(int(co_donor[i]))
        item_code = f"VT-{i + 1:06d}"
        received = the_day - timedelta(days=40)
        complete = None if incomplete[i] else received + timedelta(days=int(start_gap[i]) % 10)
        regime = regime_for(received)
        rows.append(
            {
                "code": item_code,
                "name": title,
                "name_en": english,
                "search_text": item_search_text(
                    item_code, title, english, [org_names[k] for k in item_donors]
                ),
                "modality": str(modality[i]),
                "regime": regime,
                "status": str(status[i]),
                "owner_name": f"UBND {place.name}",
                "governing_agency": f"UBND {place.province_name}",
                "value": Decimal(amount_cents).scaleb(-2),
                "currency": code,
                "rate_vnd": decimal_micros(rate_vnd),
                "rate_usd": decimal_micros(rate_usd),
                "value_vnd": vnd(amount_cents, rate_vnd),
                "counterpart_vnd": int(counterpart[i]) if counterpart[i] >= 0 else None,
                "start_on": start if approved[i] else None,
                "end_on": end if approved[i] else None,
                "dossier_received_on": received,
                "dossier_complete_on": complete,
                "appraisal_due_on": appraisal_due(complete, regime) if complete else None,
                "decision_number": f"{i + 1}/QĐ-UBND" if approved[i] else None,
                "decision_date": the_day if approved[i] else None,
                "decision_signer": vocab.pick(rng, vocab.SIGNERS) if approved[i] else None,
                "main_donor_id": int(org_ids[donor[i]]),
                "created_by_id": ctx["planning_user"],
                "archived_at": NOW if archived[i] else None,
                **stamps(),
            }
        )
        donors.append([int(org_ids[k]) for k in item_donors])
        sectors.append(sector)
        locations.append(place.code)
        if len(rows) == CHUNK:
            insert(connection, tables["aid_item"], rows)
            rows = []
    insert(connection, tables["aid_item"], rows)
    item_ids = np.array(
        connection.execute(sa.select(tables["aid_item"].c.id).order_by("id")).scalars().all()
    )
    log(f"{n} aid items")
    insert(
        connection,
        tables["aid_donor"],
        [
            {"aid_item_id": int(item_ids[i]), "organization_id": org, "position": p}
            for i in range(n)
            for p, org in enumerate(donors[i])
        ],
    )
    insert(
        connection,
        tables["aid_location"],
        [{"aid_item_id": int(item_ids[i]), "commune_code": locations[i]} for i in range(n)],
    )
    generate_sectors(connection, tables, rng, item_ids, sectors)
    return {
        "ids": item_ids,
        "approved": approved,
        "currency": currency,
        "decision_day": decision_day,
        "usd_value": usd_value,
        "rates": rates,
        "rate_micros": rate_micros,
    }


def generate_sectors(connection, tables, rng, item_ids, title_sectors) -> None:
    """The title's sector first, then 0-2 others; 40 % with shares, the rest equal splits."""
    from app.aid.models import Sector

    all_sectors = list(Sector.labels())
    n = len(item_ids)
    sector_count = rng.choice([1, 2, 3], n, p=[0.5, 0.35, 0.15])
    with_shares = rng.random(n) < 0.4
    rows = []
    for i in range(n):
        k = int(sector_count[i])
        others = [s for s in all_sectors if s != title_sectors[i]]
        chosen = [title_sectors[i], *rng.choice(others, k - 1, replace=False)]
        shares = SHARE_SETS[k][int(rng.integers(0, 2))] if k > 1 and with_shares[i] else (None,) * k
        if k == 1 and with_shares[i]:
            shares = ("100",)
        for sector, share in zip(chosen, shares, strict=True):
            rows.append(
                {
                    "aid_item_id": int(item_ids[i]),
                    "sector": str(sector),
                    "share": Decimal(share) if share else None,
                }
            )
    insert(connection, tables["aid_sector"], rows)
    log(f"{len(rows)} sector rows")


def generate_disbursements(connection, tables, args, rng, items, ctx) -> None:
    """On approved items, after their decision, at most 4 years on."""
    rates, rate_micros = items["rates"], items["rate_micros"]
    currency, decision_day, usd_value = items["currency"], items["decision_day"], items["usd_value"]
    payable = np.flatnonzero(items["approved"])
    m = args.disbursements
    owner = rng.choice(payable, m)
    offset = rng.integers(0, 4 * 365, m)
    share = rng.uniform(0.02, 0.12, m)  # about 80 % of the value is paid on average
    no_usd = rng.random(m)
    cancelled = rng.random(m) < 0.01
    rows = []
    for j in range(m):
        i = int(owner[j])
        day = min(int(decision_day[i]) + int(offset[j]), DAYS - 1)
        code = str(currency[i])
        amount_cents = max(
            100, round(usd_value[i] * 100 * share[j] * rates["USD"][day] / rates[code][day])
        )
        usd_rate = rate_micros["USD"][day]
        if code == "VND":
            rate_vnd, rate_usd = None, usd_rate if no_usd[j] > 0.2 else None
        else:
            rate_vnd = rate_micros[code][day]
            rate_usd = usd_rate if (code == "USD" or no_usd[j] > 0.1) else None
        rows.append(
            {
                "aid_item_id": int(items["ids"][i]),
                "disbursed_on": FIRST_DAY + timedelta(days=day),
                "amount": Decimal(amount_cents).scaleb(-2),
                "currency": code,
                "rate_vnd": decimal_micros(rate_vnd),
                "rate_usd": decimal_micros(rate_usd),
                "value_vnd": vnd(amount_cents, rate_vnd),
                "source": "Báo cáo giải ngân của chủ khoản viện trợ",
                "verified": True,
                "recorded_by_id": ctx["planning_user"],
                "archived_at": NOW if cancelled[j] else None,
                **stamps(),
            }
        )
        if len(rows) == CHUNK:
            insert(connection, tables["disbursement"], rows)
            rows = []
            if (j + 1) % 200_000 == 0:
                log(f"  {j + 1} disbursements")
    insert(connection, tables["disbursement"], rows)
    log(f"{m} disbursements")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--disbursements", type=int, default=1_000_000)
    parser.add_argument("--delegations", type=int, default=20_000)
    parser.add_argument("--organizations", type=int, default=1_000)
    parser.add_argument("--accounts", type=int, default=50, help="bench accounts (officers)")
    parser.add_argument("--seed", type=int, default=2025)
    return parser


def main() -> int:
    parser = make_parser()
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL to the database to fill (SQLite file or PostgreSQL)")
    return build(args)


def stamp(args, seconds: float) -> dict:
    """What scripts/bench compares before reusing a database (and shows)."""
    return {
        "generator": GENERATOR_VERSION,
        "items": args.items,
        "disbursements": args.disbursements,
        "delegations": args.delegations,
        "organizations": args.organizations,
        "accounts": args.accounts,
        "seed": args.seed,
        "schema": schema_digest(),
        "seconds": round(seconds),
        "built_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def build(args, app=None) -> int:
    """Fill the database of `app` (by default the app of DATABASE_URL)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = app or create_app()
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        tables = db.metadata.tables
        if db.session.scalar(sa.select(sa.func.count()).select_from(tables["aid_item"])):
            log("The database already has aid items: use an empty database.")
            return 1
        ctx = prepare_registry(args.accounts)
        db.session.close()
        engine = db.engine
        rng = np.random.default_rng(args.seed)
        with engine.begin() as connection:
            orgs = generate_organizations(connection, tables, args, rng)
            items = generate_items(connection, tables, args, rng, ctx, orgs)
            generate_disbursements(connection, tables, args, rng, items, ctx)
            generate_delegations(connection, tables, args, rng, ctx, orgs, items["ids"])
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
            else:
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
        seconds = time.perf_counter() - started
        write_stamp(engine, stamp(args, seconds))
        engine.dispose()
    log(f"done in {seconds:.0f} s")
    return 0


__all__ = ["GENERATOR_VERSION", "bench_usernames", "build", "read_stamp"]

if __name__ == "__main__":
    sys.exit(main())
