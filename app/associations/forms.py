"""Forms of the friendship association pages: the association, a yearly member count, an
activity, and archiving. Labels and messages in Vietnamese; dates dd/mm/yyyy; linked
delegations and aid items are typed by their code (the service looks them up)."""

from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, NumberRange, Regexp

from app.associations.states import ActivityKind, AssociationStatus
from app.core import forms as core_forms
from app.core.countries import country_choices
from app.core.forms import (
    BaseForm,
    MoneyField,
    VNDateField,
    choices,
    chosen,
    max_length,
    optional,
    required,
)

CODE_PATTERN = r"^[A-Za-z0-9._/-]+$"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _strip_upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def _countries_field(label: str, description: str) -> SelectMultipleField:
    # Unknown codes are refused by the service, next to the field.
    return SelectMultipleField(
        label,
        choices=lambda: choices(country_choices()),  # read when first shown, not at start
        validate_choice=False,
        description=description,
    )


class AssociationForm(core_forms.VersionedForm):
    code = StringField(
        "Mã hội",
        [
            required("Vui lòng nhập mã hội."),
            max_length(40),
            Regexp(CODE_PATTERN, message="Chỉ dùng chữ cái không dấu, chữ số và các ký tự - _ . /"),
        ],
        filters=[_strip_upper],
        description="Mã duy nhất, ví dụ HHN-VN-LAO; được lưu bằng chữ in hoa.",
    )
    name = StringField(
        "Tên hội", [required("Vui lòng nhập tên hội."), max_length(300)], filters=[_strip]
    )
    name_vi = StringField(
        "Tên tiếng Việt",
        [optional(), max_length(300)],
        filters=[_strip],
        description="Nếu tên hội ghi bằng tiếng nước ngoài hoặc viết tắt.",
    )
    founding_decision_number = StringField(
        "Số quyết định thành lập",
        [optional(), max_length(60)],
        filters=[_strip],
        description="Ví dụ 123/QĐ-UBND.",
    )
    founding_decision_date = VNDateField("Ngày quyết định thành lập", [optional()])
    countries = _countries_field(
        "Quốc gia đối tác", "Một hoặc nhiều quốc gia; chọn nhiều bằng Ctrl/Cmd."
    )
    leaders = TextAreaField(
        "Lãnh đạo hội",
        filters=[_strip],
        description="Chủ tịch, phó chủ tịch, tổng thư ký (mỗi người một dòng).",
    )
    address = StringField("Địa chỉ", [optional(), max_length(300)], filters=[_strip])
    phone = StringField("Điện thoại", [optional(), max_length(60)], filters=[_strip])
    email = StringField(
        "Thư điện tử",
        [optional(), Email(message="Địa chỉ thư điện tử không hợp lệ."), max_length(200)],
        filters=[_strip],
    )
    status = SelectField(
        "Tình trạng hoạt động",
        [chosen("Vui lòng chọn tình trạng hoạt động.")],
        choices=choices([("", "— Chọn tình trạng —"), *AssociationStatus.choices()]),
    )
    union_member = BooleanField("Là thành viên Liên hiệp các tổ chức hữu nghị tỉnh")
    union_joined_on = VNDateField(
        "Ngày gia nhập Liên hiệp",
        [optional()],
        description="Để trống nếu chưa rõ hoặc chưa gia nhập.",
    )
    notes = TextAreaField("Ghi chú", filters=[_strip])


class MemberCountForm(BaseForm):
    year = IntegerField(
        "Năm",
        [required("Vui lòng nhập năm."), NumberRange(1900, 2100, "Năm không hợp lệ.")],
    )
    count = IntegerField(
        "Số hội viên",
        [required("Vui lòng nhập số hội viên."), NumberRange(0, None, "Không được âm.")],
        description="Nhập lại cho một năm đã có để thay số liệu của năm đó.",
    )


class ActivityForm(core_forms.VersionedForm):
    held_on = VNDateField("Ngày hoạt động", [required("Vui lòng nhập ngày hoạt động.")])
    kind = SelectField(
        "Loại hoạt động",
        [chosen("Vui lòng chọn loại hoạt động.")],
        choices=choices([("", "— Chọn loại hoạt động —"), *ActivityKind.choices()]),
    )
    title = StringField(
        "Tên, nội dung hoạt động",
        [required("Vui lòng nhập tên, nội dung hoạt động."), max_length(300)],
        filters=[_strip],
    )
    partners = TextAreaField(
        "Đối tác", filters=[_strip], description="Tổ chức, cá nhân nước ngoài tham gia."
    )
    countries = _countries_field("Quốc gia", "Quốc gia của đối tác; chọn nhiều bằng Ctrl/Cmd.")
    participants = IntegerField(
        "Số người tham gia", [optional(), NumberRange(0, None, "Không được âm.")]
    )
    funds_vnd = MoneyField(
        "Kinh phí sử dụng (VNĐ)", [optional()], description="Số đồng, ví dụ 15.000.000."
    )
    delegation_code = StringField(
        "Mã đoàn liên quan",
        [optional(), max_length(40)],
        filters=[_strip_upper],
        description="Nếu hoạt động gắn với một đoàn ra, đoàn vào đã có trong hệ thống.",
    )
    aid_item_code = StringField(
        "Mã khoản viện trợ liên quan",
        [optional(), max_length(40)],
        filters=[_strip_upper],
        description="Nếu hoạt động gắn với một khoản viện trợ.",
    )
    notes = TextAreaField("Ghi chú", filters=[_strip])


class ArchiveForm(core_forms.ArchiveForm):
    reason = TextAreaField(
        "Lý do lưu trữ",
        [required("Vui lòng nhập lý do lưu trữ."), max_length(500)],
        filters=[_strip],
    )
