"""Forms of the delegation pages."""

from wtforms import (
    BooleanField,
    FieldList,
    FileField,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from app.core.countries import country_choices
from app.core.forms import (
    BaseForm,
    VersionedForm,
    VNDateField,
    choices,
    chosen,
    max_length,
    optional,
    record_code,
    required,
)
from app.delegations.models import Direction, Funding, PassportType, Purpose, Sex, Verdict

STOP_ROWS = 8


def _country_choices(blank: str | None = None):
    """The countries (a callable's result: forms are defined without loading them, which
    took 70 ms of every start)."""
    pairs = country_choices()
    return choices([("", blank), *pairs] if blank else pairs)


class StopForm(BaseForm):
    class Meta:
        csrf = False

    day = VNDateField("Ngày", [optional()])
    commune_code = SelectField("Xã, phường", [optional()])
    place = StringField("Địa điểm", [optional(), max_length(300)])
    activity = StringField("Nội dung làm việc", [optional(), max_length(500)])


class DelegationForm(VersionedForm):
    code = record_code("Mã đoàn")
    direction = SelectField("Loại đoàn", [chosen()], choices=choices(Direction.choices()))
    title = StringField("Tên đoàn", [required(), max_length(500)])
    purpose = SelectField("Mục đích", [chosen()], choices=choices(Purpose.choices()))
    organization_id = SelectField("Tổ chức (nhà tài trợ, đối tác)", [optional()], coerce=int)
    sending_party = StringField(
        "Bên cử đoàn / nơi đến (nếu không phải tổ chức trong danh mục)",
        [optional(), max_length(300)],
    )
    country = SelectField(
        "Quốc gia (nơi đi đối với đoàn vào, nơi đến đối với đoàn ra)",
        [chosen("Vui lòng chọn quốc gia.")],
        choices=lambda: _country_choices("— Chọn quốc gia —"),
    )
    other_countries = SelectMultipleField(
        "Quốc gia khác", [optional()], choices=lambda: _country_choices()
    )
    start_on = VNDateField("Từ ngày", [required("Vui lòng nhập ngày bắt đầu.")])
    end_on = VNDateField("Đến ngày", [required("Vui lòng nhập ngày kết thúc.")])
    host_agency_id = SelectField("Đơn vị đón tiếp / cơ quan có cán bộ đi", [optional()], coerce=int)
    funding = SelectField(
        "Nguồn kinh phí", [optional()], choices=choices([("", "—"), *Funding.choices()])
    )
    aid_item_code = StringField("Mã khoản viện trợ liên quan", [optional(), max_length(40)])
    contact = StringField("Người liên hệ", [optional(), max_length(300)])
    notes = TextAreaField("Ghi chú", [optional()])
    stops = FieldList(FormField(StopForm), min_entries=STOP_ROWS, max_entries=STOP_ROWS)


class MemberForm(VersionedForm):
    """A member; when correcting one, the form carries the version it was rendered with."""

    full_name = StringField("Họ và tên", [required("Vui lòng nhập họ và tên."), max_length(200)])
    sex = SelectField("Giới tính", [optional()], choices=choices([("", "—"), *Sex.choices()]))
    birth_date = VNDateField("Ngày sinh", [optional()])
    nationality = SelectField(
        "Quốc tịch",
        [chosen("Vui lòng chọn quốc tịch.")],
        choices=lambda: _country_choices("— Chọn quốc tịch —"),
    )
    passport_number = StringField("Số hộ chiếu", [optional(), max_length(30)])
    passport_type = SelectField(
        "Loại hộ chiếu", [optional()], choices=choices([("", "—"), *PassportType.choices()])
    )
    passport_expiry = VNDateField("Hạn hộ chiếu", [optional()])
    position = StringField("Chức vụ", [optional(), max_length(200)])
    organization_name = StringField("Cơ quan, tổ chức", [optional(), max_length(300)])
    is_head = BooleanField("Trưởng đoàn")


class MemberRemoveForm(VersionedForm):
    """Taking a member off the list: asked for confirmation, with the reason."""

    reason = TextAreaField(
        "Lý do xóa khỏi danh sách đoàn",
        [required("Vui lòng ghi lý do xóa thành viên."), max_length(500)],
    )


class UploadForm(BaseForm):
    file = FileField("Tệp danh sách (XLSX hoặc CSV, các cột của mẫu ThanhVien)")


class CommentForm(BaseForm):
    comment = TextAreaField("Ghi chú / lý do", [optional()])


class ConfirmForm(CommentForm):
    """Keeping a review or permit: carries the revision whose changes the reviewer saw, so
    a change made meanwhile is not confirmed unseen."""

    revision = HiddenField()

    def revision_number(self) -> int | None:
        try:
            return int(self.revision.data)
        except (TypeError, ValueError):
            return None


class ApproveForm(BaseForm):
    number = StringField(
        "Số văn bản / quyết định", [required("Vui lòng nhập số văn bản."), max_length(60)]
    )
    approved_on = VNDateField("Ngày phê duyệt", [required("Vui lòng nhập ngày phê duyệt.")])
    approved_by = StringField("Người ký / cấp phê duyệt", [optional(), max_length(200)])


class ReviewForm(BaseForm):
    verdict = SelectField("Ý kiến", [chosen()], choices=choices(Verdict.choices()))
    text = TextAreaField("Nội dung", [required("Vui lòng nhập nội dung ý kiến.")])
    document_number = StringField("Số văn bản", [optional(), max_length(60)])
    reviewed_on = VNDateField("Ngày văn bản", [optional()])


class PermitForm(BaseForm):
    number = StringField("Số giấy phép", [required("Vui lòng nhập số giấy phép."), max_length(60)])
    issued_on = VNDateField("Ngày cấp", [required("Vui lòng nhập ngày cấp.")])
    valid_from = VNDateField("Có hiệu lực từ", [required("Vui lòng nhập ngày có hiệu lực.")])
    valid_to = VNDateField("Đến ngày", [required("Vui lòng nhập ngày hết hiệu lực.")])
    notes = TextAreaField("Ghi chú", [optional()])


class NoticeForm(BaseForm):
    notice_on = VNDateField(
        "Ngày thông báo cho Công an, Bộ đội Biên phòng", [required("Vui lòng nhập ngày thông báo.")]
    )


class ReportForm(BaseForm):
    received_on = VNDateField("Ngày báo cáo", [required("Vui lòng nhập ngày báo cáo.")])
    summary = TextAreaField("Kết quả chuyến đi / đón đoàn", [required("Vui lòng nhập nội dung.")])
    file = FileField("Tệp báo cáo")
