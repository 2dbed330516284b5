"""Proposals sent to donors: list, export, page, create, edit, outcome (with the aid item
that resulted), archive."""

from flask import flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.aid.models import Sector
from app.aid.services.queries import province_communes
from app.core import permissions as rules
from app.core.export import send_table
from app.core.forms import ArchiveForm, choices
from app.core.listing import paginate
from app.core.permissions import requires
from app.core.web import archive_action, form_page, get_or_404, record_form_page
from app.extensions import db
from app.mobilisation import exports, queries, services
from app.mobilisation.forms import OutcomeForm, ProposalForm
from app.mobilisation.models import MobilisationContact, MobilisationProposal
from app.mobilisation.states import ProposalOutcome
from app.mobilisation.views import bp
from app.mobilisation.views.common import countries, donor_codes, export_args, history_context
from app.orgs.models import Organization

FILTER_ARGS = ("q", "year", "outcome", "country", "sector", "donor", "archived", "sort")


@bp.route("/de-xuat/")
@requires(rules.read_mobilisation)
def proposals():
    filters = queries.ProposalFilters.from_args(request.args)
    page = paginate(queries.proposals_query(filters))
    return render_template(
        "mobilisation/proposals.html",
        page=page,
        filters=filters,
        sort=filters.sort,
        outcomes=ProposalOutcome,
        sectors=Sector,
        years=queries.years_in_use(),
        countries=countries(),
        export_args=export_args(FILTER_ARGS),
    )


@bp.route("/de-xuat/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_mobilisation)
def export_proposals(fmt: str):
    filters = queries.ProposalFilters.from_args(request.args)
    query = queries.proposals_query(filters).options(
        selectinload(MobilisationProposal.contact), selectinload(MobilisationProposal.agency)
    )
    headers, rows = exports.proposal_table(db.session.scalars(query).all())
    return send_table("de-xuat-van-dong", "DeXuatVanDong", headers, rows, fmt)


def _proposal_url(proposal: MobilisationProposal) -> str:
    return url_for("mobilisation.proposal", proposal_id=proposal.id)


def _page_context(record: MobilisationProposal) -> dict:
    return {
        "proposal": record,
        "link_warning": queries.link_warning(record),
        "archive_form": ArchiveForm(formdata=None, version=record.version),
        **history_context(record.organization),
    }


@bp.route("/de-xuat/<int:proposal_id>")
@requires(rules.read_mobilisation)
def proposal(proposal_id: int):
    record = get_or_404(MobilisationProposal, proposal_id)
    return render_template("mobilisation/proposal.html", **_page_context(record))


def _donor_id_of(form: ProposalForm, record, contact) -> int | None:
    """The donor whose contacts the picker lists: the typed code's, else the record's or
    the contact's the form was opened from."""
    code = (form.donor_code.data or "").strip().upper()
    if code:
        found = db.session.scalar(db.select(Organization.id).where(Organization.code == code))
        if found:
            return found
    if record is not None:
        return record.organization_id
    return contact.organization_id if contact is not None else None


def _prepare(form: ProposalForm, record: MobilisationProposal | None) -> None:
    contact = None
    if record is None and request.method == "GET":
        contact_id = request.args.get("contact", type=int)
        contact = db.session.get(MobilisationContact, contact_id) if contact_id else None
        if contact is not None:
            form.donor_code.data = contact.organization.code
            form.contact_id.data = str(contact.id)
    if record is not None and request.method == "GET":
        form.donor_code.data = record.organization.code
        form.sector.data = str(record.sector)
        form.contact_id.data = str(record.contact_id or "")
        form.communes.data = record.commune_codes
    picked = queries.contact_choices(_donor_id_of(form, record, contact))
    form.contact_id.choices = choices([("", "— Không —"), *((str(i), t) for i, t in picked)])
    form.communes.choices = choices(
        (c.code, f"{c.name}{' (biên giới)' if c.is_border else ''}") for c in province_communes()
    )


def _data(form: ProposalForm) -> dict:
    return {name: form[name].data for name in services.PROPOSAL_FORM_FIELDS}


def _proposal_page(record: MobilisationProposal | None):
    form = ProposalForm(obj=record)
    _prepare(form, record)
    return record_form_page(
        record,
        form,
        "mobilisation/proposal_form.html",
        create=services.create_proposal,
        update=services.update_proposal,
        data=_data,
        created=lambda saved: f"Đã ghi nhận đề xuất {saved.code}.",
        updated=lambda saved: f"Đã lưu đề xuất {saved.code}.",
        redirect_to=_proposal_url,
        proposal=record,
        donor_codes=donor_codes(),
    )


@bp.route("/de-xuat/moi", methods=["GET", "POST"])
@requires(rules.manage_mobilisation)
def new_proposal():
    return _proposal_page(None)


@bp.route("/de-xuat/<int:proposal_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_mobilisation)
def edit_proposal(proposal_id: int):
    return _proposal_page(get_or_404(MobilisationProposal, proposal_id))


def _outcome_saved(record: MobilisationProposal) -> str:
    """Where to go after the outcome, with the link's warning flashed (not a refusal)."""
    if warning := queries.link_warning(record):
        flash(warning, "warning")
    return _proposal_url(record)


@bp.route("/de-xuat/<int:proposal_id>/ket-qua", methods=["GET", "POST"])
@requires(rules.manage_mobilisation)
def outcome(proposal_id: int):
    record = get_or_404(MobilisationProposal, proposal_id)
    form = OutcomeForm(obj=record)
    if request.method == "GET":
        form.version.data = record.version
        form.outcome.data = str(record.outcome)
        form.aid_item_code.data = record.aid_item.code if record.aid_item else ""
    return form_page(
        form,
        "mobilisation/outcome_form.html",
        save=lambda: services.record_outcome(
            record,
            data={name: form[name].data for name in services.OUTCOME_FORM_FIELDS},
            user=current_user,
            version=form.version_number(),
        ),
        success=lambda saved: f"Đã ghi kết quả đề xuất {saved.code}.",
        redirect_to=_outcome_saved,
        proposal=record,
    )


@bp.route("/de-xuat/<int:proposal_id>/luu-tru", methods=["POST"])
@requires(rules.manage_mobilisation)
def archive_proposal(proposal_id: int):
    record = get_or_404(MobilisationProposal, proposal_id)
    return archive_action(
        record,
        services.archive_proposal,
        success=f"Đã lưu trữ đề xuất {record.code}.",
        back=_proposal_url(record),
    )
