"""Every permission in one place, as named rules.

A rule answers "may this user do this (to this object)?". Views declare the rule they need
with @requires(rule); a before_request hook refuses any endpoint that declared none, so a
forgotten declaration fails closed. Templates ask `can("rule_name", obj)` to show only the
actions a user may take.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, abort, request
from flask_login import current_user

from app.core.errors import PermissionDenied

RULES: dict[str, "Rule"] = {}
# Endpoints that need no declaration: static files served by Flask and bootstrap-flask.
UNCHECKED_ENDPOINTS = {"static", "bootstrap.static"}


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable  # (user, obj) -> bool; user is always authenticated unless public
    message: str = "Bạn không có quyền thực hiện thao tác này."
    public: bool = False

    def allows(self, user, obj=None) -> bool:
        if self.public:
            return True
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        return bool(self.check(user, obj))

    def require(self, user, obj=None) -> None:
        if not self.allows(user, obj):
            raise PermissionDenied(self.message)


def rule(name: str, message: str | None = None, public: bool = False):
    """Decorator registering a check function as a named rule."""

    def register(check: Callable) -> Rule:
        new_rule = Rule(name, check, message or Rule.message, public)
        RULES[name] = new_rule
        return new_rule

    return register


def can(rule_name: str, obj=None) -> bool:
    return RULES[rule_name].allows(current_user, obj)


def requires(needed: Rule):
    """Declare and enforce the rule a view needs (login first, then the rule)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not needed.public and not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            needed.require(current_user)
            return view(*args, **kwargs)

        wrapper.permission_rule = needed
        return wrapper

    return decorate


def init_app(app: Flask) -> None:
    @app.before_request
    def _every_view_declares_a_rule():
        if request.endpoint is None or request.endpoint in UNCHECKED_ENDPOINTS:
            return
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "permission_rule", None) is None:
            app.logger.error("View %s declares no permission rule", request.endpoint)
            abort(403)

    app.jinja_env.globals["can"] = can


# --- The rules -------------------------------------------------------------------------


def _is_admin(user) -> bool:
    from app.auth.models import Role

    return user.role == Role.ADMIN


@rule("public", public=True)
def anyone(user, obj=None):
    return True


@rule("signed_in")
def signed_in(user, obj=None):
    return True


@rule("administer", "Chỉ quản trị hệ thống được thực hiện thao tác này.")
def administer(user, obj=None):
    return _is_admin(user)


@rule("read_audit_log", "Chỉ quản trị hệ thống được xem nhật ký hệ thống.")
def read_audit_log(user, obj=None):
    return _is_admin(user)


# Attachments: each owner type registers who may read its files (default: admins only).
ATTACHMENT_READERS: dict[str, Callable] = {}


@rule("read_attachment", "Bạn không có quyền xem tệp đính kèm này.")
def read_attachment(user, attachment=None):
    if _is_admin(user):
        return True
    if attachment is None:
        return True  # the view checks again with the attachment itself
    reader = ATTACHMENT_READERS.get(attachment.owner_type)
    return bool(reader and reader(user, attachment.owner_id))


# --- Organisations and aid items --------------------------------------------------------


def _holds(user, *duty_keys: str) -> bool:
    """Whether the user's agency holds any of these duties (keys of app.auth.models.Duty)."""
    from app.auth.models import Duty

    return user.agency.has(*(Duty(key) for key in duty_keys))


def _is_officer(user) -> bool:
    from app.auth.models import Role

    return user.role == Role.OFFICER


def _officer_holding(user, *duty_keys: str) -> bool:
    return _is_officer(user) and _holds(user, *duty_keys)


@rule("read_registry")
def read_registry(user, obj=None):
    """Donors, aid items and their follow-up are readable by every signed-in user."""
    return True


@rule(
    "manage_organizations",
    "Chỉ cán bộ cơ quan đầu mối viện trợ hoặc ngoại vụ được thêm, sửa tổ chức tài trợ.",
)
def manage_organizations(user, obj=None):
    return _is_admin(user) or _officer_holding(user, "aid_focal", "foreign_affairs")


@rule("manage_aid", "Chỉ cán bộ cơ quan đầu mối viện trợ được tạo và xử lý khoản viện trợ.")
def manage_aid(user, obj=None):
    return _officer_holding(user, "aid_focal")


@rule("answer_opinion", "Chỉ cán bộ của cơ quan được xin ý kiến mới trả lời ý kiến này.")
def answer_opinion(user, opinion=None):
    if not _is_officer(user):
        return False
    return opinion is None or opinion.agency_id == user.agency_id


# --- Delegations --------------------------------------------------------------------------

# The duties whose officers review delegations (Review.reviewer_kind keeps these keys).
REVIEWING_DUTIES = ("foreign_affairs", "police")


def _lodged_by_agency_of(user, delegation) -> bool:
    return delegation is not None and delegation.author_agency_id == user.agency_id


@rule("read_delegations")
def read_delegations(user, delegation=None):
    """A draft is its author agency's (and administrators'); once sent, everyone's."""
    if delegation is None or not delegation.is_draft:
        return True
    return _is_admin(user) or _lodged_by_agency_of(user, delegation)


@rule(
    "see_personal_data",
    "Ngày sinh và số hộ chiếu của thành viên đoàn chỉ hiển thị với cán bộ cơ quan ngoại vụ, "
    "Công an tỉnh, quản trị hệ thống và cán bộ đơn vị lập hồ sơ (đến khi đoàn được duyệt).",
)
def see_personal_data(user, delegation=None):
    """Members' dates of birth and passport numbers, unmasked (pages, print, person search,
    exports): administrators, officers of the police and foreign-affairs duties; officers of
    the border guard for delegations to a border area (they receive the notice with the
    member list); and the officers of the agency that lodged the delegation until it is
    approved (they typed the data and may correct it). Everyone else, viewers included,
    sees them masked. Without a delegation: whether the user sees them on every delegation
    (e.g. to search by passport)."""
    if _is_admin(user):
        return True
    if not _is_officer(user):
        return False
    if _holds(user, *REVIEWING_DUTIES):
        return True
    if delegation is None:
        return False
    if delegation.is_border_area and _holds(user, "border_guard"):
        return True
    return _lodged_by_agency_of(user, delegation) and delegation.before_approval


@rule("create_delegation", "Chỉ cán bộ xử lý mới được lập hồ sơ đoàn.")
def create_delegation(user, obj=None):
    return _is_officer(user)


@rule(
    "edit_delegation",
    "Chỉ cán bộ của đơn vị lập hồ sơ hoặc cơ quan ngoại vụ được sửa hồ sơ đoàn này.",
)
def edit_delegation(user, delegation=None):
    if not _is_officer(user):
        return False
    if delegation is None:
        return True
    return _lodged_by_agency_of(user, delegation) or _holds(user, "foreign_affairs")


@rule("review_foreign_affairs", "Chỉ cán bộ cơ quan ngoại vụ thực hiện bước này.")
def review_foreign_affairs(user, obj=None):
    return _officer_holding(user, "foreign_affairs")


@rule("review_police", "Chỉ cán bộ Công an tỉnh thực hiện bước này.")
def review_police(user, obj=None):
    return _officer_holding(user, "police")


# --- The registry workbook ---------------------------------------------------------------


@rule(
    "transfer_data",
    "Chỉ cán bộ cơ quan đầu mối viện trợ, ngoại vụ và quản trị hệ thống được nhập, xuất "
    "toàn bộ dữ liệu.",
)
def transfer_data(user, obj=None):
    return _is_admin(user) or _officer_holding(user, "aid_focal", "foreign_affairs")


# --- Aid mobilisation ---------------------------------------------------------------------


@rule("read_mobilisation")
def read_mobilisation(user, obj=None):
    """Contacts, proposals and the funnel are readable by every signed-in user (the
    leadership reads everything)."""
    return True


@rule(
    "manage_mobilisation",
    "Chỉ cán bộ cơ quan ngoại vụ và quản trị hệ thống được ghi nhận, sửa, lưu trữ tiếp xúc "
    "và đề xuất vận động viện trợ.",
)
def manage_mobilisation(user, obj=None):
    """Foreign affairs manages the mobilisation of aid (issue 13): its officers and the
    administrators record, edit and archive contacts and proposals."""
    return _is_admin(user) or _officer_holding(user, "foreign_affairs")


# --- Training courses ---------------------------------------------------------------------


@rule("read_training")
def read_training(user, obj=None):
    """Training courses, their trainees and the yearly figures are readable by every
    signed-in user (the leadership reads everything)."""
    return True


@rule(
    "manage_training",
    "Chỉ cán bộ cơ quan nội vụ, cơ quan ngoại vụ và quản trị hệ thống được thêm, sửa, lưu trữ "
    "khóa đào tạo, bồi dưỡng.",
)
def manage_training(user, obj=None):
    """The internal-affairs body and foreign affairs manage training (issue 13): their
    officers and the administrators create, edit and archive courses and their trainees."""
    return _is_admin(user) or _officer_holding(user, "internal_affairs", "foreign_affairs")


# --- Friendship associations ---------------------------------------------------------------


@rule("read_associations")
def read_associations(user, obj=None):
    """Friendship associations, their member counts and activity log are readable by every
    signed-in user (the leadership reads everything)."""
    return True


@rule(
    "manage_associations",
    "Chỉ cán bộ cơ quan ngoại vụ và quản trị hệ thống được thêm, sửa, lưu trữ hội hữu nghị và "
    "hoạt động của hội.",
)
def manage_associations(user, obj=None):
    """Foreign affairs manages the friendship associations (issue 13): its officers and the
    administrators create, edit and archive associations, member counts and activities."""
    return _is_admin(user) or _officer_holding(user, "foreign_affairs")


# --- Plan report ---------------------------------------------------------------------------


def _asked_in(user, report) -> bool:
    return report is not None and user.agency_id in report.asked_agency_ids


@rule(
    "read_plan_reports",
    "Chỉ cơ quan ngoại vụ, lãnh đạo tỉnh, quản trị hệ thống và các cơ quan được đề nghị đóng "
    "góp được xem báo cáo kế hoạch này.",
)
def read_plan_reports(user, report=None):
    """The plan's periodic reports: foreign affairs (which runs them), the leadership (reads
    everything) and administrators see every report; an agency sees the reports it was asked
    to contribute to. Without a report (the list): every signed-in user, the list showing
    only what the user may read."""
    if report is None or _is_admin(user) or _holds(user, "foreign_affairs", "leadership"):
        return True
    return _asked_in(user, report)


@rule(
    "manage_plan_reports",
    "Chỉ cán bộ cơ quan ngoại vụ được mở, tổng hợp và chốt báo cáo thực hiện kế hoạch.",
)
def manage_plan_reports(user, report=None):
    """Foreign affairs opens a report, chooses the agencies asked, consolidates their texts
    and marks the report final."""
    return _officer_holding(user, "foreign_affairs")


@rule(
    "contribute_plan_report",
    "Chỉ cán bộ của cơ quan được đề nghị đóng góp mới viết nội dung cho báo cáo kế hoạch này.",
)
def contribute_plan_report(user, report=None):
    """An officer of an agency asked in the report writes its text per plan item."""
    if not _is_officer(user):
        return False
    return report is None or _asked_in(user, report)


# --- People-to-people diplomacy budget ----------------------------------------------------


def _owns_budget_line(user, line) -> bool:
    """A line belongs to its agency; an association's line to the foreign-affairs officers
    who manage the associations."""
    if line.agency_id is not None:
        return line.agency_id == user.agency_id
    return _holds(user, "foreign_affairs")


@rule("see_all_budgets")
def see_all_budgets(user, obj=None):
    """Finance, the leadership and administrators read every agency's budget."""
    return _is_admin(user) or _holds(user, "finance", "leadership")


@rule("read_budgets", "Bạn chỉ xem được ngân sách của cơ quan, đơn vị mình.")
def read_budgets(user, line=None):
    """The list (filtered to what the user sees); a line: its owner, or who sees all."""
    if line is None:
        return True
    return see_all_budgets.check(user) or _owns_budget_line(user, line)


@rule(
    "record_own_budget",
    "Chỉ cán bộ của cơ quan, đơn vị có ngân sách (cơ quan ngoại vụ đối với hội hữu nghị) "
    "được đề xuất và ghi khoản chi.",
)
def record_own_budget(user, line=None):
    """Each agency proposes its own line and records its own spending."""
    if not _is_officer(user):
        return False
    return line is None or _owns_budget_line(user, line)


@rule("allocate_budget", "Chỉ cán bộ cơ quan tài chính được phân bổ và kiểm tra ngân sách.")
def allocate_budget(user, line=None):
    """Finance allocates, returns, checks and re-opens budget lines."""
    return _officer_holding(user, "finance")


@rule(
    "archive_budget_line",
    "Chỉ cơ quan tài chính, hoặc cơ quan có ngân sách khi chưa được phân bổ, được lưu trữ "
    "ngân sách này.",
)
def archive_budget_line(user, line=None):
    """Finance archives any line; its owner only before the allocation."""
    if _officer_holding(user, "finance"):
        return True
    return record_own_budget.check(user, line) and (line is None or line.owner_may_archive)


# --- Official documents ---------------------------------------------------------------------
# Whoever may act on a record's step drafts its documents and marks them sent; the rules take
# the record (the view checks again with it); administrators manage the templates.


@rule(
    "draft_aid_document",
    "Chỉ cán bộ cơ quan đầu mối viện trợ được soạn văn bản của khoản viện trợ.",
)
def draft_aid_document(user, item=None):
    return _officer_holding(user, "aid_focal")


@rule("draft_delegation_reply", "Chỉ cán bộ cơ quan ngoại vụ được soạn văn bản trả lời đoàn.")
def draft_delegation_reply(user, delegation=None):
    return _officer_holding(user, "foreign_affairs")


@rule(
    "draft_delegation_document",
    "Chỉ cán bộ của đơn vị lập hồ sơ hoặc cơ quan ngoại vụ được soạn văn bản của đoàn này.",
)
def draft_delegation_document(user, delegation=None):
    return edit_delegation.allows(user, delegation)


@rule(
    "draft_annual_report",
    "Chỉ cán bộ cơ quan đầu mối viện trợ được soạn báo cáo viện trợ năm.",
)
def draft_annual_report(user, year=None):
    return _officer_holding(user, "aid_focal")


@rule(
    "draft_plan_report",
    "Chỉ cán bộ cơ quan ngoại vụ được soạn báo cáo thực hiện Kế hoạch đối ngoại nhân dân.",
)
def draft_plan_report(user, report=None):
    """Whoever manages the plan's reports (foreign-affairs officers) drafts the report."""
    return manage_plan_reports.allows(user, report)


@rule("manage_document_templates", "Chỉ quản trị hệ thống được quản lý mẫu văn bản.")
def manage_document_templates(user, obj=None):
    return _is_admin(user)
