"""Forms of aid mobilisation: a contact, a proposal, its outcome, archiving. Donors and
aid items are typed by their codes (the service looks them up: an unknown code is shown
next to its field)."""

from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from app.aid.models import Sector
from app.core.forms import (
    CurrencyField,
    MoneyField,
    VersionedForm,
    VNDateField,
    choices,
    max_length,
    optional,
    record_code,
    required,
)
from app.mobilisation.states import ContactKind, ProposalOutcome
from app.transfer.schema import RATE_LIMIT


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _strip_upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def donor_code_field() -> StringField:
    return StringField(
        "Mã nhà tài trợ",
        [required("Vui lòng nhập mã nhà tài trợ."), max_length(40)],
        filters=[_strip_upper],
        description="Mã của tổ chức trong danh sách nhà tài trợ, ví dụ ACTIONAID-VN.",
        render_kw={"list": "donor-codes", "autocomplete": "off"},
    )


class ContactForm(VersionedForm):
    occurred_on = VNDateField("Ngày tiếp xúc", [required("Vui lòng nhập ngày tiếp xúc.")])
    kind = SelectField(
        "Hình thức",
        [required("Vui lòng chọn hình thức tiếp xúc.")],
        choices=choices([("", "— Chọn hình thức —"), *ContactKind.choices()]),
    )
    donor_code = donor_code_field()
    participants = StringField(
        "Người tham gia (phía tỉnh)",
        [required("Vui lòng nhập người tham gia."), max_length(500)],
        filters=[_strip],
        description="Họ tên, chức vụ những người của tỉnh tham gia.",
    )
    topic = StringField(
        "Nội dung trao đổi",
        [required("Vui lòng nhập nội dung trao đổi."), max_length(500)],
        filters=[_strip],
    )
    notes = TextAreaField("Ghi chú", [optional(), max_length(5000)], filters=[_strip])


class ProposalForm(VersionedForm):
    code = record_code("Mã đề xuất")
    title = StringField(
        "Tên đề xuất", [required("Vui lòng nhập tên đề xuất."), max_length(500)], filters=[_strip]
    )
    donor_code = donor_code_field()
    contact_id = SelectField(
        "Từ tiếp xúc",
        [optional()],
        validate_choice=False,
        description="Tiếp xúc với nhà tài trợ này dẫn tới đề xuất (nếu có).",
    )
    sent_on = VNDateField("Ngày gửi", [required("Vui lòng nhập ngày gửi đề xuất.")])
    sector = SelectField(
        "Lĩnh vực",
        [required("Vui lòng chọn lĩnh vực.")],
        choices=choices([("", "— Chọn lĩnh vực —"), *Sector.choices()]),
    )
    communes = SelectMultipleField(
        "Địa bàn (xã, phường)",
        [optional()],
        validate_choice=False,
        description="Chọn nhiều bằng Ctrl/Cmd.",
    )
    requested_value = MoneyField("Giá trị đề nghị", [required("Vui lòng nhập giá trị.")])
    currency = CurrencyField("Tiền tệ", [required()], default="VND")
    rate_vnd = MoneyField(
        "Tỷ giá (VNĐ/đơn vị)",
        [optional()],
        limit=RATE_LIMIT,
        description="Bắt buộc khi tiền tệ không phải VNĐ.",
    )
    notes = TextAreaField("Ghi chú", [optional(), max_length(5000)], filters=[_strip])


class OutcomeForm(VersionedForm):
    outcome = SelectField(
        "Kết quả", [required("Vui lòng chọn kết quả.")], choices=choices(ProposalOutcome.choices())
    )
    outcome_on = VNDateField("Ngày nhận phản hồi", [optional()])
    pledged_value = MoneyField(
        "Giá trị cam kết",
        [optional()],
        description="Theo tiền tệ của đề xuất; chỉ ghi khi nhà tài trợ cam kết.",
    )
    aid_item_code = StringField(
        "Mã khoản viện trợ hình thành",
        [optional(), max_length(40)],
        filters=[_strip_upper],
        description="Khoản viện trợ được lập từ cam kết này (nếu đã có).",
    )
