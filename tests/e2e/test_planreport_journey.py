"""The plan's periodic report in the browser (issue 13, part 5): foreign affairs opens a
half-year report and sends it, an asked agency writes an item from its inbox, foreign
affairs consolidates and marks it final, and the printable page shows it; at 1366 px and at
390 px without scrolling sideways."""

import pytest
from playwright.sync_api import expect

from tests.conftest import signed_in

pytestmark = pytest.mark.e2e

SIZES = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]
# Each size opens its own period (the live database is shared by the session's journeys).
YEARS = {1366: 2023, 390: 2022}
LONG = "Công an tỉnh phối hợp quản lý đoàn vào khu vực biên giới; " + "x" * 120


def no_sideways_scroll(page, viewport):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], (page.url, width)


@pytest.mark.parametrize("viewport", SIZES, ids=["1366", "390"])
def test_plan_report_from_opening_to_print(browser, base_url, viewport):
    year = YEARS[viewport["width"]]
    fa = signed_in(browser, base_url, "foreign_affairs.officer", viewport)
    fa.goto(f"{base_url}/bao-cao-ke-hoach/moi")
    fa.get_by_label("Kỳ báo cáo").select_option("nua_nam")
    fa.get_by_label("Năm", exact=True).fill(str(year))
    fa.get_by_label("Nửa năm").select_option("1")
    fa.get_by_label("Hạn gửi đóng góp").fill("31/12/2099")
    no_sideways_scroll(fa, viewport)
    fa.get_by_role("button", name="Mở báo cáo").click()
    expect(
        fa.get_by_role("heading", name="Báo cáo thực hiện Kế hoạch đối ngoại nhân dân")
    ).to_be_visible()
    expect(fa.get_by_test_id("period")).to_have_text(f"6 tháng đầu năm {year}")
    fa.get_by_role("button", name="Gửi đề nghị đóng góp cho các cơ quan").click()
    expect(fa.get_by_test_id("status")).to_have_text("Đang thu thập đóng góp")
    report_url = fa.url.split("#")[0]
    no_sideways_scroll(fa, viewport)

    police = signed_in(browser, base_url, "police.officer", viewport)
    police.get_by_role("link", name="Báo cáo kế hoạch cần đóng góp").first.click()
    expect(police.get_by_role("heading", name="Báo cáo kế hoạch cần đóng góp")).to_be_visible()
    row = police.get_by_test_id("plan-inbox").locator("tr", has_text=f"6 tháng đầu năm {year}")
    row.get_by_role("link", name="Viết đóng góp").click()
    item = police.get_by_test_id("contribute-3")
    item.get_by_label("Nội dung mục 3").fill(LONG)
    item.get_by_role("button", name="Lưu mục 3").click()
    expect(police.get_by_text("Đã lưu nội dung mục 3.")).to_be_visible()
    no_sideways_scroll(police, viewport)

    fa.goto(report_url)
    expect(fa.get_by_test_id("contribution-3")).to_contain_text("Công an tỉnh phối hợp")
    fa.get_by_label("Mục 3. Vận động, quản lý viện trợ").fill("Tổng hợp mục 3 của Sở Ngoại vụ")
    fa.get_by_role("button", name="Lưu nội dung tổng hợp").click()
    expect(fa.get_by_text("Đã lưu nội dung tổng hợp.")).to_be_visible()
    fa.get_by_role("button", name="Chốt báo cáo (bản cuối)").click()
    expect(fa.get_by_test_id("status")).to_have_text("Đã chốt (bản cuối)")
    expect(fa.get_by_test_id("consolidated-3")).to_have_text("Tổng hợp mục 3 của Sở Ngoại vụ")
    no_sideways_scroll(fa, viewport)

    fa.get_by_role("link", name="Bản in").click()
    expect(
        fa.get_by_role("heading", name="Báo cáo thực hiện Kế hoạch đối ngoại nhân dân")
    ).to_be_visible()
    expect(fa.locator("body")).to_contain_text("Tổng hợp mục 3 của Sở Ngoại vụ")
    expect(fa.locator("body")).to_contain_text("Công an tỉnh phối hợp")
    expect(fa.get_by_role("button", name="In")).to_be_visible()
    no_sideways_scroll(fa, viewport)
