"""Shared form fields (issue 14, part 6): the currency list."""

import re

from werkzeug.datastructures import MultiDict

from app.core.forms import BaseForm, CurrencyField
from app.core.money import COMMON_CURRENCIES, currency_choices


def test_currency_choices_common_first_with_vietnamese_names():
    codes = [code for code, _ in currency_choices()]
    assert codes[: len(COMMON_CURRENCIES)] == list(COMMON_CURRENCIES)
    assert len(codes) == len(set(codes)) > 150  # every ISO 4217 code, once
    labels = dict(currency_choices())
    assert labels["USD"] == "USD – Đô la Mỹ" and labels["VND"] == "VND – Đồng Việt Nam"


class _Form(BaseForm):
    currency = CurrencyField("Tiền tệ", default="VND")
    new_currency = CurrencyField("Tiền tệ mới", blank="— giữ nguyên —")


def test_currency_field_accepts_a_code_in_any_case_and_refuses_unknown(app_ctx):
    form = _Form(MultiDict({"currency": " usd ", "new_currency": ""}), meta={"csrf": False})
    assert form.validate() and form.currency.data == "USD" and form.new_currency.data == ""
    form = _Form(MultiDict({"currency": "ABC"}), meta={"csrf": False})
    assert not form.validate()
    assert form.currency.errors == ["Mã tiền tệ không hợp lệ (mã ISO 4217, ví dụ VND, USD, EUR)."]
    assert 'value="">— giữ nguyên —' in str(form.new_currency)


def test_item_form_offers_the_list(login):
    body = login("planning.officer").get("/vien-tro/moi").get_data(as_text=True)
    assert re.search(r"<select class=\"form-select\"[^>]* name=\"currency\"", body)
    assert "USD – Đô la Mỹ" in body
