"""The budget's figures as pure pandas (no Flask, no database), and the loader feeding them
(docs/spec/budget.md)."""

from datetime import date

import pandas as pd
import pytest

from app.stats.budget_figures import LINE_COLUMNS, SPENDING_COLUMNS, budget_figures

YEAR = 2025


def _lines(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(LINE_COLUMNS))


def _spending(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(SPENDING_COLUMNS))


LINES = _lines(
    # id, year, agency, association, owner, status, proposed, allocated
    (1, YEAR, 10, None, "Sở Ngoại vụ", "da_phan_bo", 100_000_000, 80_000_000),
    (2, YEAR, 11, None, "UBND xã Đăk Tô", "de_xuat", 50_000_000, None),
    (3, YEAR, None, 5, "Hội hữu nghị Việt – Nhật", "da_kiem_tra", 30_000_000, 20_000_000),
    (4, YEAR - 1, 10, None, "Sở Ngoại vụ", "da_kiem_tra", 999, 999),  # another year
)
SPENDING = _spending(
    (1, date(YEAR, 3, 1), 30_000_000),
    (1, date(YEAR, 11, 1), 60_000_000),  # after 30/09: over the allocation in the end
    (2, date(YEAR, 4, 1), 1_000_000),  # no allocation
    (3, date(YEAR, 9, 30), 12_000_000),  # 60 % by 30/09
    (4, date(YEAR - 1, 5, 1), 5),
)


def test_totals_and_each_owner_after_the_deadline():
    figures = budget_figures(LINES, SPENDING, YEAR, 50, date(YEAR, 12, 31))
    assert figures["totals"] == {
        "lines": 3,
        "allocated_lines": 2,
        "proposed_vnd": 180_000_000,
        "allocated_vnd": 100_000_000,
        "spent_vnd": 103_000_000,
        "spent_by_sept_vnd": 43_000_000,
    }
    by_id = {(row["owner_type"], row["owner_id"]): row for row in figures["by_owner"]}
    foreign = by_id[("agency", 10)]
    assert foreign["spent_vnd"] == 90_000_000 and foreign["spent_by_sept_vnd"] == 30_000_000
    assert foreign["share_used_percent"] == 112.5
    # 30 of 80 million by 30/09 is 37.5 % < 50 %; and 90 > 80 in the end
    assert foreign["flags"] == ["vuot_phan_bo", "su_dung_thap"]
    assert by_id[("agency", 11)]["flags"] == ["chua_phan_bo"]
    assert by_id[("agency", 11)]["allocated_vnd"] is None
    assert by_id[("agency", 11)]["share_used_percent"] is None
    association = by_id[("association", 5)]
    assert association["flags"] == [] and association["share_used_percent"] == 60.0
    assert figures["flags"] == {"vuot_phan_bo": 1, "chua_phan_bo": 1, "su_dung_thap": 1}
    assert [row["owner_name"] for row in figures["by_owner"]] == [
        "Sở Ngoại vụ",
        "UBND xã Đăk Tô",
        "Hội hữu nghị Việt – Nhật",
    ]
    assert figures["deadline_passed"] is True


def test_before_30_september_there_is_no_low_use_flag_and_later_spending_waits():
    figures = budget_figures(LINES, SPENDING, YEAR, 50, date(YEAR, 9, 30))
    assert figures["flags"] == {"vuot_phan_bo": 0, "chua_phan_bo": 1, "su_dung_thap": 0}
    assert figures["totals"]["spent_vnd"] == 43_000_000  # the November entry is not yet
    assert figures["deadline_passed"] is False


@pytest.mark.parametrize("share, flagged", [(0, 0), (37, 0), (38, 1), (61, 2), (100, 2)])
def test_the_share_setting_decides_the_low_use_flag(share, flagged):
    figures = budget_figures(LINES, SPENDING, YEAR, share, date(YEAR + 1, 1, 15))
    assert figures["flags"]["su_dung_thap"] == flagged
    assert figures["min_share_by_sept_percent"] == share


def test_archived_rows_are_left_out_and_empty_frames_give_zeros():
    lines = LINES.assign(archived_at=[None, "2025-05-01", None, None])
    spending = SPENDING.assign(archived_at=["2025-06-01", None, None, None, None])
    figures = budget_figures(lines, spending, YEAR, 50, date(YEAR, 12, 31))
    assert figures["totals"]["lines"] == 2 and figures["totals"]["spent_vnd"] == 72_000_000
    empty = budget_figures(_lines(), _spending(), YEAR, 50, date(YEAR, 12, 31))
    assert empty["totals"]["spent_vnd"] == 0 and empty["by_owner"] == []
    assert empty["flags"] == {"vuot_phan_bo": 0, "chua_phan_bo": 0, "su_dung_thap": 0}


def test_loader_feeds_the_rule(app_ctx, db, user):
    from app.budget import services
    from app.stats.budget_figures import load_budget_frames

    owner, finance = user("other.officer"), user("finance.officer")
    line = services.propose({"year": YEAR, "proposed_vnd": 10_000}, user=owner)
    services.allocate(line, 8_000, "1/QĐ", date(YEAR, 1, 10), user=finance)
    services.add_spending(line, date(YEAR, 2, 1), 9_000, "C1", "x", user=owner, confirm_over=True)
    gone = services.add_spending(
        line, date(YEAR, 2, 2), 1, "C2", "x", user=owner, confirm_over=True
    )
    services.archive_spending(gone, "nhầm", user=owner)
    services.propose({"year": YEAR + 1, "proposed_vnd": 1}, user=owner)
    lines, spending = load_budget_frames(YEAR)
    figures = budget_figures(lines, spending, YEAR, 50, date(YEAR, 12, 31))
    (row,) = figures["by_owner"]
    assert row["owner_name"] == owner.agency.name and row["status"] == "da_phan_bo"
    assert (row["allocated_vnd"], row["spent_vnd"], row["flags"]) == (
        8_000,
        9_000,
        ["vuot_phan_bo"],
    )
