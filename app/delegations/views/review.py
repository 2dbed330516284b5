"""The review's pages: one form page for each step (a state change) and each record made
on the way (reviews, border permit and notice, visit report)."""

from flask import abort, current_app, flash, request
from flask_login import current_user

from app.core import permissions as rules
from app.core.permissions import requires
from app.core.web import form_page, form_values, step_check, text_of
from app.delegations import services, workflow
from app.delegations.forms import (
    ApproveForm,
    CommentForm,
    ConfirmForm,
    NoticeForm,
    PermitForm,
    ReportForm,
    ReviewForm,
)
from app.delegations.models import Delegation, ReviewerKind
from app.delegations.views import bp, detail_url, get_visible


def _late_warning(delegation: Delegation) -> None:
    if delegation.is_late_request:
        days = current_app.config["DELEGATION_REQUEST_WORKING_DAYS"]
        flash(f"Lưu ý: hồ sơ gửi muộn, ít hơn {days} ngày làm việc trước ngày đoàn đến.", "warning")


def _saving(service, **fixed):
    """save(delegation, form): the service called with the form's fields by name (the forms
    name their fields as the services' arguments), and `fixed` ones."""
    return lambda d, f: service(d, **form_values(f), **fixed, user=current_user)


def _commented(action: str, service, name: str = "comment"):
    """(action, form, save) of a step that only asks for a comment (or a reason, `name`)."""
    return (
        action,
        CommentForm,
        lambda d, f: service(d, **{name: text_of(f.comment)}, user=current_user),
    )


def _confirming(action: str, service):
    """(action, form, save) of keeping a review or permit: with the revision the reviewer
    saw (the record page's link gives it; the service refuses another with 409)."""
    return (
        action,
        ConfirmForm,
        lambda d, f: service(
            d, comment=text_of(f.comment), revision=f.revision_number(), user=current_user
        ),
    )


# action -> (action, form class, save(delegation, form))
STEPS = {
    "submit": _commented("submit", services.submit_delegation),
    "receive": _commented("receive", services.receive_delegation),
    "approve": ("approve", ApproveForm, _saving(services.approve_delegation)),
    "refuse": _commented("refuse", services.refuse_delegation, "reason"),
    "complete": _commented("complete", services.complete_delegation),
    "cancel": _commented("cancel", services.cancel_delegation, "reason"),
}

# URL slug -> (workflow entry, form class, save(delegation, form))
RECORDS = {
    "y-kien-ngoai-vu": (
        workflow.review_action(ReviewerKind.FOREIGN_AFFAIRS),
        ReviewForm,
        _saving(services.record_review, kind=ReviewerKind.FOREIGN_AFFAIRS),
    ),
    "y-kien-cong-an": (
        workflow.review_action(ReviewerKind.POLICE),
        ReviewForm,
        _saving(services.record_review, kind=ReviewerKind.POLICE),
    ),
    "giu-nguyen-ngoai-vu": _confirming(
        workflow.confirm_action(ReviewerKind.FOREIGN_AFFAIRS),
        lambda d, **kw: services.confirm_review(d, ReviewerKind.FOREIGN_AFFAIRS, **kw),
    ),
    "giu-nguyen-cong-an": _confirming(
        workflow.confirm_action(ReviewerKind.POLICE),
        lambda d, **kw: services.confirm_review(d, ReviewerKind.POLICE, **kw),
    ),
    "giu-nguyen-giay-phep": _confirming("confirm_border_permit", services.confirm_border_permit),
    "giay-phep": ("border_permit", PermitForm, _saving(services.record_border_permit)),
    "thong-bao": ("border_notice", NoticeForm, _saving(services.record_border_notice)),
    "bao-cao": ("visit_report", ReportForm, _saving(services.record_visit_report)),
}
RECORD_SLUGS = {action: slug for slug, (action, _form, _save) in RECORDS.items()}
# The submit button says what it does; the page keeps the action's title.
SUBMIT_LABELS = {workflow.review_action(kind): "Lưu ý kiến" for kind in ReviewerKind}


def _action_page(delegation_id: int, key: str, pages: dict, done: str):
    """The form of one step or record: checked (403 / 409) before it is even shown."""
    delegation = get_visible(delegation_id)
    if key not in pages:
        abort(404)
    action, form_class, save = pages[key]
    checked = step_check(
        lambda: workflow.require(delegation, action, current_user), detail_url(delegation)
    )
    form = form_class()
    if isinstance(form, ConfirmForm) and not form.is_submitted():
        # the revision the record page showed, else the one this page shows
        form.revision.data = request.args.get("revision", delegation.revision)

    def success(_result):
        if action == "submit":
            _late_warning(delegation)
        return f"{done}: {checked.action.label}."

    return form_page(
        form,
        "core/step.html",
        save=lambda: save(delegation, form),
        success=success,
        redirect_to=detail_url(delegation),
        action=checked.action,
        submit_label=SUBMIT_LABELS.get(action),
        record=delegation,
        record_name=delegation.title,
        record_note=f"{delegation.start_on:%d/%m/%Y} – {delegation.end_on:%d/%m/%Y}",
        record_url=detail_url(delegation),
    )


@bp.route("/<int:delegation_id>/buoc/<action>", methods=["GET", "POST"])
@requires(rules.read_delegations)
def step(delegation_id: int, action: str):
    return _action_page(delegation_id, action, STEPS, "Đã thực hiện")


@bp.route("/<int:delegation_id>/ghi-nhan/<kind>", methods=["GET", "POST"])
@requires(rules.read_delegations)
def record(delegation_id: int, kind: str):
    return _action_page(delegation_id, kind, RECORDS, "Đã lưu")
