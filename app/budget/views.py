"""Pages of the budget domain: the list (filters, pagination, export), a line's page with
its spending and finance's check, the proposal form, each workflow step and the spending
form. Thin: permission, one service, one commit (app/core/web.py)."""

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from app.budget import queries, rules, services, workflow
from app.budget.exports import HEADERS, line_row
from app.budget.forms import (
    AllocationForm,
    CheckForm,
    NoteForm,
    ProposalForm,
    ReasonForm,
    SpendingForm,
)
from app.budget.models import BudgetLine, BudgetSpending
from app.budget.states import FLAG_STYLES, BudgetAudit, BudgetFlag, BudgetStatus
from app.core import audit
from app.core import permissions as perms
from app.core.dates import today_vn
from app.core.export import send_table
from app.core.forms import ArchiveForm, choices
from app.core.listing import paginate
from app.core.permissions import requires
from app.core.web import archive_action, form_action, form_page, form_values, get_or_404
from app.extensions import db

bp = Blueprint("budget", __name__, url_prefix="/ngan-sach")


def _line_or_404(line_id: int) -> BudgetLine:
    """The line, or 404 when it does not exist or is another agency's (not revealed)."""
    line = get_or_404(BudgetLine, line_id)
    if not perms.read_budgets.allows(current_user, line):
        abort(404)
    return line


def sa_year(column, year: int):
    """A date column within the year."""
    return column.between(date(year, 1, 1), date(year, 12, 31))


def line_url(line: BudgetLine) -> str:
    return url_for("budget.detail", line_id=line.id)


def _flag_context(share: int) -> dict:
    return {
        "flag_labels": BudgetFlag.labels(),
        "flag_styles": FLAG_STYLES,
        "flag_notes": {key: rules.flag_note(key, share) for key in BudgetFlag.labels()},
        "min_share": share,
    }


# --- The list and its export -----------------------------------------------------------------


@bp.route("/")
@requires(perms.read_budgets)
def index():
    today, share = today_vn(), queries.min_share()
    filters = queries.BudgetFilters.from_args(request.args)
    page = paginate(queries.lines_query(filters, current_user, today, share))
    agencies, associations = queries.owner_choices(current_user)
    return render_template(
        "budget/list.html",
        page=page,
        filters=filters,
        figures=queries.figures_of(page.items, today, share),
        years=queries.years_in_use(current_user),
        agencies=agencies,
        associations=associations,
        statuses=BudgetStatus.choices(),
        sees_all=perms.see_all_budgets.allows(current_user),
        **_flag_context(share),
    )


@bp.route("/xuat.xlsx")
@requires(perms.read_budgets)
def export():
    today, share = today_vn(), queries.min_share()
    filters = queries.BudgetFilters.from_args(request.args)
    lines = db.session.scalars(queries.lines_query(filters, current_user, today, share)).all()
    figures = queries.figures_of(lines, today, share)
    used = ", ".join(f"{k}={v}" for k, v in filters.args().items())
    audit.record(
        BudgetAudit.EXPORT,
        object_type="budget_line",
        summary=f"Xuất danh sách ngân sách ({len(lines)} dòng; lọc: {used or 'không'})",
    )
    db.session.commit()
    rows = (line_row(line, figures[line.id]) for line in lines)
    return send_table("ngan-sach", "NganSach", HEADERS, rows, "xlsx")


# --- A line's page ---------------------------------------------------------------------------


@bp.route("/<int:line_id>")
@requires(perms.read_budgets)
def detail(line_id: int):
    line = _line_or_404(line_id)
    today, share = today_vn(), queries.min_share()
    ready, blocked = workflow.available_actions(line, current_user)
    return render_template(
        "budget/detail.html",
        line=line,
        figures=queries.figures_of([line], today, share)[line.id],
        spending=queries.spending_of(line),
        ready=ready,
        flow=workflow.BUDGET_WORKFLOW,
        blocked=blocked,
        may_edit=workflow.BUDGET_WORKFLOW.may(line, "edit", current_user),
        may_spend=workflow.BUDGET_WORKFLOW.may(line, "spend", current_user),
        may_archive=workflow.BUDGET_WORKFLOW.may(line, "archive", current_user),
        archive_form=ArchiveForm(formdata=None, version=line.version),
        cancel_form=ArchiveForm(formdata=None),
        **_flag_context(share),
    )


# --- The proposal ----------------------------------------------------------------------------


def _association_choices(form: ProposalForm) -> bool:
    """Foreign-affairs officers may propose for an association: its choices (or hidden)."""
    from app.associations.models import Association

    if not perms.manage_associations.allows(current_user):
        del form.association_id
        return False
    associations = db.session.execute(
        db.select(Association.id, Association.name)
        .where(Association.archived_at.is_(None))
        .order_by(Association.name)
    ).all()
    form.association_id.choices = choices(
        [("", "— Ngân sách của cơ quan mình —"), *((a.id, a.name) for a in associations)]
    )
    return True


@bp.route("/moi", methods=["GET", "POST"])
@requires(perms.record_own_budget)
def new():
    form = ProposalForm()
    _association_choices(form)
    if request.method == "GET" and not form.year.data:
        form.year.data = today_vn().year + 1
    return form_page(
        form,
        "budget/form.html",
        save=lambda: services.propose(form_values(form), user=current_user),
        success=lambda line: f"Đã gửi đề xuất ngân sách năm {line.year}.",
        redirect_to=line_url,
        line=None,
    )


@bp.route("/<int:line_id>/sua", methods=["GET", "POST"])
@requires(perms.record_own_budget)
def edit(line_id: int):
    line = _line_or_404(line_id)
    workflow.require(line, "edit", current_user)
    form = ProposalForm(obj=line)
    del form.association_id
    if request.method == "GET":
        form.version.data = line.version
    return form_page(
        form,
        "budget/form.html",
        save=lambda: services.update_proposal(
            line, form_values(form), user=current_user, version=form.version_number()
        ),
        success="Đã lưu đề xuất.",
        redirect_to=line_url(line),
        line=line,
    )


# --- Workflow steps --------------------------------------------------------------------------

# Transition -> (form, service, how the form's values reach the service).
STEPS = {
    "allocate": (AllocationForm, services.allocate),
    "reallocate": (AllocationForm, services.reallocate),
    "return": (ReasonForm, services.return_proposal),
    "resubmit": (NoteForm, services.resubmit),
    "check": (CheckForm, services.check_line),
    "reopen": (ReasonForm, services.reopen),
}


@bp.route("/<int:line_id>/buoc/<action>", methods=["GET", "POST"])
@requires(perms.read_budgets)
def step(line_id: int, action: str):
    line = _line_or_404(line_id)
    if action not in STEPS:
        abort(404)
    form_class, service = STEPS[action]
    checked = workflow.require(line, action, current_user)  # 403 / 409 before the form
    form = form_class(obj=line if form_class in (AllocationForm, CheckForm) else None)
    if request.method == "GET":
        form.version.data = line.version
    return form_page(
        form,
        "core/step.html",
        save=lambda: service(
            line, **form_values(form), user=current_user, version=form.version_number()
        ),
        success=f"Đã thực hiện: {checked.action.label}.",
        redirect_to=line_url(line),
        action=checked.action,
        record=line,
        record_name=str(line),
        record_url=line_url(line),
    )


@bp.route("/<int:line_id>/luu-tru", methods=["POST"])
@requires(perms.read_budgets)
def archive(line_id: int):
    line = _line_or_404(line_id)
    return archive_action(
        line, services.archive_line, success="Đã lưu trữ ngân sách.", back=line_url(line)
    )


# --- Spending --------------------------------------------------------------------------------


def _link_choices(form: SpendingForm, line: BudgetLine) -> None:
    """Activities, courses and delegations of the line's year (the association's own
    activities for an association's line)."""
    from app.associations.models import AssociationActivity
    from app.delegations.models import Delegation
    from app.training.models import TrainingCourse

    year = line.year
    activities = db.select(AssociationActivity).where(
        sa_year(AssociationActivity.held_on, year), AssociationActivity.archived_at.is_(None)
    )
    if line.association_id is not None:
        activities = activities.where(AssociationActivity.association_id == line.association_id)
    courses = db.select(TrainingCourse).where(
        sa_year(TrainingCourse.start_on, year), TrainingCourse.archived_at.is_(None)
    )
    delegations = db.select(Delegation).where(
        sa_year(Delegation.start_on, year), Delegation.archived_at.is_(None)
    )
    none = [("", "— Không —")]
    form.association_activity_id.choices = choices(
        none
        + [
            (a.id, f"{a.held_on:%d/%m/%Y} – {a.title}")
            for a in db.session.scalars(activities.order_by(AssociationActivity.held_on))
        ]
    )
    form.training_course_id.choices = choices(
        none
        + [
            (c.id, f"{c.start_on:%d/%m/%Y} – {c.title}")
            for c in db.session.scalars(courses.order_by(TrainingCourse.start_on))
        ]
    )
    form.delegation_id.choices = choices(
        none
        + [
            (d.id, f"{d.code} – {d.name}")
            for d in db.session.scalars(delegations.order_by(Delegation.start_on))
        ]
    )


@bp.route("/<int:line_id>/chi", methods=["GET", "POST"])
@requires(perms.record_own_budget)
def spend(line_id: int):
    line = _line_or_404(line_id)
    checked = workflow.require(line, "spend", current_user)
    form = SpendingForm()
    _link_choices(form, line)
    note = None
    if not line.is_allocated:
        note = "Chưa được phân bổ kinh phí: khoản chi sẽ được đánh dấu “chi khi chưa được phân bổ”"
    return form_page(
        form,
        "budget/spending.html",
        save=lambda: services.add_spending(line, **form_values(form), user=current_user),
        success="Đã ghi khoản chi.",
        redirect_to=line_url(line),
        action=checked.action,
        record=line,
        record_name=str(line),
        record_url=line_url(line),
        record_note=note,
    )


@bp.route("/<int:line_id>/chi/<int:spending_id>/huy", methods=["POST"])
@requires(perms.record_own_budget)
def cancel_spending(line_id: int, spending_id: int):
    line = _line_or_404(line_id)
    spending = get_or_404(BudgetSpending, spending_id)
    if spending.line_id != line.id:
        abort(404)
    form = ArchiveForm()
    return form_action(
        form,
        save=lambda: services.archive_spending(
            spending,
            reason=(form.reason.data or "").strip(),
            user=current_user,
            version=form.version_number(),
        ),
        success="Đã hủy khoản chi.",
        back=line_url(line),
        invalid="Vui lòng ghi lý do hủy khoản chi.",
    )
