"""What each audit action is called in Vietnamese: the one place the audit constants
(AidAudit, DelegationAudit, OrgAudit, AuthAudit, TransferAudit, ...) get their labels.

A label that already exists (a workflow's button, a status) is imported, never copied:
workflow steps (`aid.approve`) and entries take their Action's label from the workflow
tables. A domain that adds a vocabulary class adds its labels with `register({...})` in its
init_app; an action without a label is named from its object and its verb ("Khoản viện
trợ: tạo mới"), never shown as a code.

Built lazily (the domains import app.core, not the other way round at import time).
"""

from functools import cache

from app.core import audit

# Object types that app.core.audit.OBJECT_LABELS does not name (the audit log's filter
# shows these too).
MORE_OBJECT_LABELS = {
    "aid_notice": "Thông báo sau quyết định",
    "planned_disbursement": "Kế hoạch giải ngân",
    "itinerary_stop": "Điểm lịch trình",
    "import": "Nhập dữ liệu",
}

# The verb at the end of an action code, for actions no one labelled.
VERBS = {
    "create": "tạo mới",
    "update": "sửa",
    "archive": "lưu trữ",
    "restore": "khôi phục",
    "export": "xuất dữ liệu",
    "add": "thêm",
    "remove": "xóa khỏi danh sách",
    "import": "nhập dữ liệu",
}

# Added by the domains' init_app (register); read after the built-in labels.
REGISTERED: dict[str, str] = {}

ATTACHMENT_ADD = "attachment.add"  # written by app.core.attachments.store
AUDIT_LOG_EXPORT = "audit.export"  # the administrators' export of the audit log


def register(labels: dict[str, str]) -> None:
    """Labels of a domain's audit constants ({AssociationAudit.CREATE: "..."})."""
    REGISTERED.update(labels)


def object_labels() -> dict[str, str]:
    return {**MORE_OBJECT_LABELS, **audit.OBJECT_LABELS}


def object_label(object_type: str | None) -> str:
    return object_labels().get(object_type or "", object_type or "")


def _workflow_labels() -> dict[str, str]:
    """`<prefix>.<action>` of every workflow step and entry: its button's label."""
    from app.core.workflow import WORKFLOWS

    return {
        f"{flow.audit_prefix}.{key}": action.label
        for flow in WORKFLOWS.values()
        for key, action in flow.actions.items()
    }


@cache
def _labels() -> dict[str, str]:
    from app.aid import workflow as aid_flow
    from app.aid.states import AidAudit, AidStatus
    from app.auth.models import AuthAudit
    from app.core.communes import BORDER_FLAG, BORDER_LISTED
    from app.delegations import workflow as delegation_flow
    from app.delegations.models import ReviewerKind
    from app.delegations.states import DelegationAudit
    from app.orgs.models import OrgAudit
    from app.transfer import TransferAudit

    aid = aid_flow.AID_WORKFLOW.actions
    delegation = delegation_flow.DELEGATION_WORKFLOW.actions
    labels = _workflow_labels()
    labels.update(
        {
            ATTACHMENT_ADD: aid["attach"].label,
            BORDER_FLAG: "Đánh dấu, bỏ đánh dấu xã biên giới",
            BORDER_LISTED: "Đánh dấu xã biên giới theo danh sách",
            # Aid items.
            AidAudit.CREATE: AidStatus.TIEP_NHAN.label,
            AidAudit.UPDATE: aid["edit"].label,
            AidAudit.ARCHIVE: aid["archive"].label,
            AidAudit.OPINION_ANSWER: "Trả lời xin ý kiến",
            AidAudit.DISBURSEMENT_ADD: aid["disbursement"].label,
            AidAudit.DISBURSEMENT_UPDATE: "Sửa dòng giải ngân",
            AidAudit.DISBURSEMENT_ARCHIVE: "Hủy dòng giải ngân",
            AidAudit.DISBURSEMENT_OVER_APPROVED: "Giải ngân vượt giá trị được phê duyệt",
            AidAudit.DISBURSEMENT_CORRECTION: "Điều chỉnh giải ngân sau hoàn thành",
            AidAudit.PLAN_ADD: "Thêm kế hoạch giải ngân",
            AidAudit.PLAN_UPDATE: "Sửa kế hoạch giải ngân",
            AidAudit.PLAN_ARCHIVE: "Hủy kế hoạch giải ngân",
            AidAudit.REPORT_ADD: aid["report"].label,
            AidAudit.INSPECTION_ADD: aid["inspection"].label,
            AidAudit.INSPECTION_FOLLOW_UP: aid["inspection_follow_up"].label,
            AidAudit.DOSSIER_DOCUMENT: "Đánh dấu thành phần hồ sơ",
            AidAudit.NOTICE_CREATE: "Tạo việc gửi thông báo",
            AidAudit.NOTICE_DONE: "Ghi nhận đã gửi thông báo",
            # Delegations.
            DelegationAudit.CREATE: "Lập hồ sơ đoàn",
            DelegationAudit.UPDATE: delegation["edit"].label,
            DelegationAudit.ARCHIVE: aid["archive"].label,
            DelegationAudit.MEMBER_ADD: "Thêm thành viên",
            DelegationAudit.MEMBER_UPDATE: "Sửa thành viên",
            DelegationAudit.MEMBER_REMOVE: "Xóa thành viên khỏi danh sách",
            DelegationAudit.MEMBERS_UPLOAD: "Nhập danh sách thành viên từ tệp",
            DelegationAudit.MEMBERS_EXPORT: "Xuất danh sách thành viên (có dữ liệu cá nhân)",
            DelegationAudit.PERSONAL_DATA_VIEW: "Xem ngày sinh, số hộ chiếu",
            DelegationAudit.REVIEWS_REOPENED: "Thay đổi sau khi đã có ý kiến",
            DelegationAudit.BORDER_PERMIT_CONFIRM: delegation["confirm_border_permit"].label,
            DelegationAudit.BORDER_PERMIT: delegation["border_permit"].label,
            DelegationAudit.BORDER_NOTICE: delegation["border_notice"].label,
            DelegationAudit.REPORT: delegation["visit_report"].label,
            **{
                f"{DelegationAudit.REVIEW}_{kind}": delegation[
                    delegation_flow.review_action(kind)
                ].label
                for kind in ReviewerKind
            },
            **{
                f"{DelegationAudit.REVIEW_CONFIRM}_{kind}": (
                    f"{delegation[delegation_flow.confirm_action(kind)].label} "
                    f"({kind.label.lower()})"
                )
                for kind in ReviewerKind
            },
            # Organisations.
            OrgAudit.CREATE: "Thêm tổ chức",
            OrgAudit.UPDATE: "Sửa tổ chức",
            OrgAudit.ARCHIVE: aid["archive"].label,
            OrgAudit.RESTORE: "Khôi phục",
            OrgAudit.EXPORT: "Xuất danh sách tổ chức",
            # Logins, users and agencies.
            AuthAudit.LOGIN: "Đăng nhập",
            AuthAudit.LOGIN_FAILED: "Đăng nhập không thành công",
            AuthAudit.LOGIN_LOCKED: "Đăng nhập bị từ chối (tài khoản đang khóa)",
            AuthAudit.ACCOUNT_LOCKED: "Khóa tài khoản tạm thời",
            AuthAudit.ADDRESS_LOCKED: "Khóa địa chỉ IP tạm thời",
            AuthAudit.LOGOUT: "Đăng xuất",
            AuthAudit.PASSWORD_CHANGED: "Đổi mật khẩu",
            AuthAudit.SESSIONS_ENDED: "Kết thúc mọi phiên đăng nhập",
            AuthAudit.LOGIN_UNLOCKED: "Mở khóa đăng nhập",
            AuthAudit.USER_CREATE: "Thêm người dùng",
            AuthAudit.USER_UPDATE: "Sửa người dùng",
            AuthAudit.AGENCY_CREATE: "Thêm cơ quan",
            AuthAudit.AGENCY_UPDATE: "Sửa cơ quan",
            AuthAudit.AGENCY_MERGE: "Sáp nhập cơ quan",
            # The registry workbook and the audit log itself.
            TransferAudit.IMPORT: "Nhập dữ liệu từ tệp",
            TransferAudit.EXPORT: "Xuất toàn bộ dữ liệu",
            AUDIT_LOG_EXPORT: "Xuất nhật ký hệ thống",
        }
    )
    return labels


def known_labels() -> dict[str, str]:
    """Every labelled action: the built-in ones, then the domains' registered ones."""
    return {**_labels(), **REGISTERED}


def action_label(action: str | None) -> str:
    """The Vietnamese name of an audit action; never its code."""
    if not action:
        return ""
    found = known_labels().get(action)
    if found:
        return found
    prefix, _dot, verb = action.partition(".")
    thing = object_label(prefix) if prefix in object_labels() else ""
    words = VERBS.get(verb) or VERBS.get(verb.rsplit("_", 1)[-1]) or "thao tác"
    if not thing:
        return words[:1].upper() + words[1:]
    return f"{thing}: {words}"
