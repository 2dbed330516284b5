#!/usr/bin/env python
"""Fill an EMPTY registry database with a large synthetic data set for the statistics
benchmark: 100 000 aid items, 1 000 000 disbursements, 20 000 delegations (defaults).

    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python scripts/generate_stats_data.py
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55490/bench \\
        .venv/bin/python scripts/generate_stats_data.py --items 100000 --disbursements 1000000

The schema is built with the migrations; rows go in with bulk INSERTs (SQLAlchemy Core
executemany, in chunks), not through the services. The data is deterministic (--seed) and
realistic enough for the rules: decisions spread over 2016-2025, every status, six
currencies with daily rates (6 decimals), some rows without a USD rate, sector shares and
equal splits, 1 % archived rows, repeat visitors in delegations.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from app.aid.models import Sector

FIRST_DAY = date(2016, 1, 1)
LAST_DAY = date(2025, 12, 31)
DAYS = (LAST_DAY - FIRST_DAY).days + 1
NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
CHUNK = 20_000

COUNTRIES = np.array(
    [
        "US",
        "KR",
        "JP",
        "AU",
        "DE",
        "FR",
        "GB",
        "NL",
        "CH",
        "SE",
        "NO",
        "DK",
        "BE",
        "CA",
        "NZ",
        "IE",
        "IT",
        "ES",
        "AT",
        "FI",
        "SG",
        "TW",
        "CN",
        "LA",
        "KH",
        "TH",
        "IN",
        "PH",
    ]
)
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
SECTORS = np.array(list(Sector.labels()))
SHARE_SETS = {
    2: [("60", "40"), ("50.5", "49.5")],
    3: [("33.33", "33.33", "33.34"), ("50", "30", "20")],
}
PURPOSES = ["khao_sat", "giam_sat_du_an", "hop_tac", "hoi_nghi", "nhan_dao", "khac"]
DELEGATION_STATUSES = (
    ["da_duyet", "hoan_thanh", "tu_choi", "huy", "da_gui"],
    [0.3, 0.5, 0.08, 0.07, 0.05],
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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


def insert(connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(table.insert(), rows[start : start + CHUNK])


def stamps() -> dict:
    return {"created_at": NOW, "updated_at": NOW, "version": 1}


def generate(connection, tables, args, rng: np.random.Generator) -> None:
    rates = daily_rates()
    rate_micros = {code: [micros(v) for v in values] for code, values in rates.items()}

    # Organisations.
    org_count = args.organizations
    countries = rng.choice(COUNTRIES, org_count)
    insert(
        connection,
        tables["organization"],
        [
            {
                "code": f"ORG{i:05d}",
                "name": f"Organisation {i}",
                "search_text": f"org{i:05d} organisation {i}",
                "kind": "ngo",
                "country": str(countries[i - 1]),
                **stamps(),
            }
            for i in range(1, org_count + 1)
        ],
    )
    org_ids = np.array(
        connection.execute(sa.select(tables["organization"].c.id).order_by("id")).scalars().all()
    )
    log(f"{org_count} organisations")

    # Aid items.
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
    donor = rng.choice(org_ids, n)
    usd_value = np.round(rng.lognormal(11.0, 1.2, n), 2)  # median ~ 60 000 USD
    rate_usd_missing = rng.random(n)
    counterpart = np.where(rng.random(n) < 0.5, rng.integers(1, 2_000, n) * 1_000_000, -1)
    archived = rng.random(n) < 0.01
    rows = []
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
        elif code == "USD":
            rate_vnd, rate_usd = unit_rate, usd_rate if rate_usd_missing[i] > 0.1 else None
        else:
            rate_vnd, rate_usd = unit_rate, usd_rate if rate_usd_missing[i] > 0.1 else None
        start = None if no_start[i] else the_day + timedelta(days=int(start_gap[i]))
        end = None if no_end[i] else (start or the_day) + timedelta(days=int(length[i]))
        rows.append(
            {
                "code": f"VT-{i + 1:06d}",
                "name": f"Khoản viện trợ {i + 1}",
                "search_text": f"vt-{i + 1:06d}",
                "modality": str(modality[i]),
                "status": str(status[i]),
                "value": Decimal(amount_cents).scaleb(-2),
                "currency": code,
                "rate_vnd": decimal_micros(rate_vnd),
                "rate_usd": decimal_micros(rate_usd),
                "value_vnd": vnd(amount_cents, rate_vnd),
                "counterpart_vnd": int(counterpart[i]) if counterpart[i] >= 0 else None,
                "start_on": start if approved[i] else None,
                "end_on": end if approved[i] else None,
                "decision_number": f"{i + 1}/QĐ-UBND" if approved[i] else None,
                "decision_date": the_day if approved[i] else None,
                "dossier_received_on": the_day - timedelta(days=40),
                "main_donor_id": int(donor[i]),
                "archived_at": NOW if archived[i] else None,
                **stamps(),
            }
        )
        if len(rows) == CHUNK:
            insert(connection, tables["aid_item"], rows)
            rows = []
    insert(connection, tables["aid_item"], rows)
    item_ids = np.array(
        connection.execute(sa.select(tables["aid_item"].c.id).order_by("id")).scalars().all()
    )
    log(f"{n} aid items")

    # Main donors and sectors.
    insert(
        connection,
        tables["aid_donor"],
        [
            {"aid_item_id": int(item_ids[i]), "organization_id": int(donor[i]), "position": 0}
            for i in range(n)
        ],
    )
    sector_count = rng.choice([1, 2, 3], n, p=[0.5, 0.35, 0.15])
    with_shares = rng.random(n) < 0.4
    sector_rows = []
    for i in range(n):
        k = int(sector_count[i])
        chosen = rng.choice(SECTORS, k, replace=False)
        shares = SHARE_SETS[k][int(rng.integers(0, 2))] if k > 1 and with_shares[i] else (None,) * k
        if k == 1 and with_shares[i]:
            shares = ("100",)
        for sector, share in zip(chosen, shares, strict=True):
            sector_rows.append(
                {
                    "aid_item_id": int(item_ids[i]),
                    "sector": str(sector),
                    "share": Decimal(share) if share else None,
                }
            )
    insert(connection, tables["aid_sector"], sector_rows)
    log(f"{len(sector_rows)} sector rows")

    # Disbursements, on approved items, after their decision, at most 4 years on.
    payable = np.flatnonzero(approved)
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
                "aid_item_id": int(item_ids[i]),
                "disbursed_on": FIRST_DAY + timedelta(days=day),
                "amount": Decimal(amount_cents).scaleb(-2),
                "currency": code,
                "rate_vnd": decimal_micros(rate_vnd),
                "rate_usd": decimal_micros(rate_usd),
                "value_vnd": vnd(amount_cents, rate_vnd),
                "verified": True,
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

    # Delegations and members (passports from a pool, so visitors come back).
    agency_id = connection.execute(sa.select(tables["agency"].c.id).limit(1)).scalar_one()
    d = args.delegations
    direction = np.where(rng.random(d) < 0.7, "vao", "ra")
    d_status = rng.choice(DELEGATION_STATUSES[0], d, p=DELEGATION_STATUSES[1])
    d_day = rng.integers(0, DAYS, d)
    d_country = rng.choice(COUNTRIES, d)
    purpose = rng.choice(PURPOSES, d)
    border = rng.random(d) < 0.15
    archived = rng.random(d) < 0.01
    insert(
        connection,
        tables["delegation"],
        [
            {
                "code": f"DOAN-{k + 1:06d}",
                "direction": str(direction[k]),
                "title": f"Đoàn {k + 1}",
                "search_text": f"doan-{k + 1:06d}",
                "purpose": str(purpose[k]),
                "status": str(d_status[k]),
                "country": str(d_country[k]),
                "start_on": FIRST_DAY + timedelta(days=int(d_day[k])),
                "end_on": FIRST_DAY + timedelta(days=int(d_day[k]) + 3),
                "author_agency_id": agency_id,
                "host_agency_id": agency_id,
                "is_border_area": bool(border[k]),
                "is_late_request": False,
                "archived_at": NOW if archived[k] else None,
                **stamps(),
            }
            for k in range(d)
        ],
    )
    delegation_ids = (
        connection.execute(sa.select(tables["delegation"].c.id).order_by("id")).scalars().all()
    )
    sizes = rng.integers(1, 13, d)
    pool = max(1, int(sizes.sum() * 0.6))
    rows = []
    for k in range(d):
        for _ in range(int(sizes[k])):
            person = int(rng.integers(0, pool))
            foreign = direction[k] == "vao"
            rows.append(
                {
                    "delegation_id": delegation_ids[k],
                    "full_name": f"Person {person}",
                    "name_folded": f"person {person}",
                    "nationality": str(d_country[k]) if foreign else "VN",
                    "passport_number": f"P{person:07d}" if foreign or person % 3 else None,
                    "is_head": False,
                    "archived_at": NOW if person % 97 == 0 else None,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
        if len(rows) >= CHUNK:
            insert(connection, tables["delegation_member"], rows)
            rows = []
    insert(connection, tables["delegation_member"], rows)
    log(f"{d} delegations, {int(sizes.sum())} members")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--disbursements", type=int, default=1_000_000)
    parser.add_argument("--delegations", type=int, default=20_000)
    parser.add_argument("--organizations", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL to the database to fill (SQLite file or PostgreSQL)")

    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        engine = db.engine
        tables = db.metadata.tables
        with engine.begin() as connection:
            if connection.execute(
                sa.select(sa.func.count()).select_from(tables["aid_item"])
            ).scalar():
                log("The database already has aid items: use an empty database.")
                return 1
            if connection.execute(sa.select(tables["agency"].c.id).limit(1)).first() is None:
                connection.execute(
                    tables["agency"].insert(),
                    {
                        "name": "Sở Ngoại vụ (dữ liệu thử)",
                        "kind": "foreign_affairs",
                        "active": True,
                        **stamps(),
                    },
                )
            generate(connection, tables, args, np.random.default_rng(args.seed))
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
            else:
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
        engine.dispose()
    log(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
