"""Forms for donor organisations: the organisation itself and its archiving."""

from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Email, Regexp, ValidationError

from app.core import forms as core_forms
from app.core.countries import country_choices
from app.core.dates import today_vn
from app.core.forms import VNDateField, choices, chosen, max_length, optional, required
from app.orgs.models import CertificateStatus, CertificateType, OrgKind
from app.orgs.scope import field_choices, province_choices

CODE_PATTERN = r"^[A-Za-z0-9._/-]+$"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _strip_upper(value):
    return value.strip().upper() if isinstance(value, str) else value


class OptionalSelectField(SelectField):
    """A select whose blank option ("") stands for "none": a missing value is blank too."""

    def process_data(self, value):
        super().process_data("" if value is None else value)


class OrganizationForm(core_forms.VersionedForm):
    code = StringField(
        "Mã tổ chức",
        [
            required("Vui lòng nhập mã tổ chức."),
            max_length(40),
            Regexp(
                CODE_PATTERN,
                message="Chỉ dùng chữ cái không dấu, chữ số và các ký tự - _ . /",
            ),
        ],
        filters=[_strip_upper],
        description="Mã duy nhất, ví dụ ACTIONAID-VN; được lưu bằng chữ in hoa.",
    )
    name = StringField(
        "Tên tổ chức",
        [required("Vui lòng nhập tên tổ chức."), max_length(300)],
        filters=[_strip],
        description="Tên theo ngôn ngữ gốc.",
    )
    name_vi = StringField("Tên tiếng Việt", [optional(), max_length(300)], filters=[_strip])
    kind = SelectField(
        "Loại tổ chức",
        [chosen("Vui lòng chọn loại tổ chức.")],
        choices=choices([("", "— Chọn loại tổ chức —"), *OrgKind.choices()]),
    )
    country = SelectField("Quốc gia", [chosen("Vui lòng chọn quốc gia.")])
    certificate_type = OptionalSelectField(
        "Loại giấy đăng ký",
        choices=choices([("", "— Không có —"), *CertificateType.choices()]),
    )
    certificate_number = StringField(
        "Số giấy đăng ký", [optional(), max_length(60)], filters=[_strip]
    )
    certificate_issued_on = VNDateField("Ngày cấp", [optional()])
    certificate_expires_on = VNDateField("Ngày hết hạn", [optional()])
    certificate_status = OptionalSelectField(
        "Tình trạng giấy đăng ký",
        choices=choices([("", "— Không rõ —"), *CertificateStatus.choices()]),
    )
    # The certificate's scope as codes (Decree 58/2022 Art 8(1)); unknown codes are refused
    # by the service with the error next to the field (choices are not checked here).
    certificate_provinces = SelectMultipleField(
        "Tỉnh, thành phố được phép hoạt động",
        choices=lambda: choices(province_choices()),  # read when first shown
        validate_choice=False,
        description="Theo giấy đăng ký (34 tỉnh, thành phố từ 01/7/2025); chọn nhiều bằng "
        "Ctrl/Cmd. Để trống nếu chưa rõ: khi đó không cảnh báo về địa bàn.",
    )
    certificate_fields = SelectMultipleField(
        "Lĩnh vực được phép hoạt động",
        choices=lambda: choices(field_choices()),
        validate_choice=False,
        description="Theo giấy đăng ký, cùng danh mục lĩnh vực của khoản viện trợ. Để trống "
        "nếu chưa rõ: khi đó không cảnh báo về lĩnh vực.",
    )
    registered_fields = TextAreaField("Lĩnh vực hoạt động đăng ký", filters=[_strip])
    registered_areas = TextAreaField("Địa bàn hoạt động đăng ký", filters=[_strip])
    representative = StringField("Người đại diện", [optional(), max_length(200)], filters=[_strip])
    address = StringField("Địa chỉ", [optional(), max_length(300)], filters=[_strip])
    email = StringField(
        "Thư điện tử",
        [optional(), Email(message="Địa chỉ thư điện tử không hợp lệ."), max_length(200)],
        filters=[_strip],
    )
    phone = StringField("Điện thoại", [optional(), max_length(60)], filters=[_strip])
    website = StringField("Trang web", [optional(), max_length(200)], filters=[_strip])
    notes = TextAreaField("Ghi chú", filters=[_strip])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = choices([("", "— Chọn quốc gia —"), *country_choices()])

    def validate_certificate_issued_on(self, field):
        if field.data and field.data > today_vn():
            raise ValidationError("Ngày cấp không được sau ngày hôm nay.")

    def validate_certificate_expires_on(self, field):
        issued = self.certificate_issued_on.data
        if field.data and issued and field.data < issued:
            raise ValidationError("Ngày hết hạn không được trước ngày cấp.")


class ArchiveForm(core_forms.ArchiveForm):
    """Archiving an organisation: why (a longer text here), and the version shown."""

    reason = TextAreaField(
        "Lý do lưu trữ",
        [required("Vui lòng nhập lý do lưu trữ."), max_length(500)],
        filters=[_strip],
    )
