"""The statistics' first view after a change (issue 15, item 5): the year page and the
downloads load the year's disbursements added up by the database (per rate, per main
donor: report.PaidTotals) instead of their rows, and the figures stay those of the rows.

- on random data, the totals (one line per group, built as the database groups) give the
  plain-Python reference's report;
- on both databases, load_report_frames gives the same report as the row-level load_frames,
  with archived items and rows, items paid but neither approved nor active in the year,
  an item without a donor, several currencies and rates, rates missing;
- the year page reads no disbursement row, only grouped totals;
- the notes' corrections are counted from their partial index.
"""

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
import sqlalchemy as sa

from app.aid.models import AidItem, Disbursement
from app.aid.states import AidStatus
from app.extensions import db as _db
from app.stats import loaders, notes, report, services
from app.stats.frames import PAID_DONOR_COLUMNS, PAID_RATE_COLUMNS
from tests.fixtures.orgs import new_org
from tests.test_stats_precomputed import queries_run
from tests.test_stats_report import Y as RANDOM_Y
from tests.test_stats_report import frames as row_frames
from tests.test_stats_report import random_frames, reference_report

Y = 2025  # make_item approves on 25/03/2025 and starts on 01/04/2025


def without_time(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "generated_at"}


# --- The rules on totals -------------------------------------------------------------------


def grouped_totals(rows: dict, year: int) -> report.PaidTotals:
    """What the loader asks the database, done naively: the year's live disbursements of
    live items added up per (currency, rate_vnd, rate_usd) and per main donor."""
    items = {i["id"]: i for i in rows["items"] if i["archived_at"] is None}
    by_rate, by_donor = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for paid in rows["disbursements"]:
        on = paid["disbursed_on"]
        if paid["archived_at"] is not None or on.year != year or paid["aid_item_id"] not in items:
            continue
        key = (paid["currency"], paid["rate_vnd"], paid["rate_usd"])
        donor = items[paid["aid_item_id"]]["main_donor_id"]
        for table, group in ((by_rate, key), (by_donor, donor)):
            table[group][0] += 1
            table[group][1] += paid["value_vnd"]
    rates = [
        {"currency": c, "rate_vnd": v, "rate_usd": u, "rows": n, "value_vnd": s}
        for (c, v, u), (n, s) in by_rate.items()
    ]
    donors = [{"main_donor_id": d, "rows": n, "value_vnd": s} for d, (n, s) in by_donor.items()]
    return report.PaidTotals(
        year,
        pd.DataFrame(rates, columns=list(PAID_RATE_COLUMNS)),
        pd.DataFrame(donors, columns=list(PAID_DONOR_COLUMNS)),
    )


@pytest.mark.parametrize("seed", range(6))
def test_totals_instead_of_rows_give_the_plain_python_reference(seed):
    rows = random_frames(seed)
    for year in (RANDOM_Y - 1, RANDOM_Y, RANDOM_Y + 1):
        f = row_frames(
            items=rows["items"],
            sectors=rows["sectors"],
            orgs=rows["organizations"],
            delegations=rows["delegations"],
            members=rows["members"],
        )  # no disbursement rows: only their totals
        f.paid = grouped_totals(rows, year)
        result = report.annual_report(f, year)
        del result["generated_at"]
        assert result == reference_report(rows, year), year
        assert result["aid"]["disbursed"]["count"] > 0


def test_totals_of_another_year_are_refused():
    f = row_frames()
    f.paid = report.PaidTotals(Y - 1, pd.DataFrame(), pd.DataFrame())
    with pytest.raises(ValueError):
        report.paid_totals(f, Y)


# --- The loader on both databases ------------------------------------------------------------


def pay(item_id, on, value_vnd, currency="VND", rate_vnd=None, rate_usd=None, **fields):
    return Disbursement(
        aid_item_id=item_id,
        disbursed_on=on,
        amount=Decimal(value_vnd),
        currency=currency,
        rate_vnd=rate_vnd,
        rate_usd=rate_usd,
        value_vnd=value_vnd,
        **fields,
    )


@pytest.fixture
def paid_items(app, db, make_item):
    """Items and disbursements that the totals must count exactly as the rows."""
    gone = datetime(2025, 12, 1, tzinfo=UTC)
    with app.app_context():
        kr, jp = new_org(_db, "FV-KR", country="KR"), new_org(_db, "FV-JP", country="JP")
        _db.session.commit()
    running = make_item("FV-RUN", status=AidStatus.DANG_THUC_HIEN)  # approved and active in Y
    old = make_item("FV-OLD", status=AidStatus.TAM_DUNG, donor=kr)  # paid only
    archived = make_item("FV-GONE", status=AidStatus.DANG_THUC_HIEN, donor=jp)
    orphan = make_item("FV-NONE", status=AidStatus.TAM_DUNG)  # paid only, no donor
    with app.app_context():
        _db.session.execute(
            sa.update(AidItem)
            .where(AidItem.id.in_([old.id, orphan.id]))
            .values(decision_date=date(2021, 5, 4))
        )
        _db.session.execute(
            sa.update(AidItem).where(AidItem.id == orphan.id).values(main_donor_id=None)
        )
        _db.session.execute(
            sa.update(AidItem).where(AidItem.id == archived.id).values(archived_at=gone)
        )
        usd, eur = Decimal("25125.5"), Decimal("27010.123456")
        rows = [
            pay(running.id, date(Y, 4, 10), 2_512_550_000, "USD", usd),
            pay(running.id, date(Y, 5, 10), 1_256_275_001, "USD", usd),  # same rate
            pay(running.id, date(Y, 6, 1), 270_101_235, "EUR", eur, Decimal("24999.999999")),
            pay(running.id, date(Y, 6, 2), 5_000_000, "USD"),  # no rate: usd_missing
            pay(running.id, date(Y, 7, 1), 7_000_000),
            pay(running.id, date(Y, 7, 2), 9_000_000, archived_at=gone),  # archived row
            pay(running.id, date(Y - 1, 12, 31), 3_000_000),  # another year
            pay(running.id, date(Y + 1, 1, 1), 4_000_000),
            pay(old.id, date(Y, 2, 1), 1_000_000_000, "KRW", Decimal("18.5")),
            pay(old.id, date(Y, 2, 2), 1_000_000_000, "KRW", Decimal("18.5"), usd),
            pay(orphan.id, date(Y, 3, 3), 11_000_000, "USD", usd, usd),
            pay(archived.id, date(Y, 8, 8), 50_000_000),  # of an archived item
            pay(archived.id, date(Y, 8, 9), 60_000_000, "USD", usd),
        ]
        _db.session.add_all(rows)
        _db.session.commit()
    return {"running": running, "old": old, "orphan": orphan, "kr": kr}


def test_the_report_from_totals_equals_the_report_from_rows(app, paid_items):
    with app.app_context():
        connection = _db.session.connection()
        for year in (Y - 1, Y, Y + 1):
            totals = loaders.load_report_frames(connection, year)
            rows = loaders.load_frames(connection, year)
            assert totals.disbursements.empty and totals.paid.year == year
            assert len(totals.paid.by_rate) < len(rows.disbursements) or year != Y
            expected = without_time(report.annual_report(rows, year))
            assert without_time(report.annual_report(totals, year)) == expected, year
        data = services.cached_annual_report(Y)
    disbursed = data["aid"]["disbursed"]
    live = [2_512_550_000, 1_256_275_001, 270_101_235, 5_000_000, 7_000_000]
    live += [1_000_000_000, 1_000_000_000, 11_000_000]
    assert disbursed["count"] == len(live) and disbursed["value_vnd"] == sum(live)
    assert disbursed["usd_missing"] == 3  # the USD row without a rate, the first KRW, the VND
    usd = Decimal("25125.5")
    parts = [(2_512_550_000 + 1_256_275_001 + 11_000_000 + 1_000_000_000, usd)]
    parts.append((270_101_235, Decimal("24999.999999")))
    exact = sum(Decimal(v) / r for v, r in parts)
    cents = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(str(disbursed["value_usd"])) == cents
    donors = {row["donor"]: row["disbursed_vnd"] for row in data["aid"]["by_donor"]}
    assert donors["FV-KR"] == 2_000_000_000 and donors[None] == 11_000_000
    assert "FV-JP" not in donors  # the archived item's donor has nothing else


def test_the_year_page_reads_no_disbursement_row(app, paid_items):
    with app.app_context():
        services.notes_cache.clear()
        services.cache.figures.clear()
        statements = queries_run(lambda: services.year_page(Y))
    # (the mobilisation section reads the rows of the few items linked to a proposal)
    reading = [
        s
        for s in statements
        if "FROM disbursement" in s and "stats_" not in s and "mobilisation_proposal" not in s
    ]
    assert len(reading) >= 4  # the two totals, the comparison's daily totals, the notes
    for statement in reading:
        upper = statement.upper()
        assert "GROUP BY" in upper or "COUNT(" in upper or "SUM(" in upper, statement


# --- The notes ---------------------------------------------------------------------------------


def test_corrections_are_counted_from_their_partial_index(app, paid_items):
    with app.app_context():
        indexes = sa.inspect(_db.engine).get_indexes("disbursement")
        assert "ix_disbursement_correction" in {index["name"] for index in indexes}
        running = paid_items["running"]
        _db.session.add(
            pay(running.id, date(Y, 9, 9), 1_500_000, is_correction=True, reason="Điều chỉnh")
        )
        _db.session.add(
            pay(
                running.id,
                date(Y, 9, 10),
                900_000,
                is_correction=True,
                archived_at=datetime.now(UTC),
            )
        )
        _db.session.commit()
        found = notes.year_notes(_db.session, Y)
        assert (found.corrections_count, found.corrections_vnd) == (1, 1_500_000)
        statements = queries_run(lambda: notes.year_notes(_db.session, Y))
        (counting,) = [s for s in statements if "is_correction" in s]
        # the index's own predicate (SQLite uses a partial index only then)
        assert "is_correction = " in counting
        if _db.engine.dialect.name == "sqlite":
            assert "ix_disbursement_correction" in _plan_of_corrections(Y)


def _plan_of_corrections(year: int) -> str:
    """SQLite's plan of the notes' corrections query (literal dates)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    query = (
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Disbursement.value_vnd), 0))
        .join(AidItem, AidItem.id == Disbursement.aid_item_id)
        .where(
            Disbursement.is_correction == sa.true(),
            Disbursement.archived_at.is_(None),
            AidItem.archived_at.is_(None),
            Disbursement.disbursed_on.between(first, last),
        )
    )
    sql = str(query.compile(_db.engine, compile_kwargs={"literal_binds": True}))
    rows = _db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql)).all()
    return " ".join(str(row[-1]) for row in rows)


def test_over_disbursed_items_are_those_of_the_year_only(app, paid_items):
    """The rule now runs in a fenced subquery: still only the year's items, all of them."""
    with app.app_context():
        found = notes.year_notes(_db.session, Y)
        codes = {code for _, code, _ in found.over_disbursed}
        # FV-RUN (USD 100 000): its USD rows' amounts alone exceed it: over. FV-OLD (USD
        # 100 000 at 25 000; KRW rows worth 2e9 đ = USD 80 000): not over. The archived
        # item is never listed.
        assert "FV-RUN" in codes and "FV-GONE" not in codes
        assert found.over_disbursed_count == len(codes)
