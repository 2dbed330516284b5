"""Forms of the training domain: a course, an agency's trainees, and archiving."""

from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import NumberRange, ValidationError

from app.core import forms as core_forms
from app.core.forms import MoneyField, VNDateField, choices, max_length, optional, required
from app.training.states import TrainingTopic


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _id_or_none(value):
    """A select's value as an id; the blank option ("") is None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CourseForm(core_forms.VersionedForm):
    code = core_forms.record_code("Mã khóa đào tạo")
    title = StringField(
        "Tên khóa đào tạo, bồi dưỡng",
        [required("Vui lòng nhập tên khóa đào tạo."), max_length(300)],
        filters=[_strip],
    )
    start_on = VNDateField("Từ ngày", [required("Vui lòng nhập ngày bắt đầu.")])
    end_on = VNDateField("Đến ngày", [required("Vui lòng nhập ngày kết thúc.")])
    organiser_agency_id = SelectField("Cơ quan tổ chức", coerce=_id_or_none, validate_choice=False)
    organiser_text = StringField(
        "Đơn vị tổ chức (ghi rõ)",
        [optional(), max_length(300)],
        filters=[_strip],
        description="Khi đơn vị tổ chức không có trong danh sách (bộ, ngành, đối tác nước "
        "ngoài) hoặc để ghi thêm đơn vị phối hợp.",
    )
    place = StringField("Địa điểm", [optional(), max_length(300)], filters=[_strip])
    # Unknown keys are refused by the service, next to the field (choices not checked here).
    topics = SelectMultipleField(
        "Chủ đề",
        choices=choices(TrainingTopic.choices()),
        validate_choice=False,
        description="Chọn một hoặc nhiều chủ đề (giữ Ctrl/Cmd để chọn nhiều).",
    )
    cost_vnd = MoneyField(
        "Kinh phí (VNĐ)",
        [optional()],
        description="Số đồng, ví dụ 25.000.000. Để trống nếu chưa rõ.",
    )
    funding_source = StringField(
        "Nguồn kinh phí",
        [optional(), max_length(300)],
        filters=[_strip],
        description="Dòng dự toán hoặc nguồn, ví dụ: kinh phí đối ngoại nhân dân năm 2026.",
    )
    notes = TextAreaField("Ghi chú", filters=[_strip])

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organiser_agency_id.choices = choices(
            [("", "— Không chọn (ghi rõ bên dưới) —"), *agencies]
        )

    def validate_end_on(self, field):
        start = self.start_on.data
        if field.data and start and field.data < start:
            raise ValidationError("Ngày kết thúc không được trước ngày bắt đầu.")


class AttendanceForm(core_forms.VersionedForm):
    """The trainees one agency sent: how many, and their names where recorded."""

    agency_id = SelectField("Cơ quan cử học viên", coerce=_id_or_none, validate_choice=False)
    trainee_count = IntegerField(
        "Số học viên",
        [
            required("Vui lòng nhập số học viên."),
            NumberRange(min=1, max=100_000, message="Số học viên phải từ 1 đến 100.000."),
        ],
    )
    names = TextAreaField(
        "Họ tên học viên",
        filters=[_strip],
        description="Không bắt buộc; mỗi dòng một người, không nhiều hơn số học viên.",
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_id.choices = choices([("", "— Chọn cơ quan —"), *agencies])

    def validate_names(self, field):
        count = self.trainee_count.data
        named = len([line for line in (field.data or "").splitlines() if line.strip()])
        if isinstance(count, int) and named > count:
            raise ValidationError(
                f"Đã ghi {named} họ tên nhưng số học viên chỉ là {count}: số họ tên không "
                "được nhiều hơn số học viên (mỗi dòng một người)."
            )


class ArchiveForm(core_forms.ArchiveForm):
    """Archiving a course or removing an agency's trainees: why, and the version shown."""

    reason = TextAreaField(
        "Lý do",
        [required("Vui lòng nhập lý do."), max_length(500)],
        filters=[_strip],
    )
