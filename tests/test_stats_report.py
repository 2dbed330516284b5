"""The annual report's counting rules on small hand-built DataFrames (no Flask, no database).

Every expected figure is worked out by hand in the test (spec/annual-report.md).
"""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from app.stats import report
from app.stats.report import Frames

Y = 2024


def item(id, **fields):
    values = {
        "id": id,
        "status": "da_phe_duyet",
        "decision_date": date(Y, 3, 1),
        "start_on": None,
        "end_on": None,
        "modality": "du_an",
        "main_donor_id": 1,
        "value_vnd": 0,
        "counterpart_vnd": None,
        "currency": "VND",
        "rate_vnd": None,
        "rate_usd": None,
        "archived_at": None,
    }
    values.update(fields)
    return values


def paid(aid_item_id, on, value_vnd, **fields):
    values = {
        "aid_item_id": aid_item_id,
        "disbursed_on": on,
        "value_vnd": value_vnd,
        "currency": "VND",
        "rate_vnd": None,
        "rate_usd": None,
        "archived_at": None,
    }
    values.update(fields)
    return values


def org(id, code, country, name=None):
    return {"id": id, "code": code, "name": name or f"Org {code}", "country": country}


def delegation(id, direction="vao", **fields):
    values = {
        "id": id,
        "direction": direction,
        "status": "da_duyet",
        "start_on": date(Y, 5, 10),
        "country": "LA",
        "purpose": "khao_sat",
        "is_border_area": False,
        "archived_at": None,
    }
    values.update(fields)
    return values


def member(delegation_id, passport, nationality="LA", archived_at=None):
    return {
        "delegation_id": delegation_id,
        "passport_number": passport,
        "nationality": nationality,
        "archived_at": archived_at,
    }


def frames(items=(), sectors=(), disbursements=(), orgs=(), delegations=(), members=()):
    def frame(kind, rows):
        return pd.DataFrame(list(rows)) if rows else report.empty_frame(kind)

    return Frames(
        items=frame("items", items),
        sectors=frame(
            "sectors", [{"aid_item_id": i, "sector": s, "share": sh} for i, s, sh in sectors]
        ),
        disbursements=frame("disbursements", disbursements),
        organizations=frame("organizations", orgs or [org(1, "D1", "US")]),
        delegations=frame("delegations", delegations),
        members=frame("members", members),
    )


def aid(f, year=Y):
    return report.annual_report(f, year)["aid"]


def dele(f, year=Y):
    return report.annual_report(f, year)["delegations"]


# --- Approved in Y ----------------------------------------------------------------------------


def test_approved_by_decision_date_whatever_the_status_now_including_revoked():
    f = frames(
        items=[
            item(1, status="da_phe_duyet", value_vnd=100, counterpart_vnd=10),
            item(2, status="dang_thuc_hien", value_vnd=200),
            item(3, status="tam_dung", value_vnd=300, counterpart_vnd=5),
            item(4, status="hoan_thanh", value_vnd=400),
            item(5, status="thu_hoi", value_vnd=500),  # revoked since: still approved in Y
            item(6, decision_date=date(Y - 1, 12, 31), value_vnd=1_000),  # previous year
            item(7, decision_date=date(Y + 1, 1, 1), value_vnd=2_000),  # next year
            item(8, status="tiep_nhan", decision_date=None, value_vnd=4_000),  # no decision
            item(9, value_vnd=8_000, archived_at=datetime(2025, 1, 2, tzinfo=UTC)),  # deleted
        ]
    )
    approved = aid(f)["approved"]
    # 100 + 200 + 300 + 400 + 500 = 1 500; counterpart 10 + 5 (None counts 0).
    assert approved["count"] == 5
    assert approved["value_vnd"] == 1_500
    assert approved["counterpart_vnd"] == 15


def test_usd_value_rate_fallback_and_missing_rates():
    f = frames(
        items=[
            # USD item without ty_gia_usd: falls back to its own rate 25 000 -> 100 005 USD.
            item(1, currency="USD", rate_vnd=25_000, value_vnd=2_500_125_000),
            # EUR item with ty_gia_usd 24 000: 1 200 000 / 24 000 = 50 USD.
            item(2, currency="EUR", rate_vnd=27_000, rate_usd=24_000, value_vnd=1_200_000),
            # VND item with ty_gia_usd 25 000.5: 2 500 000 / 25 000.5 = 99.99800003999920...
            item(3, currency="VND", rate_usd="25000.5", value_vnd=2_500_000),
            # EUR item with only ty_gia: no USD rate -> counted in usd_missing.
            item(4, currency="EUR", rate_vnd=27_000, value_vnd=2_700_000),
            # VND item with no rate at all -> usd_missing too.
            item(5, value_vnd=1_000_000),
        ]
    )
    approved = aid(f)["approved"]
    # 100 005 + 50 + 99.998000039... = 100 154.998000039... -> 100 155.00
    assert approved["value_usd"] == 100_155.00
    assert approved["usd_missing"] == 2
    assert approved["value_vnd"] == 2_500_125_000 + 1_200_000 + 2_500_000 + 2_700_000 + 1_000_000


def test_usd_is_rounded_once_after_the_sum_and_half_up():
    # 100 / 25 000 = 0.004 USD each: each would round to 0.00, the sum 0.008 gives 0.01.
    tiny = frames(items=[item(i, rate_usd=25_000, value_vnd=100) for i in (1, 2)])
    assert aid(tiny)["approved"]["value_usd"] == 0.01
    # 125 / 25 000 = 0.005 exactly: half up -> 0.01 (half-even would give 0.00).
    tie = frames(items=[item(1, rate_usd=25_000, value_vnd=125)])
    assert aid(tie)["approved"]["value_usd"] == 0.01
    # 1/300 + 1/600 = 0.005 exactly although neither term is a finite decimal: an exact
    # sum rounds it up to 0.01 (a float sum gives 0.00499999... and 0.00).
    thirds = frames(items=[item(1, rate_usd=300, value_vnd=1), item(2, rate_usd=600, value_vnd=1)])
    assert aid(thirds)["approved"]["value_usd"] == 0.01
    # Just below a half cent: 1/300 + 1/600.000001 < 0.005 -> 0.00.
    below = frames(
        items=[item(1, rate_usd=300, value_vnd=1), item(2, rate_usd="600.000001", value_vnd=1)]
    )
    assert aid(below)["approved"]["value_usd"] == 0.0


# --- Disbursed in Y ---------------------------------------------------------------------------


def test_disbursed_in_year_only_live_rows_with_their_own_rates():
    archived = datetime(2025, 1, 1, tzinfo=UTC)
    f = frames(
        items=[
            item(1, decision_date=date(Y - 2, 6, 1)),  # approved earlier, paid in Y
            item(2, archived_at=archived),  # deleted item: its disbursements are gone too
        ],
        disbursements=[
            paid(1, date(Y, 1, 1), 2_500_000, currency="USD", rate_vnd=25_000),  # 100 USD
            paid(1, date(Y, 12, 31), 480_000, rate_usd=24_000),  # VND with a USD rate: 20 USD
            paid(1, date(Y, 7, 1), 1_000),  # no USD rate: usd_missing
            paid(1, date(Y - 1, 12, 31), 7_000_000),  # another year
            paid(1, date(Y + 1, 1, 1), 7_000_000),  # another year
            paid(1, date(Y, 3, 3), 9_000_000, archived_at=archived),  # cancelled row
            paid(2, date(Y, 3, 3), 9_000_000),  # item archived
        ],
    )
    disbursed = aid(f)["disbursed"]
    assert disbursed == {
        "count": 3,
        "value_vnd": 2_500_000 + 480_000 + 1_000,
        "value_usd": 120.0,
        "usd_missing": 1,
    }
    assert aid(f)["approved"]["count"] == 0


# --- Active in Y ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, active",
    [
        ({"start_on": date(Y, 12, 31)}, True),  # starts on the last day
        ({"start_on": date(Y - 3, 1, 1), "end_on": date(Y, 1, 1)}, True),  # ends on day one
        ({"start_on": date(Y - 3, 1, 1), "end_on": date(Y - 1, 12, 31)}, False),  # ended before
        ({"start_on": date(Y + 1, 1, 1)}, False),  # starts after
        ({"decision_date": date(Y - 5, 1, 1)}, True),  # no start: decision; no end: open
        ({"decision_date": date(Y + 1, 2, 1)}, False),  # decided (so started) after Y
        ({"start_on": date(Y - 1, 1, 1), "decision_date": date(Y + 1, 1, 1)}, True),  # start wins
        ({"status": "dang_thuc_hien", "end_on": date(Y, 6, 30)}, True),
        ({"status": "hoan_thanh", "start_on": date(Y - 2, 1, 1), "end_on": date(Y, 2, 1)}, True),
        ({"status": "tam_dung"}, False),  # suspended is not active
        ({"status": "thu_hoi"}, False),  # revoked is not active
        ({"status": "tham_dinh", "decision_date": None, "start_on": date(Y, 1, 1)}, False),
        ({"decision_date": None, "start_on": None}, False),  # no period at all
    ],
)
def test_active_in_year_edges(fields, active):
    f = frames(items=[item(1, **fields)])
    assert aid(f)["active_count"] == (1 if active else 0)


# --- by_sector -----------------------------------------------------------------------------


def test_by_sector_shares_and_equal_split_rounded_half_up_after_the_sum():
    f = frames(
        items=[
            item(1, value_vnd=1_001),  # 50.5 % / 49.5 %
            item(2, value_vnd=5),  # equal split in two: 2.5 each
            item(3, value_vnd=1),  # equal split in three: 1/3 each
            item(4, value_vnd=1),
            item(5, value_vnd=1),
            item(6, value_vnd=999, decision_date=date(Y - 1, 5, 5)),  # other year
        ],
        sectors=[
            (1, "y_te", "50.5"),
            (1, "giao_duc", 49.5),
            (2, "y_te", None),
            (2, "khac", None),
            *[(i, s, None) for i in (3, 4, 5) for s in ("moi_truong", "sinh_ke", "xa_hoi")],
            (6, "ha_tang", None),
        ],
    )
    rows = aid(f)["by_sector"]
    # y_te: 1 001 x 50.5 % = 505.505, + 2.5 = 508.005 -> 508 (two items)
    # giao_duc: 1 001 x 49.5 % = 495.495 -> 495
    # khac: 2.5 -> 3 (half up; half-even would give 2)
    # moi_truong, sinh_ke, xa_hoi: 1/3 + 1/3 + 1/3 = exactly 1 -> 1 each (rounding each
    # third first would give 0); equal values are ordered by key.
    assert rows == [
        {"sector": "y_te", "count": 2, "value_vnd": 508},
        {"sector": "giao_duc", "count": 1, "value_vnd": 495},
        {"sector": "khac", "count": 1, "value_vnd": 3},
        {"sector": "moi_truong", "count": 3, "value_vnd": 1},
        {"sector": "sinh_ke", "count": 3, "value_vnd": 1},
        {"sector": "xa_hoi", "count": 3, "value_vnd": 1},
    ]


def test_by_sector_equal_split_of_a_third_is_exact():
    # 2/3 + 1 000/3 = 1 002/3 = 334 exactly per sector (rounding each share first would
    # give 1 + 333 = 334 too, but a float sum of the thirds need not).
    f = frames(
        items=[item(1, value_vnd=2), item(2, value_vnd=1_000)],
        sectors=[(i, s, None) for i in (1, 2) for s in ("cong_dong", "cuu_tro", "khac")],
    )
    assert [r["value_vnd"] for r in aid(f)["by_sector"]] == [334, 334, 334]
    # 100 split in three: 33.333... -> 33 each (the rounding does not force a total of 100).
    f = frames(items=[item(1, value_vnd=100)], sectors=[(1, s, None) for s in ("a", "b", "c")])
    assert [r["value_vnd"] for r in aid(f)["by_sector"]] == [33, 33, 33]


# --- by_country, by_donor, by_modality ----------------------------------------------------------


def test_by_country_and_by_donor_with_disbursements_of_other_years_items():
    f = frames(
        orgs=[
            org(1, "USAID", "US", "US Aid"),
            org(2, "KOICA", "KR", "Korea Intl"),
            org(3, "JICA", "JP", "Japan Intl"),
            org(4, "KFHI", "KR", "Korea Food"),
            org(5, "ZOA", "NL", "ZOA"),
        ],
        items=[
            item(1, main_donor_id=1, value_vnd=300, modality="du_an"),
            item(2, main_donor_id=2, value_vnd=200, modality="phi_du_an"),
            item(3, main_donor_id=4, value_vnd=100, modality="du_an"),
            # Approved two years ago, only paid in Y: the row has count 0 and value 0.
            item(4, main_donor_id=3, value_vnd=9_999, decision_date=date(Y - 2, 1, 1)),
            item(5, main_donor_id=5, value_vnd=500, modality="chuong_trinh"),
        ],
        disbursements=[
            paid(4, date(Y, 4, 1), 70),
            paid(2, date(Y, 4, 1), 20),
            paid(3, date(Y, 4, 2), 5),
            paid(1, date(Y - 1, 4, 1), 1_000_000),  # another year
        ],
    )
    result = aid(f)
    # KR: items 2 and 3 (200 + 100 = 300), paid 20 + 5; US 300: tie with KR, by key KR < US.
    assert result["by_country"] == [
        {"country": "NL", "count": 1, "value_vnd": 500, "disbursed_vnd": 0},
        {"country": "KR", "count": 2, "value_vnd": 300, "disbursed_vnd": 25},
        {"country": "US", "count": 1, "value_vnd": 300, "disbursed_vnd": 0},
        {"country": "JP", "count": 0, "value_vnd": 0, "disbursed_vnd": 70},
    ]
    assert result["by_donor"] == [
        {"donor": "ZOA", "name": "ZOA", "count": 1, "value_vnd": 500, "disbursed_vnd": 0},
        {"donor": "USAID", "name": "US Aid", "count": 1, "value_vnd": 300, "disbursed_vnd": 0},
        {"donor": "KOICA", "name": "Korea Intl", "count": 1, "value_vnd": 200, "disbursed_vnd": 20},
        {"donor": "KFHI", "name": "Korea Food", "count": 1, "value_vnd": 100, "disbursed_vnd": 5},
        {"donor": "JICA", "name": "Japan Intl", "count": 0, "value_vnd": 0, "disbursed_vnd": 70},
    ]
    # du_an 300 + 100 = 400; chuong_trinh 500; phi_du_an 200.
    assert result["by_modality"] == [
        {"modality": "chuong_trinh", "count": 1, "value_vnd": 500},
        {"modality": "du_an", "count": 2, "value_vnd": 400},
        {"modality": "phi_du_an", "count": 1, "value_vnd": 200},
    ]


def test_item_without_main_donor_has_a_null_row_last():
    f = frames(items=[item(1, main_donor_id=None, value_vnd=10), item(2, value_vnd=10)])
    assert aid(f)["by_country"] == [
        {"country": "US", "count": 1, "value_vnd": 10, "disbursed_vnd": 0},
        {"country": None, "count": 1, "value_vnd": 10, "disbursed_vnd": 0},
    ]


def test_huge_values_stay_exact():
    # 4 x 3 x 10^18 đồng would overflow int64 sums: Python integers take over.
    big = 3 * 10**18
    f = frames(
        items=[item(i, value_vnd=big, rate_usd=25_000) for i in range(1, 5)],
        sectors=[(i, "y_te", None) for i in range(1, 5)],
    )
    result = aid(f)
    assert result["approved"]["value_vnd"] == 4 * big
    assert result["by_sector"] == [{"sector": "y_te", "count": 4, "value_vnd": 4 * big}]
    assert result["approved"]["value_usd"] == 4 * big / 25_000


# --- Delegations ------------------------------------------------------------------------------


def test_delegations_counted_members_and_unique_visitors():
    archived = datetime(2025, 1, 1, tzinfo=UTC)
    f = frames(
        delegations=[
            delegation(1, is_border_area=True),
            delegation(2, status="hoan_thanh", start_on=date(Y, 1, 1)),
            delegation(3, "ra", country="KR", start_on=date(Y, 12, 31)),
            delegation(4, status="dang_xem_xet"),  # not approved
            delegation(5, status="huy"),  # cancelled
            delegation(6, start_on=date(Y - 1, 12, 31), end_on=date(Y, 1, 5)),  # starts in Y-1
            delegation(7, archived_at=archived),  # deleted
        ],
        members=[
            member(1, "A1", "LA"),
            member(1, "B2", "LA"),
            member(1, None, "LA"),  # no passport: a member, not a unique visitor
            member(2, "A1", "LA"),  # same person again: one visitor
            member(2, "A1", "TH"),  # same number, other nationality: another visitor
            member(2, "", "LA"),  # empty passport counts as none
            member(2, "C3", "LA", archived_at=archived),  # removed member
            member(3, "V1", "VN"),
            member(3, "V2", "VN"),
            member(4, "Z9", "LA"),
            member(7, "Z8", "LA"),
        ],
    )
    result = dele(f)
    assert result["incoming"] == {"count": 2, "members": 6, "unique_visitors": 3, "border_area": 1}
    assert result["outgoing"] == {"count": 1, "members": 2}
    assert result["by_country"] == [
        {"country": "LA", "incoming": 2, "outgoing": 0, "members": 6},
        {"country": "KR", "incoming": 0, "outgoing": 1, "members": 2},
    ]


def test_delegations_by_month_has_all_twelve_months():
    f = frames(
        delegations=[
            delegation(1, start_on=date(Y, 2, 1)),
            delegation(2, start_on=date(Y, 2, 29)),
            delegation(3, "ra", start_on=date(Y, 11, 30)),
        ]
    )
    months = dele(f)["by_month"]
    assert [m["month"] for m in months] == list(range(1, 13))
    assert months[1] == {"month": 2, "incoming": 2, "outgoing": 0}
    assert months[10] == {"month": 11, "incoming": 0, "outgoing": 1}
    assert sum(m["incoming"] + m["outgoing"] for m in months) == 3
    assert months[0] == {"month": 1, "incoming": 0, "outgoing": 0}
    empty = dele(frames())["by_month"]
    assert empty == [{"month": m, "incoming": 0, "outgoing": 0} for m in range(1, 13)]


def test_delegation_lists_sorted_by_total_then_key():
    f = frames(
        delegations=[
            delegation(1, country="TH", purpose="hop_tac"),
            delegation(2, "ra", country="JP", purpose="hoi_nghi"),
            delegation(3, country="LA", purpose="khao_sat"),
            delegation(4, "ra", country="LA", purpose="khao_sat"),
            delegation(5, country="CN", purpose="nhan_dao"),
        ]
    )
    result = dele(f)
    # LA has 2; CN, JP, TH 1 each, by code.
    assert [r["country"] for r in result["by_country"]] == ["LA", "CN", "JP", "TH"]
    assert result["by_purpose"] == [
        {"purpose": "khao_sat", "incoming": 1, "outgoing": 1},
        {"purpose": "hoi_nghi", "incoming": 0, "outgoing": 1},
        {"purpose": "hop_tac", "incoming": 1, "outgoing": 0},
        {"purpose": "nhan_dao", "incoming": 1, "outgoing": 0},
    ]


# --- The whole report -------------------------------------------------------------------------


def test_json_shape_key_order_and_generated_at_in_vietnam_time():
    moment = datetime(2025, 1, 10, 1, 0, 0, tzinfo=UTC)
    result = report.annual_report(frames(), 2024, generated_at=moment)
    assert list(result) == ["year", "generated_at", "aid", "delegations"]
    assert result["generated_at"] == "2025-01-10T08:00:00+07:00"
    assert list(result["aid"]) == [
        "approved",
        "disbursed",
        "active_count",
        "by_sector",
        "by_country",
        "by_donor",
        "by_modality",
    ]
    assert result["aid"]["approved"] == {
        "count": 0,
        "value_vnd": 0,
        "value_usd": 0.0,
        "usd_missing": 0,
        "counterpart_vnd": 0,
    }
    assert list(result["aid"]["approved"]) == [
        "count",
        "value_vnd",
        "value_usd",
        "usd_missing",
        "counterpart_vnd",
    ]
    assert list(result["aid"]["disbursed"]) == ["count", "value_vnd", "value_usd", "usd_missing"]
    assert list(result["delegations"]) == [
        "incoming",
        "outgoing",
        "by_country",
        "by_purpose",
        "by_month",
    ]
    assert list(result["delegations"]["incoming"]) == [
        "count",
        "members",
        "unique_visitors",
        "border_area",
    ]
    assert list(result["delegations"]["outgoing"]) == ["count", "members"]
    assert isinstance(result["aid"]["approved"]["value_usd"], float)


def test_row_keys_in_spec_order_and_python_types():
    f = frames(
        items=[item(1, value_vnd=7)],
        sectors=[(1, "y_te", None)],
        disbursements=[paid(1, date(Y, 2, 2), 3)],
        delegations=[delegation(1)],
        members=[member(1, "P1")],
    )
    result = report.annual_report(f, Y)
    aid_rows, del_rows = result["aid"], result["delegations"]
    assert list(aid_rows["by_sector"][0]) == ["sector", "count", "value_vnd"]
    assert list(aid_rows["by_country"][0]) == ["country", "count", "value_vnd", "disbursed_vnd"]
    assert list(aid_rows["by_donor"][0]) == ["donor", "name", "count", "value_vnd", "disbursed_vnd"]
    assert list(aid_rows["by_modality"][0]) == ["modality", "count", "value_vnd"]
    assert list(del_rows["by_country"][0]) == ["country", "incoming", "outgoing", "members"]
    assert list(del_rows["by_purpose"][0]) == ["purpose", "incoming", "outgoing"]
    assert list(del_rows["by_month"][0]) == ["month", "incoming", "outgoing"]
    for row in [*aid_rows["by_country"], *del_rows["by_month"]]:
        assert all(type(v) in (int, str) for v in row.values())


def test_comparison_and_key_figures_agree_with_the_report():
    f = frames(
        items=[
            item(1, value_vnd=10, decision_date=date(Y - 1, 1, 1)),
            item(2, value_vnd=20),
            item(3, value_vnd=40, status="thu_hoi"),
            item(4, value_vnd=80, decision_date=date(Y - 4, 1, 1)),
        ],
        disbursements=[paid(1, date(Y, 1, 1), 5), paid(1, date(Y - 1, 6, 1), 6)],
        delegations=[
            delegation(1),
            delegation(2, "ra"),
            delegation(3, start_on=date(Y - 1, 3, 3)),
            delegation(4, status="tu_choi"),
        ],
    )
    table = report.yearly_figures(report.daily_totals(f), range(Y - 5, Y + 1))
    assert table["year"].tolist() == list(range(Y - 5, Y + 1))
    assert table.set_index("year").loc[Y].to_dict() == {
        "approved_count": 2,
        "approved_vnd": 60,
        "disbursed_vnd": 5,
        "incoming": 1,
        "outgoing": 1,
    }
    assert table.set_index("year").loc[Y - 1].to_dict() == {
        "approved_count": 1,
        "approved_vnd": 10,
        "disbursed_vnd": 6,
        "incoming": 1,
        "outgoing": 0,
    }
    assert table.set_index("year").loc[Y - 4, "approved_vnd"] == 80
    assert table.set_index("year").loc[Y - 5].sum() == 0
    for year in range(Y - 5, Y + 1):
        full = report.annual_report(f, year)
        row = table.set_index("year").loc[year]
        assert row["approved_count"] == full["aid"]["approved"]["count"]
        assert row["approved_vnd"] == full["aid"]["approved"]["value_vnd"]
        assert row["disbursed_vnd"] == full["aid"]["disbursed"]["value_vnd"]
        assert row["incoming"] == full["delegations"]["incoming"]["count"]
    assert report.key_figures_from(report.daily_totals(f), Y) == {
        "year": Y,
        "approved_count": 2,
        "approved_vnd": 60,
        "disbursed_vnd": 5,
        "incoming": 1,
        "outgoing": 1,
    }


def test_missing_columns_are_refused():
    with pytest.raises(ValueError, match="items: missing columns"):
        report.annual_report(Frames(items=pd.DataFrame({"id": [1]})), Y)


# --- Against a plain-Python reference -----------------------------------------------------
# The spec implemented again, naively (loops, Fractions), on random data: the pandas module
# must give exactly the same report.

STATUSES = [*report.APPROVED_OR_LATER, "tiep_nhan", "tham_dinh", "khong_chap_thuan"]
SECTOR_KEYS = ["giao_duc", "y_te", "nuoc_ve_sinh", "xa_hoi", "ha_tang"]


def random_frames(seed):
    import random
    from decimal import Decimal

    rng = random.Random(seed)

    def day(years=(Y - 1, Y, Y + 1)):
        return date(rng.choice(years), rng.randint(1, 12), rng.randint(1, 28))

    def maybe(value, p=0.3):
        return None if rng.random() < p else value

    def rate():
        return Decimal(rng.randint(1, 30_000_000_000)).scaleb(-rng.randint(0, 6))

    gone = datetime(2026, 1, 1, tzinfo=UTC)
    orgs = [org(i, f"D{i}", rng.choice(["US", "KR", "JP", "AU", "LA"])) for i in range(1, 9)]
    items, sectors, paid_rows = [], [], []
    for i in range(1, 161):
        currency = rng.choice(["USD", "EUR", "VND"])
        items.append(
            item(
                i,
                status=rng.choice(STATUSES),
                decision_date=maybe(day(), 0.2),
                start_on=maybe(day(), 0.4),
                end_on=maybe(day(), 0.4),
                modality=rng.choice(["du_an", "phi_du_an", "chuong_trinh"]),
                main_donor_id=maybe(rng.randint(1, 8), 0.05),
                value_vnd=rng.randint(0, 10**12),
                counterpart_vnd=maybe(rng.randint(0, 10**9)),
                currency=currency,
                rate_vnd=None if currency == "VND" else maybe(rate(), 0.1),
                rate_usd=maybe(rate(), 0.4),
                archived_at=maybe(gone, 0.95),
            )
        )
        keys = rng.sample(SECTOR_KEYS, rng.randint(1, 4))
        shared = rng.random() < 0.5
        for key in keys:
            share = Decimal(rng.randint(1, 9_999)).scaleb(-2) if shared else None
            sectors.append((i, key, share))
    for _ in range(400):
        currency = rng.choice(["USD", "EUR", "VND"])
        paid_rows.append(
            paid(
                rng.randint(1, 160),
                day(),
                rng.randint(1, 10**11),
                currency=currency,
                rate_vnd=None if currency == "VND" else maybe(rate(), 0.1),
                rate_usd=maybe(rate(), 0.4),
                archived_at=maybe(gone, 0.95),
            )
        )
    delegations, members = [], []
    for k in range(1, 61):
        delegations.append(
            delegation(
                k,
                rng.choice(["vao", "ra"]),
                status=rng.choice(["da_duyet", "hoan_thanh", "tu_choi", "huy", "da_gui"]),
                start_on=day(),
                country=rng.choice(["LA", "KR", "US", "TH"]),
                purpose=rng.choice(["khao_sat", "hop_tac", "hoi_nghi", "khac"]),
                is_border_area=rng.random() < 0.3,
                archived_at=maybe(gone, 0.95),
            )
        )
        for _ in range(rng.randint(0, 6)):
            passport = rng.choice([None, "", *[f"P{n}" for n in range(15)]])
            nationality = rng.choice(["LA", "KR", "TH"])
            members.append(member(k, passport, nationality, maybe(gone, 0.95)))
    rows = {"items": items, "disbursements": paid_rows, "organizations": orgs}
    rows |= {"delegations": delegations, "members": members, "sectors": sectors}
    return rows


def reference_report(rows, year):
    from collections import defaultdict
    from decimal import Decimal
    from fractions import Fraction
    from math import floor

    def half_up(value):
        return floor(value + Fraction(1, 2))

    def usd(records):
        total, missing = Fraction(0), 0
        for r in records:
            rate = r["rate_usd"] or (r["rate_vnd"] if r["currency"] == "USD" else None)
            if rate:
                total += Fraction(r["value_vnd"]) / Fraction(Decimal(rate))
            else:
                missing += 1
        return half_up(total * 100) / 100, missing

    def ordered(table, key, total):
        return sorted(table, key=lambda r: (-total(r), r[key] is None, r[key] or ""))

    items = {r["id"]: r for r in rows["items"] if r["archived_at"] is None}
    approved = [
        r
        for r in items.values()
        if r["decision_date"]
        and r["decision_date"].year == year
        and r["status"] in report.APPROVED_OR_LATER
    ]
    paid_rows = [
        r
        for r in rows["disbursements"]
        if r["archived_at"] is None and r["aid_item_id"] in items and r["disbursed_on"].year == year
    ]
    first, last = date(year, 1, 1), date(year, 12, 31)
    active = 0
    for r in items.values():
        start = r["start_on"] or r["decision_date"]
        if r["status"] in report.ACTIVE_STATUSES and start and start <= last:
            active += r["end_on"] is None or r["end_on"] >= first

    sector_sums, sector_counts = defaultdict(Fraction), defaultdict(int)
    by_item = defaultdict(list)
    for item_id, key, share in rows["sectors"]:
        by_item[item_id].append((key, share))
    for r in approved:
        parts = by_item[r["id"]]
        for key, share in parts:
            if all(s is not None for _, s in parts):
                sector_sums[key] += Fraction(r["value_vnd"]) * Fraction(Decimal(share)) / 100
            else:
                sector_sums[key] += Fraction(r["value_vnd"], len(parts))
            sector_counts[key] += 1
    by_sector = [
        {"sector": k, "count": sector_counts[k], "value_vnd": half_up(v)}
        for k, v in sector_sums.items()
    ]

    orgs = {o["id"]: o for o in rows["organizations"]}
    per_donor = defaultdict(lambda: [0, 0, 0])
    for r in approved:
        per_donor[r["main_donor_id"]][0] += 1
        per_donor[r["main_donor_id"]][1] += r["value_vnd"]
    for r in paid_rows:
        per_donor[items[r["aid_item_id"]]["main_donor_id"]][2] += r["value_vnd"]
    per_country = defaultdict(lambda: [0, 0, 0])
    by_donor = []
    for donor, (count, value, disbursed) in per_donor.items():
        o = orgs.get(donor, {"code": None, "name": None, "country": None})
        for position, figure in enumerate((count, value, disbursed)):
            per_country[o["country"]][position] += figure
        by_donor.append(
            {"donor": o["code"], "name": o["name"], "count": count, "value_vnd": value}
            | {"disbursed_vnd": disbursed}
        )
    by_country = [
        {"country": c, "count": n, "value_vnd": v, "disbursed_vnd": d}
        for c, (n, v, d) in per_country.items()
    ]
    modality = defaultdict(lambda: [0, 0])
    for r in approved:
        modality[r["modality"]][0] += 1
        modality[r["modality"]][1] += r["value_vnd"]
    by_modality = [{"modality": m, "count": n, "value_vnd": v} for m, (n, v) in modality.items()]

    counted = {
        d["id"]: d
        for d in rows["delegations"]
        if d["archived_at"] is None
        and d["start_on"].year == year
        and d["status"] in report.COUNTED_DELEGATION_STATUSES
    }
    people = [
        m for m in rows["members"] if m["archived_at"] is None and m["delegation_id"] in counted
    ]
    incoming = [d for d in counted.values() if d["direction"] == "vao"]
    visitors = [m for m in people if counted[m["delegation_id"]]["direction"] == "vao"]
    countries, purposes = defaultdict(lambda: [0, 0, 0]), defaultdict(lambda: [0, 0])
    months = {m: [0, 0] for m in range(1, 13)}
    for d in counted.values():
        side = 0 if d["direction"] == "vao" else 1
        countries[d["country"]][side] += 1
        purposes[d["purpose"]][side] += 1
        months[d["start_on"].month][side] += 1
    for m in people:
        countries[counted[m["delegation_id"]]["country"]][2] += 1
    approved_usd, approved_missing = usd(approved)
    paid_usd, paid_missing = usd(paid_rows)
    return {
        "year": year,
        "aid": {
            "approved": {
                "count": len(approved),
                "value_vnd": sum(r["value_vnd"] for r in approved),
                "value_usd": float(approved_usd),
                "usd_missing": approved_missing,
                "counterpart_vnd": sum(r["counterpart_vnd"] or 0 for r in approved),
            },
            "disbursed": {
                "count": len(paid_rows),
                "value_vnd": sum(r["value_vnd"] for r in paid_rows),
                "value_usd": float(paid_usd),
                "usd_missing": paid_missing,
            },
            "active_count": active,
            "by_sector": ordered(by_sector, "sector", lambda r: r["value_vnd"]),
            "by_country": ordered(by_country, "country", lambda r: r["value_vnd"]),
            "by_donor": ordered(by_donor, "donor", lambda r: r["value_vnd"]),
            "by_modality": ordered(by_modality, "modality", lambda r: r["value_vnd"]),
        },
        "delegations": {
            "incoming": {
                "count": len(incoming),
                "members": len(visitors),
                "unique_visitors": len(
                    {
                        (m["passport_number"], m["nationality"])
                        for m in visitors
                        if m["passport_number"]
                    }
                ),
                "border_area": sum(1 for d in incoming if d["is_border_area"]),
            },
            "outgoing": {
                "count": len(counted) - len(incoming),
                "members": len(people) - len(visitors),
            },
            "by_country": ordered(
                [
                    {"country": c, "incoming": i, "outgoing": o, "members": n}
                    for c, (i, o, n) in countries.items()
                ],
                "country",
                lambda r: r["incoming"] + r["outgoing"],
            ),
            "by_purpose": ordered(
                [{"purpose": p, "incoming": i, "outgoing": o} for p, (i, o) in purposes.items()],
                "purpose",
                lambda r: r["incoming"] + r["outgoing"],
            ),
            "by_month": [
                {"month": m, "incoming": i, "outgoing": o} for m, (i, o) in months.items()
            ],
        },
    }


@pytest.mark.parametrize("seed", range(6))
def test_report_equals_a_plain_python_reference_on_random_data(seed):
    rows = random_frames(seed)
    f = frames(
        items=rows["items"],
        sectors=rows["sectors"],
        disbursements=rows["disbursements"],
        orgs=rows["organizations"],
        delegations=rows["delegations"],
        members=rows["members"],
    )
    yearly = report.yearly_figures(report.daily_totals(f), [Y - 1, Y, Y + 1]).set_index("year")
    for year in (Y - 1, Y, Y + 1):
        result = report.annual_report(f, year)
        del result["generated_at"]
        expected = reference_report(rows, year)
        assert result == expected, year
        assert result["aid"]["approved"]["count"] > 0
        assert yearly.loc[year].to_dict() == {
            "approved_count": expected["aid"]["approved"]["count"],
            "approved_vnd": expected["aid"]["approved"]["value_vnd"],
            "disbursed_vnd": expected["aid"]["disbursed"]["value_vnd"],
            "incoming": expected["delegations"]["incoming"]["count"],
            "outgoing": expected["delegations"]["outgoing"]["count"],
        }
