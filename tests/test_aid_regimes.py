"""The regime table (issue 12, point 12): each regime's rules with their citations, built
from the settings; the item's regime selects its row; the settings page shows it."""

from datetime import date

import pytest

from app.aid import services
from app.aid.regimes import ND313_NOT_FOUND, regime_rules, regime_table
from app.config import ConfigError, load_config
from tests.fixtures.aid import item_input
from tests.fixtures.orgs import new_org

ND80_VALUES = {
    "appraisal_deadline": (20, "calendar"),
    "notice_deadline": (5, "calendar"),
    "finance_copy_deadline": (10, "working"),
    "revocation_notice_deadline": (5, "calendar"),
    "annual_report_due": (15, 1),
    "closing_report_months": 6,
    "revocation_months": 6,
    "relief_opinions_optional": True,
}


def test_decree_80_row_has_the_law_values_and_citations(app):
    nd80 = regime_table(app.config)["nd80_2020"]
    assert {rule.key: rule.value for rule in nd80.rules} == ND80_VALUES
    assert "Điều 10 khoản 6" in nd80["appraisal_deadline"].citation
    assert "Điều 11 khoản 2" in nd80["notice_deadline"].citation
    assert "Thông tư 23/2022/TT-BTC, Điều 5 khoản 6" in nd80["finance_copy_deadline"].citation
    assert "Điều 13 khoản 9" in nd80["annual_report_due"].citation
    assert "Điều 4 khoản 7" in nd80["revocation_months"].citation
    assert "Điều 10 khoản 4" in nd80["relief_opinions_optional"].citation
    assert nd80["notice_deadline"].shown == "5 ngày"
    assert nd80["finance_copy_deadline"].shown == "10 ngày làm việc"
    assert nd80["annual_report_due"].shown == "15/01 năm sau"


def test_decree_313_row_repeats_decree_80_and_says_the_text_was_not_found(app):
    table = regime_table(app.config)
    nd313 = table["nd313_2025"]
    assert {rule.key: rule.value for rule in nd313.rules} == ND80_VALUES
    assert nd313["appraisal_deadline"].citation == ND313_NOT_FOUND
    assert "Thông tư 23/2022/TT-BTC" in nd313["finance_copy_deadline"].citation
    assert nd313["notice_deadline"].settings == ("ND313_NOTICE_DAYS", "ND313_NOTICE_DAYS_UNIT")
    # Decree 93/2009 items and unknown keys: the Decree 80 values / the current regime.
    assert table["nd93_2009"].notice_deadline == (5, "calendar")
    assert regime_rules("", app.config).regime == "nd313_2025"


def test_existing_settings_are_the_rows_defaults_and_313_overrides_only_its_row(app):
    config = {
        **app.config,
        "AID_APPRAISAL_DEADLINE": (15, "working"),
        "AID_START_MONTHS": 9,
        "AID_REGIME_OVERRIDES": {"nd313_2025": {"AID_NOTICE_DEADLINE": (7, "working")}},
    }
    table = regime_table(config)
    assert table["nd80_2020"].appraisal_deadline == (15, "working")
    assert table["nd313_2025"].appraisal_deadline == (15, "working")  # default: Decree 80's
    assert table["nd313_2025"].revocation_months == 9
    assert table["nd80_2020"].notice_deadline == (5, "calendar")
    assert table["nd313_2025"].notice_deadline == (7, "working")


def test_environment_sets_the_rows(monkeypatch):
    monkeypatch.setenv("AID_NOTICE_DAYS", "6")
    monkeypatch.setenv("ND313_APPRAISAL_DAYS", "30")
    monkeypatch.setenv("ND313_NOTICE_DAYS_UNIT", "working")
    monkeypatch.setenv("ND313_ANNUAL_REPORT_DUE", "31/01")
    monkeypatch.setenv("ND313_RELIEF_OPINIONS_OPTIONAL", "no")
    config = load_config()
    assert config["AID_NOTICE_DEADLINE"] == (6, "calendar")
    table = regime_table(config)
    assert table["nd80_2020"].appraisal_deadline == (20, "calendar")
    assert table["nd313_2025"].appraisal_deadline == (30, "calendar")
    assert table["nd313_2025"].notice_deadline == (6, "working")
    assert table["nd313_2025"]["annual_report_due"].value == (31, 1)
    assert table["nd313_2025"].relief_opinions_optional is False
    assert table["nd80_2020"].relief_opinions_optional is True


@pytest.fixture
def org(db):
    return new_org(db)


@pytest.fixture
def planner(user):
    return user("planning.officer")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ND313_NOTICE_DAYS_UNIT", "weeks"),
        ("AID_FINANCE_COPY_DAYS_UNIT", "ngay"),
        ("AID_ANNUAL_REPORT_DUE", "32/01"),
        ("ND313_RELIEF_OPINIONS_OPTIONAL", "maybe"),
    ],
)
def test_a_wrong_setting_stops_the_start(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_config()


def test_the_items_regime_selects_its_appraisal_deadline(app, app_ctx, org, planner, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "AID_REGIME_OVERRIDES",
        {"nd313_2025": {"AID_APPRAISAL_DEADLINE": (10, "working")}},
    )
    nd80 = services.create_item(item_input([org.id], "VT-80", regime="nd80_2020"), user=planner)
    nd313 = services.create_item(item_input([org.id], "VT-313"), user=planner)
    # Complete on Wednesday 05/03/2025: 20 calendar days, or 10 working days.
    assert nd80.appraisal_due_on == date(2025, 3, 25)
    assert nd313.appraisal_due_on == date(2025, 3, 19)


def test_settings_page_shows_the_regime_table_with_citations(login):
    page = login("admin").get("/quan-tri/cai-dat")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-testid="regime-rules"' in text
    assert "Điều 11 khoản 2" in text and "Thông tư 23/2022/TT-BTC, Điều 5 khoản 6" in text
    assert ND313_NOT_FOUND in text
    assert "ND313_NOTICE_DAYS" in text and "AID_FINANCE_COPY_DAYS" in text
    assert "15/01 năm sau" in text and "10 ngày làm việc" in text
