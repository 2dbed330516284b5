"""Pages of the plan report: the list, opening a report, its page (figures, consolidated
text, progress), the agencies' inbox and contribution page, the steps, print and XLSX."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.core import permissions as rules
from app.core.dates import today_vn
from app.core.export import send_bytes
from app.core.lazy import lazy_function
from app.core.models import utcnow
from app.core.permissions import requires
from app.core.web import form_action, form_page, get_or_404, run_form_service
from app.extensions import db
from app.planreport import exports, plan_items, services, workflow
from app.planreport.forms import ConsolidateForm, ContributionForm, ReportForm, StepForm
from app.planreport.models import PlanReport

# pandas is imported by the first plan report page, not at start-up.
group_title = lazy_function("app.stats.plan_figures", "group_title")
period_figures = lazy_function("app.stats.plan_figures", "period_figures")

bp = Blueprint("planreport", __name__, url_prefix="/bao-cao-ke-hoach")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _readable(report_id: int) -> PlanReport:
    report = get_or_404(PlanReport, report_id)
    rules.read_plan_reports.require(current_user, report)
    return report


def _report_data(form: ReportForm) -> services.ReportData:
    return services.ReportData(
        period_kind=form.period_kind.data,
        year=form.year.data,
        half=form.half.data,
        deadline=form.deadline.data,
        agency_ids=list(form.agencies.data or []),
    )


def _report_form(report: PlanReport | None = None) -> ReportForm:
    form = ReportForm(obj=report)
    form.agencies.choices = services.agency_choices()
    if not form.is_submitted():
        if report is None:
            form.year.data = today_vn().year
            form.half.data = 1 if today_vn().month <= 6 else 2
            form.agencies.data = services.default_agency_ids()
        else:
            form.agencies.data = sorted(report.asked_agency_ids)
            form.version.data = report.version
    return form


def _figures(report: PlanReport) -> dict:
    first, last = report.bounds
    return period_figures(db.session.connection(), first, last)


# --- List, inbox ---------------------------------------------------------------------------


@bp.route("/")
@requires(rules.read_plan_reports)
def index():
    return render_template("planreport/index.html", reports=services.visible_reports(current_user))


@bp.route("/can-dong-gop")
@requires(rules.contribute_plan_report)
def inbox():
    return render_template(
        "planreport/inbox.html",
        rows=services.inbox_reports(current_user),
        today=today_vn(),
        item_count=len(plan_items.PLAN_ITEMS),
    )


# --- Open, edit ----------------------------------------------------------------------------


@bp.route("/moi", methods=["GET", "POST"])
@requires(rules.manage_plan_reports)
def create():
    form = _report_form()
    return form_page(
        form,
        "planreport/form.html",
        save=lambda: services.create_report(_report_data(form), user=current_user),
        success=lambda r: f"Đã mở {r.title}.",
        redirect_to=lambda r: url_for("planreport.detail", report_id=r.id),
        report=None,
    )


@bp.route("/<int:report_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_plan_reports)
def edit(report_id: int):
    report = _readable(report_id)
    workflow.require(report, "edit", current_user)
    form = _report_form(report)
    return form_page(
        form,
        "planreport/form.html",
        save=lambda: services.update_report(
            report, _report_data(form), user=current_user, version=form.version_number()
        ),
        success="Đã lưu kỳ báo cáo, hạn và cơ quan được đề nghị.",
        redirect_to=url_for("planreport.detail", report_id=report.id),
        report=report,
    )


# --- The report's page, its steps, consolidation --------------------------------------


def _detail_page(report: PlanReport, consolidate_form: ConsolidateForm | None = None):
    every = services.report_contributions(report)
    sees_all = services.sees_all_contributions(current_user, report)
    contributions = (
        every if sees_all else [c for c in every if c.agency_id == current_user.agency_id]
    )
    if consolidate_form is None and workflow.may(report, "consolidate", current_user):
        consolidate_form = ConsolidateForm(formdata=None)
        consolidate_form.version.data = report.version
        for item in plan_items.PLAN_ITEMS:
            consolidate_form[f"item_{item.number}"].data = report.consolidated_text(item.number)
    step_form = StepForm(formdata=None)
    step_form.version.data = report.version
    actions, blocked = workflow.WORKFLOW.available_actions(report, current_user)
    return render_template(
        "planreport/detail.html",
        report=report,
        items=plan_items.PLAN_ITEMS,
        figures=_figures(report),
        group_title=group_title,
        contributions=contributions,
        progress=services.progress(report, every) if sees_all else [],
        consolidate_form=consolidate_form,
        step_form=step_form,
        actions=actions,
        blocked=blocked,
        may_contribute=workflow.may(report, "contribute", current_user),
        today=today_vn(),
    )


@bp.route("/<int:report_id>")
@requires(rules.read_plan_reports)
def detail(report_id: int):
    return _detail_page(_readable(report_id))


@bp.route("/<int:report_id>/buoc/<any(open, finalize):action>", methods=["POST"])
@requires(rules.manage_plan_reports)
def step(report_id: int, action: str):
    report = _readable(report_id)
    form = StepForm()
    service = services.open_report if action == "open" else services.finalize_report
    done = "Đã gửi đề nghị đóng góp cho các cơ quan." if action == "open" else "Đã chốt báo cáo."
    return form_action(
        form,
        save=lambda: service(report, user=current_user, version=form.version_number()),
        success=done,
        back=url_for("planreport.detail", report_id=report.id),
    )


@bp.route("/<int:report_id>/tong-hop", methods=["POST"])
@requires(rules.manage_plan_reports)
def consolidate(report_id: int):
    report = _readable(report_id)
    form = ConsolidateForm()
    texts = {item.number: form[f"item_{item.number}"].data for item in plan_items.PLAN_ITEMS}
    if form.validate_on_submit():
        saved = run_form_service(
            form,
            lambda: services.consolidate(
                report, texts, user=current_user, version=form.version_number()
            ),
        )
        if saved is not None:
            db.session.commit()
            flash("Đã lưu nội dung tổng hợp.", "success")
            return redirect(url_for("planreport.detail", report_id=report.id, _anchor="tong-hop"))
    page = _detail_page(report, form)
    return page, 422


# --- An agency's contribution --------------------------------------------------------------


def _contribution_forms(report: PlanReport, posted: tuple[int, ContributionForm] | None = None):
    forms, rows = {}, {}
    for item in plan_items.PLAN_ITEMS:
        row = services.contribution(report, current_user.agency_id, item.number)
        rows[item.number] = row
        if posted and posted[0] == item.number:
            forms[item.number] = posted[1]
            continue
        form = ContributionForm(formdata=None)
        form.text.data = row.text if row else ""
        form.version.data = row.version if row else 0
        forms[item.number] = form
    return forms, rows


def _contribution_page(report: PlanReport, posted=None):
    forms, rows = _contribution_forms(report, posted)
    return render_template(
        "planreport/contribute.html",
        report=report,
        items=plan_items.PLAN_ITEMS,
        forms=forms,
        rows=rows,
        figures=_figures(report),
        group_title=group_title,
        may_contribute=workflow.may(report, "contribute", current_user),
        late=today_vn() > report.deadline,
    )


@bp.route("/<int:report_id>/dong-gop")
@requires(rules.contribute_plan_report)
def contribute_page(report_id: int):
    report = get_or_404(PlanReport, report_id)
    rules.contribute_plan_report.require(current_user, report)
    return _contribution_page(report)


@bp.route("/<int:report_id>/dong-gop/<int:item_no>", methods=["POST"])
@requires(rules.contribute_plan_report)
def contribute(report_id: int, item_no: int):
    report = get_or_404(PlanReport, report_id)
    rules.contribute_plan_report.require(current_user, report)
    if item_no not in plan_items.BY_NUMBER:
        abort(404)
    form = ContributionForm()
    if form.validate_on_submit():
        saved = run_form_service(
            form,
            lambda: services.contribute(
                report, item_no, form.text.data, user=current_user, version=form.version_number()
            ),
        )
        if saved is not None:
            db.session.commit()
            note = " (gửi sau hạn)" if saved.is_late else ""
            flash(f"Đã lưu nội dung mục {item_no}{note}.", "success")
            return redirect(
                url_for("planreport.contribute_page", report_id=report.id, _anchor=f"muc-{item_no}")
            )
    return _contribution_page(report, (item_no, form)), 422


# --- Print and workbook --------------------------------------------------------------------


def _export_rows(report: PlanReport):
    contributions = services.report_contributions(report)
    if not services.sees_all_contributions(current_user, report):
        contributions = [c for c in contributions if c.agency_id == current_user.agency_id]
    return contributions


@bp.route("/<int:report_id>/in")
@requires(rules.read_plan_reports)
def printable(report_id: int):
    report = _readable(report_id)
    return render_template(
        "planreport/print.html",
        report=report,
        items=plan_items.PLAN_ITEMS,
        figures=_figures(report),
        group_title=group_title,
        contributions=_export_rows(report),
        today=today_vn(),
    )


@bp.route("/<int:report_id>/bao-cao.xlsx")
@requires(rules.read_plan_reports)
def export(report_id: int) -> Response:
    report = _readable(report_id)
    body = exports.workbook_bytes(
        report,
        _figures(report),
        _export_rows(report),
        f"{current_user.full_name} ({current_user.username})",
        utcnow(),
    )
    return send_bytes(body, f"bao-cao-ke-hoach-{report.period_key}", "xlsx", XLSX)
