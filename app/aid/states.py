"""The aid procedure's fixed vocabulary, in one place: statuses, their named groups, the
kinds of decision that move them, and the audit action names.

Keys are the registry workbook's (spec/interchange.md). Everything else (models, services,
statistics, the import, templates through the item's properties) imports these names; a
test fails if a status key is written as a literal anywhere else in `app/` or `templates/`.
"""

from app.core.enums import group, labelled

AidStatus = labelled(
    "AidStatus",
    {
        "tiep_nhan": "Tiếp nhận hồ sơ",
        "tra_lai": "Trả lại để hoàn thiện",
        "xin_y_kien": "Đang xin ý kiến",
        "tham_dinh": "Đã thẩm định",
        "da_phe_duyet": "Đã phê duyệt",
        "khong_chap_thuan": "Không chấp thuận",
        "dang_thuc_hien": "Đang thực hiện",
        "tam_dung": "Tạm dừng",
        "hoan_thanh": "Hoàn thành",
        "thu_hoi": "Thu hồi quyết định",
    },
)
S = AidStatus

# Bootstrap colour of each status's badge.
STYLES = {
    S.TIEP_NHAN: "info",
    S.TRA_LAI: "warning",
    S.XIN_Y_KIEN: "primary",
    S.THAM_DINH: "primary",
    S.DA_PHE_DUYET: "success",
    S.KHONG_CHAP_THUAN: "danger",
    S.DANG_THUC_HIEN: "success",
    S.TAM_DUNG: "warning",
    S.HOAN_THANH: "secondary",
    S.THU_HOI: "danger",
}

INITIAL = S.TIEP_NHAN.value
# Before the decision: the dossier may still be edited, and it sits in the focal agency's inbox.
IN_PROCEDURE = group(S.TIEP_NHAN, S.TRA_LAI, S.XIN_Y_KIEN, S.THAM_DINH)
EDITABLE = IN_PROCEDURE
# In the procedure and running against a deadline (a returned dossier waits for its owner).
ON_THE_CLOCK = group(S.TIEP_NHAN, S.XIN_Y_KIEN, S.THAM_DINH)
# Appraised: waits for the decision (what the province's leadership looks at).
WAITING_FOR_DECISION = S.THAM_DINH.value
# "Approved or later" (spec/interchange.md): these carry an approval decision.
APPROVED_OR_LATER = group(S.DA_PHE_DUYET, S.DANG_THUC_HIEN, S.TAM_DUNG, S.HOAN_THANH, S.THU_HOI)
# A decision in force that may still be amended or revoked, and whose closing report is due.
DECISION_IN_FORCE = group(S.DA_PHE_DUYET, S.DANG_THUC_HIEN, S.TAM_DUNG)
# Disbursements, reports and inspections are recorded for these.
FOLLOW_UP = group(S.DA_PHE_DUYET, S.DANG_THUC_HIEN, S.TAM_DUNG, S.HOAN_THANH)
# "Active in Y" in the annual report (spec/annual-report.md).
ACTIVE = group(S.DA_PHE_DUYET, S.DANG_THUC_HIEN, S.HOAN_THANH)
WAITING_FOR_OPINIONS = S.XIN_Y_KIEN.value
APPROVED_NOT_STARTED = S.DA_PHE_DUYET.value
RUNNING = S.DANG_THUC_HIEN.value
# Completed: money is then recorded only as a correction, with a reason.
COMPLETED = S.HOAN_THANH.value


DecisionKind = labelled(
    "DecisionKind",
    {
        "phe_duyet": "Quyết định phê duyệt",
        "khong_chap_thuan": "Thông báo không chấp thuận",
        "dieu_chinh": "Quyết định điều chỉnh, bổ sung",
        "thu_hoi": "Quyết định thu hồi",
    },
)

# The notices the law asks after a decision, tracked as tasks of the aid focal agency
# (app/aid/notices.py; deadlines from the item's regime row, app/aid/regimes.py).
NoticeKind = labelled(
    "NoticeKind",
    {
        "nha_tai_tro": "Gửi quyết định phê duyệt cho nhà tài trợ",
        "cac_bo": "Gửi quyết định cho các Bộ liên quan (Bộ Tài chính, ...)",
        "so_tai_chinh": "Gửi bản sao quyết định và thỏa thuận cho Sở Tài chính",
        "thong_bao_thu_hoi": "Thông báo thu hồi cho nhà tài trợ",
    },
)


class AidAudit:
    """Audit action names of the aid domain: the same from a form or from the import.

    Workflow steps are logged as `aid.<action>` by app.core.workflow (e.g. `aid.approve`).
    """

    CREATE = "aid.create"
    UPDATE = "aid.update"
    ARCHIVE = "aid.archive"
    OPINION_ANSWER = "aid.opinion_answer"
    DISBURSEMENT_ADD = "aid.disbursement_add"
    DISBURSEMENT_UPDATE = "aid.disbursement_update"
    DISBURSEMENT_ARCHIVE = "aid.disbursement_archive"
    # A disbursement confirmed above the approved value, and one recorded after completion.
    DISBURSEMENT_OVER_APPROVED = "aid.disbursement_over_approved"
    DISBURSEMENT_CORRECTION = "aid.disbursement_correction"
    PLAN_ADD = "aid.planned_disbursement_add"
    PLAN_UPDATE = "aid.planned_disbursement_update"
    PLAN_ARCHIVE = "aid.planned_disbursement_archive"
    REPORT_ADD = "aid.report_add"
    INSPECTION_ADD = "aid.inspection_add"
    INSPECTION_FOLLOW_UP = "aid.inspection_follow_up"
    # A dossier document ticked as received (or not) on the checklist or with its file.
    DOSSIER_DOCUMENT = "aid.dossier_document"
    # A notice after a decision: the task created with the decision, then marked done.
    NOTICE_CREATE = "aid.notice_create"
    NOTICE_DONE = "aid.notice_done"
