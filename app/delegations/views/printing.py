"""The printable dossier of a delegation: identity, dates, purpose, host, itinerary,
members (personal data masked as on the record's page, an unmasked print audited),
reviews, border permit and notice, visit reports, steps."""

from flask_login import current_user

from app.core import attachments
from app.core import permissions as rules
from app.core.dates import today_vn
from app.core.permissions import requires
from app.delegations import services, workflow
from app.delegations.models import DelegationStep, VisitReport
from app.delegations.views import audited_page, bp, detail_url, get_visible
from app.extensions import db


@bp.route("/<int:delegation_id>/in-ho-so")
@requires(rules.read_delegations)
def print_dossier(delegation_id: int):
    delegation = get_visible(delegation_id)
    show_personal = services.shows_personal_data(
        delegation, user=current_user, where="bản in hồ sơ đoàn"
    )

    def rows(model, *order):
        return db.session.scalars(
            db.select(model).where(model.delegation_id == delegation.id).order_by(*order)
        ).all()

    reports = rows(VisitReport, VisitReport.received_on, VisitReport.id)
    return audited_page(
        "delegations/dossier_print.html",
        d=delegation,
        flow=workflow.DELEGATION_WORKFLOW,
        steps=rows(DelegationStep, DelegationStep.at, DelegationStep.id),
        reports=reports,
        report_files=attachments.by_owner("visit_report", [r.id for r in reports]),
        show_personal=show_personal,
        back_url=detail_url(delegation),
        today=today_vn(),
    )
