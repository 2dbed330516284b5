"""The documents domain's fixed vocabulary: the kinds of official document, the records
they are drafted from, the steps of those records at which each is offered, and the audit
action names. The steps are the named groups of app/aid/states.py,
app/delegations/states.py and app/planreport/states.py (no status literal here)."""

from app.aid import states as aid_states
from app.core.enums import group, labelled
from app.delegations import states as delegation_states
from app.planreport import states as plan_states

DocumentKind = labelled(
    "DocumentKind",
    {
        "aid_opinion_request": "Công văn xin ý kiến các cơ quan",
        "aid_appraisal_report": "Báo cáo thẩm định",
        "aid_approval_draft": "Dự thảo quyết định phê duyệt",
        "aid_refusal_letter": "Văn bản thông báo không chấp thuận",
        "aid_decision_notice": "Văn bản thông báo quyết định cho nhà tài trợ",
        "delegation_reply": "Văn bản trả lời về việc đón đoàn",
        "delegation_border_notice": "Thông báo Công an, Bộ đội Biên phòng (khu vực biên giới)",
        "delegation_reception_list": "Danh sách đoàn",
        "annual_aid_report": "Báo cáo tình hình tiếp nhận viện trợ năm",
        "plan_report": "Báo cáo thực hiện Kế hoạch đối ngoại nhân dân",
    },
)
K = DocumentKind

# The record a document is drafted from (GeneratedDocument.owner_type; also the owner type
# of the sent copy kept as an attachment of that record).
AID_ITEM = "aid_item"
DELEGATION = "delegation"
YEAR = "annual_aid_report"  # owner id: the year
PLAN_REPORT = "plan_report"
OwnerType = labelled(
    "OwnerType",
    {
        AID_ITEM: "Khoản viện trợ",
        DELEGATION: "Đoàn",
        YEAR: "Báo cáo năm",
        PLAN_REPORT: "Báo cáo thực hiện kế hoạch",
    },
)
# The draft files themselves: attachments of the generated_document row.
DRAFT_FILES = "generated_document"

OWNER_OF = {
    K.AID_OPINION_REQUEST: AID_ITEM,
    K.AID_APPRAISAL_REPORT: AID_ITEM,
    K.AID_APPROVAL_DRAFT: AID_ITEM,
    K.AID_REFUSAL_LETTER: AID_ITEM,
    K.AID_DECISION_NOTICE: AID_ITEM,
    K.DELEGATION_REPLY: DELEGATION,
    K.DELEGATION_BORDER_NOTICE: DELEGATION,
    K.DELEGATION_RECEPTION_LIST: DELEGATION,
    K.ANNUAL_AID_REPORT: YEAR,
    K.PLAN_REPORT: PLAN_REPORT,
}

A = aid_states.S
D = delegation_states.S
# The steps at which each document is offered on its record's page (once drafted, it
# stays in the record's list of documents whatever the step).
OFFERED_IN = {
    K.AID_OPINION_REQUEST: group(A.TIEP_NHAN, A.XIN_Y_KIEN),
    K.AID_APPRAISAL_REPORT: group(A.TIEP_NHAN, A.XIN_Y_KIEN, A.THAM_DINH),
    K.AID_APPROVAL_DRAFT: group(A.THAM_DINH),
    K.AID_REFUSAL_LETTER: group(A.XIN_Y_KIEN, A.THAM_DINH, A.KHONG_CHAP_THUAN),
    K.AID_DECISION_NOTICE: aid_states.DECISION_IN_FORCE,
    K.DELEGATION_REPLY: group(D.DANG_XEM_XET, D.DA_DUYET, D.TU_CHOI),
    K.DELEGATION_BORDER_NOTICE: delegation_states.LIVE,
    K.DELEGATION_RECEPTION_LIST: delegation_states.LIVE,
    # A draft of the report at any step (its texts grow until it is final).
    K.PLAN_REPORT: group(*plan_states.PlanReportStatus),
}


class DocumentAudit:
    """Audit action names of the documents domain."""

    GENERATE = "document.generate"
    SENT = "document.sent"
    TEMPLATE_UPLOAD = "document.template_upload"
    TEMPLATE_ACTIVATE = "document.template_activate"
