"""What every form gives in the browser (issue 14, part 6): dd/mm/yyyy fields get a
calendar that writes the date back as dd/mm/yyyy, the browser's own checks speak
Vietnamese whatever its language, and the currency is picked from a list."""

import pytest
from playwright.sync_api import expect

from tests.conftest import signed_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_calendar_vietnamese_checks_and_currency_list(browser, base_url, viewport):
    page = signed_in(browser, base_url, "planning.officer", viewport)
    page.context.set_extra_http_headers({"Accept-Language": "en-US"})
    page.goto(f"{base_url}/vien-tro/moi")
    received = page.get_by_label("Ngày nhận hồ sơ")
    group = page.locator(".date-group").filter(has=received)
    expect(group.get_by_role("button", name="Chọn ngày trên lịch")).to_be_visible()
    # the calendar's choice comes back as dd/mm/yyyy in the text field
    group.locator("input[type=date]").evaluate(
        "el => { el.value = '2026-02-01'; el.dispatchEvent(new Event('change')); }"
    )
    expect(received).to_have_value("01/02/2026")
    # the browser's own check of a required field speaks Vietnamese, even in English
    # (forms with server-side errors are novalidate; the short inline forms rely on it)
    message = page.evaluate(
        """() => {
            const form = document.createElement('form');
            form.innerHTML = '<input name="reason" required><select required><option value="">'
                + '</option></select>';
            document.querySelector('main').appendChild(form);
            form.checkValidity();
            return [...form.elements].map(el => el.validationMessage);
        }"""
    )
    assert message == ["Vui lòng nhập trường này.", "Vui lòng chọn một giá trị."]
    # the currency list: VND first, names in Vietnamese
    currency = page.locator("select[name=currency]")
    options = currency.locator("option").all_inner_texts()
    assert options[0].startswith("VND") and "USD – Đô la Mỹ" in options
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= (viewport or {"width": 10_000})["width"]
