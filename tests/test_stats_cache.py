"""The statistics pages' figures are computed once per content of their input rows: reused
while nothing they count changed, computed again after any write that changes them (made
through the forms, or elsewhere), and always equal to a computation without the cache."""

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa

from app.aid.models import Disbursement
from app.aid.states import AidStatus
from app.core.dates import format_date, today_vn
from app.core.money import format_vnd
from app.extensions import db as _db
from app.stats import cache, loaders, report, services

Y = 2025  # make_item approves on 25/03/2025 and starts on 01/04/2025


@pytest.fixture
def calls(monkeypatch):
    """{rule: how many times it ran}; the cache starts empty."""
    cache.figures.clear()
    counts = {"aid_section": 0, "delegation_section": 0, "yearly_figures": 0, "key_figures_from": 0}
    for name in counts:
        original = getattr(report, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(report, name, counted)
    yield counts
    cache.figures.clear()


@pytest.fixture
def running(make_item):
    """An item running since 2025 with a disbursement of 2 000 000 đ on 10/04/2025."""
    item = make_item("CACHE-1", status=AidStatus.DANG_THUC_HIEN)
    _db.session.add(
        Disbursement(
            aid_item_id=item.id,
            disbursed_on=date(Y, 4, 10),
            amount=Decimal(2_000_000),
            currency="VND",
            value_vnd=2_000_000,
        )
    )
    _db.session.commit()
    return item


def headline_disbursed(html: str) -> str:
    marker = 'data-testid="headline-disbursed-vnd">'
    return html.split(marker, 1)[1].split("<", 1)[0]


def key_disbursed(html: str) -> str:
    marker = 'data-testid="key-disbursed-vnd">'
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_pages_reuse_the_figures_while_nothing_changed(login, running, calls):
    web = login("leadership.viewer")
    for _ in range(3):
        assert web.get(f"/thong-ke/{Y}").status_code == 200
        assert web.get("/").status_code == 200
    # Once each: the report and the comparison of the year page, the home page's figures.
    assert calls == {
        "aid_section": 1,
        "delegation_section": 1,
        "yearly_figures": 1,
        "key_figures_from": 1,
    }
    assert cache.figures.hits == 10 and cache.figures.misses == 5  # 4 on the year page


def test_a_write_that_changes_no_counted_row_keeps_the_figures(login, running, calls):
    """A new donor, as the load test makes every few seconds, counts in no figure."""
    web = login("leadership.viewer")
    web.get(f"/thong-ke/{Y}")
    web.get("/")
    planner = login("planning.officer")
    created = planner.post(
        "/to-chuc/moi", {"code": "CACHE-NEW", "name": "Donor", "kind": "ngo", "country": "DE"}
    )
    assert created.status_code == 302
    web.get(f"/thong-ke/{Y}")
    web.get("/")
    assert calls == {
        "aid_section": 1,
        "delegation_section": 1,
        "yearly_figures": 1,
        "key_figures_from": 1,
    }


def test_figures_computed_again_after_a_disbursement_posted_through_the_form(login, running, calls):
    web = login("leadership.viewer")
    assert headline_disbursed(web.get(f"/thong-ke/{Y}").get_data(as_text=True)) == format_vnd(
        2_000_000
    )
    home_before = key_disbursed(web.get("/").get_data(as_text=True))
    assert calls["aid_section"] == 1 and calls["key_figures_from"] == 1

    planner = login("planning.officer")
    for day, amount in ((date(Y, 6, 1), "3.000.000"), (today_vn(), "5.000.000")):
        response = planner.post(
            f"/vien-tro/{running.id}/ghi-nhan/giai-ngan",
            {
                "disbursed_on": format_date(day),
                "amount": amount,
                "currency": "VND",
                "source": "Sao kê",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    page = web.get(f"/thong-ke/{Y}").get_data(as_text=True)
    assert headline_disbursed(page) == format_vnd(5_000_000)
    assert calls["aid_section"] == 2 and calls["yearly_figures"] == 2
    home = key_disbursed(web.get("/").get_data(as_text=True))
    assert calls["key_figures_from"] == 2
    if today_vn().year != Y:  # the home page shows this year's figures
        assert home != home_before and home == format_vnd(5_000_000)


def test_each_part_of_the_report_is_kept_by_its_own_tables(login, running, calls):
    """A disbursement keeps the delegation figures, a delegation keeps the aid figures:
    only the part that reads the changed table is computed again."""
    web = login("leadership.viewer")
    web.get(f"/thong-ke/{Y}")
    planner = login("planning.officer")
    posted = planner.post(
        f"/vien-tro/{running.id}/ghi-nhan/giai-ngan",
        {
            "disbursed_on": f"01/06/{Y}",
            "amount": "3.000.000",
            "currency": "VND",
            "source": "Sao kê",
        },
    )
    assert posted.status_code == 302
    page = web.get(f"/thong-ke/{Y}").get_data(as_text=True)
    assert headline_disbursed(page) == format_vnd(5_000_000)
    assert (calls["aid_section"], calls["delegation_section"]) == (2, 1)
    _db.session.execute(
        sa.text(
            "INSERT INTO delegation (code, direction, title, search_text, purpose, status, "
            "country, start_on, end_on, author_agency_id, is_border_area, is_late_request, "
            "created_at, updated_at, version) SELECT 'CACHE-D', 'vao', 'Đoàn', 'cache-d', "
            "'khao_sat', 'da_duyet', 'LA', :start, :start, min(id), :no, :no, :now, :now, 1 "
            "FROM agency"
        ),
        {"start": date(Y, 5, 10), "no": False, "now": datetime(2026, 1, 2)},
    )
    _db.session.commit()
    page = web.get(f"/thong-ke/{Y}").get_data(as_text=True)
    assert headline_disbursed(page) == format_vnd(5_000_000)
    assert (calls["aid_section"], calls["delegation_section"]) == (2, 2)
    assert (
        web.get(f"/thong-ke/{Y}/bao-cao.json").get_json()["delegations"]["incoming"]["count"] == 1
    )


def test_a_change_made_elsewhere_is_seen_without_an_audit_entry(login, running, calls):
    """Another worker, the CLI or a fix in SQL: the figures follow the rows themselves."""
    web = login("leadership.viewer")
    web.get(f"/thong-ke/{Y}")
    _db.session.execute(
        sa.update(Disbursement)
        .where(Disbursement.aid_item_id == running.id)
        .values(value_vnd=7_000_000, amount=Decimal(7_000_000))
    )
    _db.session.commit()
    page = web.get(f"/thong-ke/{Y}").get_data(as_text=True)
    assert headline_disbursed(page) == format_vnd(7_000_000)
    assert calls["aid_section"] == 2


def without_time(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "generated_at"}


def test_cached_figures_equal_a_computation_without_the_cache(app, running, calls):
    with app.app_context():
        connection = _db.session.connection()
        for _ in range(2):  # the second round comes from the cache
            page = services.year_page(Y)
            figures = services.key_figures(Y)
        frames = loaders.load_frames(connection, Y)
        people = services.people_input(Y)
        expected = report.annual_report(frames, Y, people=people)
        assert without_time(page.report) == without_time(expected)
        totals = loaders.load_totals(connection, Y - 5, Y)
        expected = report.yearly_figures(totals, range(Y - 5, Y + 1))
        pd.testing.assert_frame_equal(page.comparison, expected)
        assert figures == report.key_figures_from(loaders.load_totals(connection, Y, Y), Y)
        assert page.report["aid"]["disbursed"]["value_vnd"] == 2_000_000
    assert calls["aid_section"] == 1 + 1  # one cached computation, one direct


def test_callers_get_their_own_copy(app, running, calls):
    with app.app_context():
        first = services.year_page(Y)
        first.report["aid"]["disbursed"]["value_vnd"] = -1
        first.comparison.loc[:, "approved_count"] = -1
        again = services.year_page(Y)
    assert again.report["aid"]["disbursed"]["value_vnd"] == 2_000_000
    assert (again.comparison["approved_count"] >= 0).all()
    assert calls["aid_section"] == 1


def test_generated_at_is_the_time_of_each_page(app, running, calls, monkeypatch):
    now = {"moment": datetime(2026, 1, 2, 8, 0, tzinfo=report.VN_TZ)}
    monkeypatch.setattr(report, "generated_now", lambda: now["moment"])
    with app.app_context():
        first = services.year_page(Y).report["generated_at"]
        now["moment"] = datetime(2026, 1, 2, 9, 30, tzinfo=report.VN_TZ)
        second = services.year_page(Y).report["generated_at"]
    assert (first, second) == ("2026-01-02T08:00:00+07:00", "2026-01-02T09:30:00+07:00")
    assert calls["aid_section"] == 1


def test_row_order_changes_neither_the_figures_nor_the_digest(app, running, make_item):
    """PostgreSQL may return the rows in another order when its plan changes."""
    for code, status in (("CACHE-2", AidStatus.DA_PHE_DUYET), ("CACHE-3", AidStatus.THU_HOI)):
        make_item(code, status=status)
    moment = datetime(2026, 1, 2, 8, 0, tzinfo=report.VN_TZ)
    with app.app_context():
        connection = _db.session.connection()
        frames = loaders.load_frames(connection, Y)
        totals = loaders.load_totals(connection, Y - 5, Y)
    expected = report.annual_report(frames, Y, moment)
    expected_years = report.yearly_figures(totals, range(Y - 5, Y + 1))
    for seed in range(3):
        shuffled = report.Frames(
            **{
                name: getattr(frames, name).sample(frac=1, random_state=seed)
                for name in report.COLUMNS
            }
        )
        assert report.annual_report(shuffled, Y, moment) == expected
        assert cache.digest(services._frames(shuffled)) == cache.digest(services._frames(frames))
        reordered = report.Totals(
            *(part.sample(frac=1, random_state=seed) for part in services._frames(totals))
        )
        pd.testing.assert_frame_equal(
            report.yearly_figures(reordered, range(Y - 5, Y + 1)), expected_years
        )
    assert expected["aid"]["approved"]["count"] == 3


def test_the_cache_is_bounded_least_recently_used_first():
    store = cache.FiguresCache(max_entries=2)
    frame = pd.DataFrame({"a": [1, 2]})
    computed = []

    def compute(name):
        computed.append(name)
        return name

    for name in ("a", "b", "a", "c", "a", "b"):
        assert store.get(name, [frame], lambda name=name: compute(name)) == name
    # "b" was the least recently used when "c" came, and "c" when "b" came back.
    assert computed == ["a", "b", "c", "b"] and len(store) == 2


def test_digest_follows_content_columns_and_types():
    frame = pd.DataFrame({"id": [1, 2], "day": [date(Y, 1, 1), None], "v": ["x", "y"]})
    same = pd.DataFrame({"id": [1, 2], "day": [date(Y, 1, 1), None], "v": ["x", "y"]})
    assert cache.digest([frame]) == cache.digest([same])
    changed = same.assign(v=["x", "z"])
    swapped = same.assign(v=["y", "x"])  # the same values in other rows
    renamed = same.rename(columns={"v": "w"})
    as_text = same.assign(id=["1", "2"])
    for other in (changed, swapped, renamed, as_text):
        assert cache.digest([frame]) != cache.digest([other])
    assert cache.digest([frame]) == cache.digest([same.iloc[::-1]])  # rows in another order
    scales = pd.DataFrame({"x": [Decimal("1.0")]}), pd.DataFrame({"x": [Decimal("1.00")]})
    assert cache.digest([scales[0]]) != cache.digest([scales[1]])
    assert cache.digest([frame, same]) != cache.digest([frame])
