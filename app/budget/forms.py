"""Forms of the budget domain (Vietnamese; money typed as 1.234.567). Field names are the
services' argument names, so views pass `form_values(form)` as they are."""

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField

from app.budget.states import Verdict
from app.core.forms import (
    BaseForm,
    MoneyField,
    VersionedForm,
    VNDateField,
    choices,
    max_length,
    optional,
    required,
)


class OptionalIdField(SelectField):
    """A select of records by id whose blank option means "none" (None)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", lambda value: int(value) if value not in (None, "") else None)
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Giá trị không hợp lệ.") from None


class ProposalForm(VersionedForm):
    year = IntegerField("Năm ngân sách", [required("Vui lòng nhập năm.")])
    # Offered to foreign-affairs officers only: an association's line instead of their own.
    association_id = OptionalIdField("Hội hữu nghị (nếu đề xuất cho hội)")
    proposed_vnd = MoneyField(
        "Kinh phí đề xuất (VNĐ)",
        [required("Vui lòng nhập số tiền.")],
        description="Số nguyên đồng, ví dụ 150.000.000",
    )
    proposal_note = TextAreaField("Thuyết minh đề xuất", [optional(), max_length(4000)])


class AllocationForm(VersionedForm):
    allocated_vnd = MoneyField("Kinh phí được phân bổ (VNĐ)", [required("Vui lòng nhập số tiền.")])
    allocation_number = StringField(
        "Số quyết định phân bổ",
        [required("Vui lòng nhập số quyết định phân bổ."), max_length(60)],
        description="Ví dụ 123/QĐ-UBND",
    )
    allocation_date = VNDateField("Ngày quyết định", [required("Vui lòng nhập ngày quyết định.")])


class CheckForm(VersionedForm):
    verdict = SelectField(
        "Kết luận",
        choices=choices([("", "— Chọn kết luận —"), *Verdict.choices()]),
        validate_choice=False,
    )
    finance_remarks = TextAreaField(
        "Nhận xét của cơ quan tài chính",
        [optional(), max_length(4000)],
        description="Bắt buộc khi chưa đúng hoặc không đúng mục đích.",
    )


class ReasonForm(VersionedForm):
    reason = TextAreaField("Lý do", [required("Vui lòng ghi lý do."), max_length(1000)])


class NoteForm(VersionedForm):
    note = TextAreaField("Ghi chú", [optional(), max_length(1000)])


class SpendingForm(BaseForm):
    spent_on = VNDateField("Ngày chi", [required("Vui lòng nhập ngày chi.")])
    amount_vnd = MoneyField("Số tiền (VNĐ)", [required("Vui lòng nhập số tiền.")])
    document_number = StringField(
        "Số chứng từ", [required("Vui lòng nhập số chứng từ."), max_length(100)]
    )
    description = StringField(
        "Nội dung hoạt động", [required("Vui lòng ghi nội dung hoạt động."), max_length(500)]
    )
    association_activity_id = OptionalIdField("Hoạt động của hội (nếu có)")
    training_course_id = OptionalIdField("Khóa đào tạo, bồi dưỡng (nếu có)")
    delegation_id = OptionalIdField("Đoàn ra, đoàn vào (nếu có)")
    # Asked only when the total would exceed the allocation (the service says so).
    confirm_over = BooleanField("Tôi xác nhận khoản chi làm tổng chi vượt số được phân bổ")
