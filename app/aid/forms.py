"""Forms of the aid pages: the dossier, each procedure step, follow-up records."""

from wtforms import (
    BooleanField,
    FieldList,
    FileField,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from app.aid.checklist import AidKind
from app.aid.contents import (
    DEFAULT_CENTRAL_AUTHORITY,
    CentralReason,
    FinancialMechanism,
    ManagementModality,
)
from app.aid.models import (
    AppraisalForm,
    DossierDocument,
    FollowUpStatus,
    Modality,
    OpinionVerdict,
    Regime,
    ReportKind,
    Sector,
)
from app.aid.regimes import regime_for
from app.aid.services import AMENDABLE
from app.core.dates import today_vn
from app.core.forms import (
    BaseForm,
    CurrencyField,
    MoneyField,
    VersionedForm,
    VNDateField,
    choices,
    chosen,
    max_length,
    optional,
    record_code,
    required,
)
from app.transfer.schema import RATE_LIMIT

SECTOR_ROWS = 5


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SectorRowForm(BaseForm):
    class Meta:
        csrf = False

    sector = SelectField("Lĩnh vực", [optional()], choices=choices([("", "—"), *Sector.choices()]))
    share = MoneyField("Tỷ lệ (%)", [optional()])


class AidItemForm(VersionedForm):
    code = record_code("Mã khoản viện trợ")
    name = StringField("Tên khoản viện trợ", [required(), max_length(500)])
    name_en = StringField("Tên tiếng Anh", [optional(), max_length(500)])
    modality = SelectField("Hình thức", [chosen()], choices=choices(Modality.choices()))
    regime = SelectField(
        "Chế độ pháp lý",
        [chosen()],
        choices=choices(Regime.choices()),
        default=lambda: regime_for(today_vn()),  # the regime of a dossier received today
    )
    main_donor_id = SelectField(
        "Nhà tài trợ chính",
        [NumberRange(min=1, message="Vui lòng chọn nhà tài trợ chính.")],
        coerce=int,
    )
    co_donor_ids = SelectMultipleField("Nhà đồng tài trợ", [optional()], coerce=int)
    owner_name = StringField("Chủ khoản viện trợ (chủ dự án)", [optional(), max_length(300)])
    governing_agency = StringField(
        "Cơ quan chủ quản", [optional(), max_length(300)], default="UBND tỉnh"
    )
    sectors = FieldList(FormField(SectorRowForm), min_entries=SECTOR_ROWS, max_entries=SECTOR_ROWS)
    communes = SelectMultipleField("Địa bàn (xã, phường)", [optional()])
    legacy_location = StringField("Địa bàn cũ (ghi chú, trước 2025)", [optional(), max_length(500)])
    value = MoneyField("Giá trị viện trợ", [required("Vui lòng nhập giá trị.")])
    currency = CurrencyField("Tiền tệ", [required()], default="VND")
    rate_vnd = MoneyField("Tỷ giá (VNĐ/đơn vị)", [optional()], limit=RATE_LIMIT)
    rate_usd = MoneyField("Tỷ giá USD (VNĐ/USD)", [optional()], limit=RATE_LIMIT)
    counterpart_vnd = MoneyField("Vốn đối ứng (VNĐ)", [optional()])
    is_budget_revenue = BooleanField("Thuộc nguồn thu ngân sách nhà nước")
    central_reason = SelectField(
        "Thẩm quyền phê duyệt",
        [optional()],
        choices=choices([("", "Thuộc thẩm quyền của tỉnh"), *CentralReason.choices()]),
        description="Khoản viện trợ vượt thẩm quyền của tỉnh (Nghị định 80/2020, Điều 7 khoản 1): "
        "tỉnh thẩm định và trình cấp trung ương quyết định.",
    )
    start_on = VNDateField("Ngày bắt đầu", [optional()])
    end_on = VNDateField("Ngày kết thúc", [optional()])
    dossier_received_on = VNDateField(
        "Ngày nhận hồ sơ", [required("Vui lòng nhập ngày nhận hồ sơ.")]
    )
    dossier_complete_on = VNDateField(
        "Ngày hồ sơ hợp lệ",
        [optional()],
        description="Ngày nhận đủ hồ sơ hợp lệ; thời hạn thẩm định tính từ ngày này.",
    )
    aid_kinds = MultiCheckboxField(
        "Loại viện trợ",
        choices=choices(AidKind.choices()),
        description="Quyết định các giấy tờ bắt buộc của hồ sơ (Nghị định 80/2020, Điều 8).",
    )
    dossier_documents = MultiCheckboxField(
        "Thành phần hồ sơ đã nhận", choices=choices(DossierDocument.choices())
    )
    objectives = TextAreaField("Mục tiêu", [optional()])
    description = TextAreaField("Nội dung, hoạt động chính", [optional()])
    beneficiaries = TextAreaField("Đối tượng thụ hưởng", [optional()])

    def sector_pairs(self):
        """(key, share) of the filled rows, in order."""
        return [(row.sector.data, row.share.data) for row in self.sectors if row.sector.data]


def decision_file() -> FileField:
    """The signed document of a decision step (optional); declared last in each form, so
    it is shown last."""
    return FileField(
        "Tệp văn bản đã ký (PDF, Word...)",
        description="Không bắt buộc; lưu kèm quyết định, văn bản.",
    )


def comment_field() -> TextAreaField:
    return TextAreaField("Ghi chú / lý do", [optional()])


class CommentForm(BaseForm):
    """A step that needs only a comment (return, suspend, resume, complete)."""

    comment = comment_field()


class ResubmitForm(CommentForm):
    received_on = VNDateField("Ngày nhận lại hồ sơ", [optional()])


class RequestOpinionsForm(BaseForm):
    agency_ids = MultiCheckboxField("Cơ quan được xin ý kiến", coerce=int)
    requested_on = VNDateField("Ngày xin ý kiến", [optional()])
    note = TextAreaField("Nội dung xin ý kiến", [optional()])


class AnswerOpinionForm(VersionedForm):
    verdict = SelectField("Ý kiến", [chosen()], choices=choices(OpinionVerdict.choices()))
    answer = TextAreaField("Nội dung ý kiến", [required("Vui lòng nhập nội dung ý kiến.")])
    document_number = StringField("Số văn bản", [optional(), max_length(60)])
    answered_on = VNDateField("Ngày văn bản", [optional()])
    file = FileField("Tệp văn bản (PDF, Word...)")


class AppraiseForm(BaseForm):
    form_key = SelectField(
        "Hình thức thẩm định", [chosen()], choices=choices(AppraisalForm.choices())
    )
    appraised_on = VNDateField("Ngày thẩm định", [required("Vui lòng nhập ngày thẩm định.")])
    conclusion = TextAreaField(
        "Kết luận thẩm định", [required("Vui lòng nhập kết luận thẩm định.")]
    )


class DecisionForm(BaseForm):
    number = StringField(
        "Số quyết định",
        [required("Vui lòng nhập số quyết định."), max_length(60)],
        render_kw={"placeholder": "123/QĐ-UBND"},
    )
    signed_on = VNDateField("Ngày ký", [required("Vui lòng nhập ngày ký.")])
    signer = StringField("Người ký", [optional(), max_length(200)])
    content = TextAreaField("Nội dung / lý do", [optional()])
    file = decision_file()


class DecisionContentsForm(DecisionForm):
    """What the approval decision says (Decree 80/2020 Art 11(1)(đ), (e), (g))."""

    approved_value = MoneyField(
        "Giá trị được phê duyệt (nguyên tệ)",
        [optional()],
        description="Để trống nếu đúng bằng giá trị đề nghị.",
    )
    donor_managed_value = MoneyField(
        "Phần giá trị do bên tài trợ quản lý (nguyên tệ)",
        [optional()],
        description="Hai phần cộng lại bằng giá trị được phê duyệt.",
    )
    recipient_managed_value = MoneyField(
        "Phần giá trị do bên tiếp nhận quản lý (nguyên tệ)", [optional()]
    )
    management_modality = SelectField(
        "Phương thức quản lý",
        [optional()],
        choices=choices([("", "—"), *ManagementModality.choices()]),
    )
    financial_mechanism = SelectField(
        "Cơ chế tài chính",
        [optional()],
        choices=choices([("", "—"), *FinancialMechanism.choices()]),
    )
    file = decision_file()


class ApproveForm(DecisionContentsForm):
    signer = StringField("Người ký", [optional(), max_length(200)], default="Chủ tịch UBND tỉnh")
    file = decision_file()


class CentralDecisionForm(DecisionContentsForm):
    """The central decision on aid beyond the province's competence."""

    number = StringField(
        "Số quyết định",
        [required("Vui lòng nhập số quyết định."), max_length(60)],
        render_kw={"placeholder": "45/QĐ-TTg"},
    )
    authority = StringField(
        "Cấp quyết định",
        [required("Vui lòng ghi cơ quan, người có thẩm quyền."), max_length(200)],
        default=DEFAULT_CENTRAL_AUTHORITY,
    )
    file = decision_file()


class SubmitUpForm(BaseForm):
    submitted_on = VNDateField("Ngày trình", [required("Vui lòng nhập ngày trình.")])
    document_number = StringField(
        "Số văn bản trình",
        [required("Vui lòng nhập số văn bản trình."), max_length(60)],
        render_kw={"placeholder": "123/TTr-UBND"},
    )
    submitted_to = StringField(
        "Trình đến",
        [required("Vui lòng ghi cơ quan nhận."), max_length(300)],
        default=DEFAULT_CENTRAL_AUTHORITY,
    )
    comment = TextAreaField("Ghi chú", [optional()])


class CentralRefusalForm(BaseForm):
    number = StringField("Số văn bản (nếu có)", [optional(), max_length(60)])
    signed_on = VNDateField("Ngày văn bản", [required("Vui lòng nhập ngày văn bản.")])
    authority = StringField(
        "Cấp quyết định",
        [required("Vui lòng ghi cơ quan, người có thẩm quyền."), max_length(200)],
        default=DEFAULT_CENTRAL_AUTHORITY,
    )
    content = TextAreaField("Lý do không chấp thuận", [required("Vui lòng ghi lý do.")])
    file = decision_file()


class RefuseForm(BaseForm):
    number = StringField("Số văn bản (nếu có)", [optional(), max_length(60)])
    signed_on = VNDateField("Ngày văn bản", [required("Vui lòng nhập ngày văn bản.")])
    content = TextAreaField("Lý do không chấp thuận", [required("Vui lòng ghi lý do.")])
    file = decision_file()


class CompleteForm(BaseForm):
    """Completion: the actual end, and the reason when less than 100 % was disbursed."""

    ended_on = VNDateField(
        "Ngày kết thúc thực tế", [optional()], description="Để trống: ngày hôm nay."
    )
    comment = TextAreaField(
        "Ghi chú / lý do",
        [optional()],
        description="Bắt buộc khi chưa giải ngân đủ 100% giá trị được phê duyệt.",
    )


class StartForm(BaseForm):
    """The actual start first (required), then the note."""

    started_on = VNDateField("Ngày bắt đầu thực hiện", [required("Vui lòng nhập ngày bắt đầu.")])
    comment = comment_field()  # declared after the date, so shown after it


class AmendForm(DecisionForm):
    value = MoneyField("Giá trị viện trợ mới", [optional()])
    currency = CurrencyField("Tiền tệ", [optional()], blank="— giữ nguyên —")
    rate_vnd = MoneyField("Tỷ giá (VNĐ/đơn vị)", [optional()], limit=RATE_LIMIT)
    rate_usd = MoneyField("Tỷ giá USD", [optional()], limit=RATE_LIMIT)
    counterpart_vnd = MoneyField("Vốn đối ứng mới (VNĐ)", [optional()])
    end_on = VNDateField("Ngày kết thúc mới", [optional()])
    file = decision_file()

    def new_values(self) -> dict:
        """The values the decision changes: the fields filled in (the rest stay)."""
        values = {}
        for key in AMENDABLE:
            data = self[key].data
            if key == "currency":
                data = (data or "").strip().upper() or None
            if data is not None and data != "":
                values[key] = int(data) if key == "counterpart_vnd" else data
        return values


class DisbursementForm(BaseForm):
    disbursed_on = VNDateField("Ngày giải ngân / tiếp nhận", [required("Vui lòng nhập ngày.")])
    amount = MoneyField("Số tiền", [required("Vui lòng nhập số tiền.")])
    currency = CurrencyField("Tiền tệ", [required()], default="VND")
    rate_vnd = MoneyField("Tỷ giá (VNĐ/đơn vị)", [optional()], limit=RATE_LIMIT)
    rate_usd = MoneyField("Tỷ giá USD", [optional()], limit=RATE_LIMIT)
    source = StringField("Nguồn / chứng từ", [optional(), max_length(300)])
    verified = BooleanField("Đã đối chiếu với tài khoản tiếp nhận viện trợ")
    # Asked only when the total would exceed the approved value (the service says so).
    confirm_over = BooleanField("Tôi xác nhận giải ngân vượt giá trị được phê duyệt")
    reason = TextAreaField(
        "Lý do (vượt giá trị phê duyệt / điều chỉnh sau hoàn thành)", [max_length(1000)]
    )


class PlannedDisbursementForm(VersionedForm):
    """One year of the schedule, in the item's currency."""

    year = IntegerField("Năm", [required("Vui lòng nhập năm.")])
    amount = MoneyField("Số tiền kế hoạch (nguyên tệ)", [required("Vui lòng nhập số tiền.")])
    note = StringField("Ghi chú", [optional(), max_length(500)])


class ReportForm(BaseForm):
    kind = SelectField("Loại báo cáo", [chosen()], choices=choices(ReportKind.choices()))
    period_start = VNDateField("Từ ngày (kỳ báo cáo)", [optional()])
    period_end = VNDateField("Đến ngày (kỳ báo cáo)", [optional()])
    received_on = VNDateField("Ngày nhận", [required("Vui lòng nhập ngày nhận.")])
    summary = TextAreaField("Tóm tắt", [optional()])
    file = FileField("Tệp báo cáo")


class InspectionForm(BaseForm):
    inspected_on = VNDateField("Ngày kiểm tra", [required("Vui lòng nhập ngày kiểm tra.")])
    team = StringField(
        "Cơ quan tham gia đoàn", [required("Vui lòng ghi thành phần đoàn."), max_length(500)]
    )
    findings = TextAreaField("Kết quả kiểm tra", [optional()])
    recommendations = TextAreaField("Kiến nghị", [optional()])
    follow_up = SelectField(
        "Tình hình khắc phục", [chosen()], choices=choices(FollowUpStatus.choices())
    )


class FollowUpForm(VersionedForm):
    follow_up = SelectField(
        "Tình hình khắc phục", [chosen()], choices=choices(FollowUpStatus.choices())
    )


class AttachmentForm(BaseForm):
    file = FileField("Tệp")
    note = StringField("Ghi chú", [optional(), max_length(500)])
    document = SelectField(
        "Là thành phần hồ sơ",
        [optional()],
        choices=choices([("", "—"), *DossierDocument.choices()]),
    )


class DocumentReceivedForm(VersionedForm):
    """Tick (or untick) a document of the checklist as received."""

    received = BooleanField("Đã nhận")


class NoticeDoneForm(VersionedForm):
    """A notice after a decision marked as sent (app/aid/notices.py)."""

    done_on = VNDateField("Ngày gửi", [required("Vui lòng nhập ngày gửi.")])
    document_number = StringField(
        "Số văn bản gửi", [required("Vui lòng nhập số văn bản gửi."), max_length(60)]
    )
    note = TextAreaField("Ghi chú", [optional()])
