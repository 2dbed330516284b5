"""Contacts with donors: list, export, page, create, edit, archive."""

from flask import render_template, request, url_for
from sqlalchemy.orm import selectinload

from app.core import permissions as rules
from app.core.export import send_table
from app.core.forms import ArchiveForm
from app.core.listing import paginate
from app.core.permissions import requires
from app.core.web import archive_action, get_or_404, record_form_page
from app.extensions import db
from app.mobilisation import exports, queries, services
from app.mobilisation.forms import ContactForm
from app.mobilisation.models import MobilisationContact
from app.mobilisation.states import ContactKind
from app.mobilisation.views import bp
from app.mobilisation.views.common import countries, donor_codes, export_args, history_context

FILTER_ARGS = ("q", "year", "kind", "country", "donor", "archived", "sort")


@bp.route("/")
@requires(rules.read_mobilisation)
def contacts():
    filters = queries.ContactFilters.from_args(request.args)
    page = paginate(queries.contacts_query(filters))
    return render_template(
        "mobilisation/contacts.html",
        page=page,
        filters=filters,
        sort=filters.sort,
        kinds=ContactKind,
        years=queries.years_in_use(),
        countries=countries(),
        export_args=export_args(FILTER_ARGS),
    )


@bp.route("/tiep-xuc/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_mobilisation)
def export_contacts(fmt: str):
    filters = queries.ContactFilters.from_args(request.args)
    query = queries.contacts_query(filters).options(selectinload(MobilisationContact.agency))
    headers, rows = exports.contact_table(db.session.scalars(query).all())
    return send_table("tiep-xuc-van-dong", "TiepXucVanDong", headers, rows, fmt)


def _contact_url(contact: MobilisationContact) -> str:
    return url_for("mobilisation.contact", contact_id=contact.id)


@bp.route("/tiep-xuc/<int:contact_id>")
@requires(rules.read_mobilisation)
def contact(contact_id: int):
    record = get_or_404(MobilisationContact, contact_id)
    return render_template(
        "mobilisation/contact.html",
        contact=record,
        proposals=queries.proposals_of_contact(record.id),
        archive_form=ArchiveForm(formdata=None, version=record.version),
        **history_context(record.organization),
    )


def _contact_page(record: MobilisationContact | None):
    form = ContactForm(obj=record)
    if record is not None and request.method == "GET":
        form.kind.data = str(record.kind)
        form.donor_code.data = record.organization.code
    elif record is None and request.method == "GET" and request.args.get("donor"):
        form.donor_code.data = request.args["donor"].strip().upper()[:40]
    return record_form_page(
        record,
        form,
        "mobilisation/contact_form.html",
        create=services.create_contact,
        update=services.update_contact,
        data=lambda f: {name: f[name].data for name in services.CONTACT_FORM_FIELDS},
        created="Đã ghi nhận tiếp xúc.",
        updated="Đã lưu tiếp xúc.",
        redirect_to=_contact_url,
        contact=record,
        donor_codes=donor_codes(),
    )


@bp.route("/tiep-xuc/moi", methods=["GET", "POST"])
@requires(rules.manage_mobilisation)
def new_contact():
    return _contact_page(None)


@bp.route("/tiep-xuc/<int:contact_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_mobilisation)
def edit_contact(contact_id: int):
    return _contact_page(get_or_404(MobilisationContact, contact_id))


@bp.route("/tiep-xuc/<int:contact_id>/luu-tru", methods=["POST"])
@requires(rules.manage_mobilisation)
def archive_contact(contact_id: int):
    record = get_or_404(MobilisationContact, contact_id)
    return archive_action(
        record,
        services.archive_contact,
        success="Đã lưu trữ tiếp xúc.",
        back=_contact_url(record),
    )
