"""The delegation review's fixed vocabulary, in one place: statuses, their named groups and
the audit action names.

Keys are the registry workbook's (spec/interchange.md, sheet Doan). Everything else imports
these names; a test fails if a status key is written as a literal anywhere else in `app/`
or `templates/`.
"""

from app.core.enums import group, labelled

DelegationStatus = labelled(
    "DelegationStatus",
    {
        "du_thao": "Dự thảo",
        "da_gui": "Đã gửi",
        "dang_xem_xet": "Đang xem xét",
        "da_duyet": "Đã duyệt",
        "tu_choi": "Từ chối",
        "hoan_thanh": "Hoàn thành",
        "huy": "Hủy",
    },
)
S = DelegationStatus

# Bootstrap colour of each status's badge.
STYLES = {
    S.DU_THAO: "secondary",
    S.DA_GUI: "info",
    S.DANG_XEM_XET: "primary",
    S.DA_DUYET: "success",
    S.TU_CHOI: "danger",
    S.HOAN_THANH: "secondary",
    S.HUY: "dark",
}

INITIAL = S.DU_THAO.value
DRAFT = S.DU_THAO.value  # seen only by the agency that lodged it
SUBMITTED = S.DA_GUI.value  # waiting for foreign affairs to receive it
UNDER_REVIEW = S.DANG_XEM_XET.value  # reviews and approval happen here
# The request (dates, members, itinerary) may still be edited.
EDITABLE = group(S.DU_THAO, S.DA_GUI, S.DANG_XEM_XET)
# Sent and not closed: reviews, permits, notices and the calendar concern these.
LIVE = group(S.DA_GUI, S.DANG_XEM_XET, S.DA_DUYET)
CANCELLABLE = group(S.DU_THAO, S.DA_GUI, S.DANG_XEM_XET, S.DA_DUYET)
# The police may issue a border-area permit while the request is reviewed or once approved.
PERMIT = group(S.DANG_XEM_XET, S.DA_DUYET)
# Approved, then completed: the visit report belongs to these.
AFTER_APPROVAL = group(S.DA_DUYET, S.HOAN_THANH)
# Counted in the annual report (spec/annual-report.md).
COUNTED = group(S.DA_DUYET, S.HOAN_THANH)
APPROVED = S.DA_DUYET.value
# Until approval the lodging agency's officers see and correct their members' personal data.
BEFORE_APPROVAL = group(S.DU_THAO, S.DA_GUI, S.DANG_XEM_XET)


class DelegationAudit:
    """Audit action names of the delegation domain: the same from a form or the import.

    Workflow steps are logged as `delegation.<action>` by app.core.workflow.
    """

    CREATE = "delegation.create"
    UPDATE = "delegation.update"
    ARCHIVE = "delegation.archive"
    MEMBER_ADD = "delegation.member_add"
    MEMBER_UPDATE = "delegation.member_update"
    MEMBER_REMOVE = "delegation.member_remove"
    MEMBERS_UPLOAD = "delegation.members_upload"
    MEMBERS_EXPORT = "delegation.members_export"
    PERSONAL_DATA_VIEW = "delegation.personal_data_view"
    REVIEW = "delegation.review"  # + "_<reviewer kind>"
    # Members, dates or itinerary changed after a review: the reviews given are on an
    # earlier version (what changed is in the entry and in delegation_change).
    REVIEWS_REOPENED = "delegation.reviews_reopened"
    REVIEW_CONFIRM = "delegation.review_confirm"  # + "_<reviewer kind>"
    BORDER_PERMIT_CONFIRM = "delegation.border_permit_confirm"
    BORDER_PERMIT = "delegation.border_permit"
    BORDER_NOTICE = "delegation.border_notice"
    REPORT = "delegation.report"
