"""Form base classes and fields shared by every domain: Vietnamese messages, dates, money."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from app.core.dates import DateParseError, format_date, parse_date
from app.core.money import (
    MONEY_LIMIT,
    MoneyParseError,
    currency_choices,
    format_number,
    is_currency_code,
    parse_decimal,
)

# WTForms ships no Vietnamese catalogue; these are the built-in messages our forms can show.
_VI_MESSAGES = {
    "This field is required.": "Vui lòng nhập trường này.",
    "Not a valid choice.": "Giá trị không nằm trong danh sách cho phép.",
    "Not a valid integer value.": "Phải là số nguyên.",
    "Not a valid decimal value.": "Phải là số.",
    "Not a valid float value.": "Phải là số.",
    "Not a valid date value.": "Ngày không hợp lệ (định dạng dd/mm/yyyy).",
    "Invalid email address.": "Địa chỉ thư điện tử không hợp lệ.",
    "Field must be equal to %(other_name)s.": "Phải trùng với trường %(other_name)s.",
    "Field must be at least %(min)d character long.": "Phải có ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Phải có ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Không được dài quá %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Phải dài từ %(min)d đến %(max)d ký tự."
    ),
    "Number must be at least %(min)s.": "Phải lớn hơn hoặc bằng %(min)s.",
    "Number must be at most %(max)s.": "Phải nhỏ hơn hoặc bằng %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Phải nằm trong khoảng %(min)s đến %(max)s.",
    "Invalid value, must be one of: %(values)s.": "Giá trị phải là một trong: %(values)s.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "The CSRF token is missing.": "Thiếu mã bảo vệ biểu mẫu (CSRF). Vui lòng tải lại trang.",
    "The CSRF token is invalid.": "Mã bảo vệ biểu mẫu (CSRF) không hợp lệ. Vui lòng tải lại.",
    "The CSRF token has expired.": "Mã bảo vệ biểu mẫu (CSRF) đã hết hạn. Vui lòng tải lại.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' không phải lựa chọn hợp lệ.",
}


class VietnameseTranslations:
    def gettext(self, string):
        return _VI_MESSAGES.get(string, string)

    def ngettext(self, singular, plural, n):
        return _VI_MESSAGES.get(singular if n == 1 else plural, singular if n == 1 else plural)


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return VietnameseTranslations()


class VersionedForm(BaseForm):
    """A form editing an existing record carries the version it was rendered with."""

    version = HiddenField()

    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


def choices(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class Required(DataRequired):
    """DataRequired that keeps a parse error ("31/02/2025") instead of "please enter",
    and says "please enter" for an empty field whatever its type (an empty number field
    is not "not a whole number")."""

    def __call__(self, form, field):
        if field.process_errors:
            raw = field.raw_data[0] if field.raw_data else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                field.errors[:] = []
                raise StopValidation(self.message)
            raise StopValidation()
        if isinstance(field.data, (int, Decimal)) and not isinstance(field.data, bool):
            return  # 0 is a value (its own rules say whether it is allowed)
        super().__call__(form, field)


def required(message: str = "Vui lòng nhập trường này."):
    return Required(message=message)


def chosen(message: str = "Vui lòng chọn một giá trị."):
    return InputRequired(message=message)


def optional():
    return Optional()


def max_length(n: int):
    return Length(max=n, message=f"Không được dài quá {n} ký tự.")


def record_code(label: str) -> StringField:
    """A record's code (aid item, delegation): letters without diacritics, digits and
    . _ / -, stored upper-case."""
    return StringField(
        label,
        [
            required(),
            max_length(40),
            Regexp(r"^[A-Za-z0-9._/-]+$", message="Chỉ dùng chữ không dấu, số và . _ / -"),
        ],
        filters=[lambda v: v.strip().upper() if v else v],
    )


class ArchiveForm(VersionedForm):
    """Archiving (never deleting) a record: why, and the version the page showed."""

    reason = StringField("Lý do", [Required("Vui lòng ghi lý do."), Length(max=500)])


class VNDateField(StringField):
    """A date typed as dd/mm/yyyy (or picked), shown back as dd/mm/yyyy."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_date(self.data) if self.data else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_date(valuelist[0])
        except DateParseError as error:
            self.data = None
            raise ValueError(str(error)) from error


class CurrencyField(SelectField):
    """An ISO 4217 currency picked from a list (the common ones first); a typed code in any
    case is accepted too (scripts, old bookmarks). `blank` adds an empty first choice."""

    def __init__(self, label=None, validators=None, blank: str | None = None, **kwargs):
        blank_choice = [("", blank)] if blank is not None else []
        kwargs.setdefault("choices", choices([*blank_choice, *currency_choices()]))
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = (valuelist[0] or "").strip().upper()

    def pre_validate(self, form):
        if self.data and not is_currency_code(self.data):
            raise ValidationError("Mã tiền tệ không hợp lệ (mã ISO 4217, ví dụ VND, USD, EUR).")


class MoneyField(StringField):
    """An amount typed in the Vietnamese convention (1.234.567,5), held as Decimal."""

    def __init__(self, label=None, validators=None, limit=MONEY_LIMIT, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(label, validators, **kwargs)
        self.limit = limit

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        value = Decimal(self.data)
        return format_number(value, 0 if value == value.to_integral_value() else 2)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_decimal(valuelist[0])
        except MoneyParseError as error:
            self.data = None
            raise ValueError(str(error)) from error
        if self.data is not None and abs(self.data) >= self.limit:
            self.data = None
            raise ValueError(f"Số quá lớn (phải nhỏ hơn {format_number(Decimal(self.limit))}).")
