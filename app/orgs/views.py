"""Donor organisations: list, export, profile, create, edit, archive, restore."""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.core import audit
from app.core import permissions as rules
from app.core.dates import today_vn
from app.core.export import send_table
from app.core.forms import VersionedForm
from app.core.listing import paginate
from app.core.permissions import requires
from app.core.web import form_action, form_page, get_or_404, record_form_page
from app.delegations import services as delegation_services
from app.extensions import db
from app.orgs import scope, services
from app.orgs.forms import ArchiveForm, OrganizationForm
from app.orgs.models import CertificateStatus, Organization, OrgAudit, OrgKind

bp = Blueprint("orgs", __name__, url_prefix="/to-chuc")

SELECT_FIELDS = ("kind", "certificate_type", "certificate_status")
# Query-string parameters of the list that the export links carry over (not the page).
FILTER_ARGS = ("q", "kind", "country", "status", "cert", "archived", "sort")


# --- The list and its export -----------------------------------------------------------


@bp.route("/")
@requires(rules.read_registry)
def index():
    today = today_vn()
    filters = services.OrgFilters.from_args(request.args)
    page = paginate(services.organizations_query(filters, today))
    export_args = {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}
    return render_template(
        "orgs/index.html",
        page=page,
        filters=filters,
        sort=filters.sort,
        today=today,
        kinds=OrgKind,
        statuses=CertificateStatus,
        countries=services.countries_in_use(),
        export_args=export_args,
    )


@bp.route("/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_registry)
def export(fmt: str):
    query, filters = services.filtered_organizations(request.args, today_vn())
    # The certificate's provinces and fields, two queries for the whole list.
    scope = (selectinload(Organization.province_rows), selectinload(Organization.field_rows))
    orgs = db.session.scalars(query.options(*scope)).all()
    used = ", ".join(f"{k}={v}" for k, v in filters.items() if v and k != "sort")
    # Audited: the export carries representatives' contact details.
    audit.record(
        OrgAudit.EXPORT,
        object_type="organization",
        summary=f"Xuất danh sách tổ chức ({len(orgs)} dòng, {fmt.upper()}; lọc: {used or 'không'})",
    )
    db.session.commit()
    headers = [label for _key, label, _get in services.EXPORT_COLUMNS]
    rows = ([get(org) for _key, _label, get in services.EXPORT_COLUMNS] for org in orgs)
    return send_table("to-chuc", "ToChuc", headers, rows, fmt)


# --- The profile -----------------------------------------------------------------------


def _profile_context(org: Organization) -> dict:
    approved, disbursed = services.totals(org)
    return {
        "org": org,
        "aid_rows": services.aid_rows(org),
        "delegations": delegation_services.of_organization(org.id, current_user),
        "approved_total": approved,
        "disbursed_total": disbursed,
        "warning": org.certificate_warning(today_vn()),
        "scope_breaches": scope.organization_breaches(org.id),
        "province_name": scope.province_name,
    }


@bp.route("/<int:org_id>")
@requires(rules.read_registry)
def profile(org_id: int):
    org = get_or_404(Organization, org_id)
    archive_form = ArchiveForm(formdata=None, version=org.version)
    return render_template("orgs/profile.html", archive_form=archive_form, **_profile_context(org))


# --- Create, edit, archive, restore ----------------------------------------------------


def _org_data(form: OrganizationForm) -> dict:
    return {name: form[name].data for name in services.FORM_FIELDS}


def _profile_url(org: Organization) -> str:
    return url_for("orgs.profile", org_id=org.id)


def _prepare_form(form: OrganizationForm, org: Organization | None) -> None:
    """On first show of an edit, the choices the organisation has (stored as enums)."""
    if org is None or request.method != "GET":
        return
    for name in SELECT_FIELDS:
        value = getattr(org, name)
        form[name].data = value.value if value is not None else ""


def _org_page(org: Organization | None):
    """The organisation's form: a new one, or an edit of `org`."""
    form = OrganizationForm(obj=org)
    _prepare_form(form, org)
    return record_form_page(
        org,
        form,
        "orgs/form.html",
        create=services.create_organization,
        update=services.update_organization,
        data=_org_data,
        created=lambda saved: f"Đã tạo tổ chức {saved.code}.",
        updated=lambda saved: f"Đã lưu tổ chức {saved.code}.",
        redirect_to=_profile_url,
        org=org,
    )


@bp.route("/moi", methods=["GET", "POST"])
@requires(rules.manage_organizations)
def new():
    return _org_page(None)


@bp.route("/<int:org_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_organizations)
def edit(org_id: int):
    return _org_page(get_or_404(Organization, org_id))


@bp.route("/<int:org_id>/luu-tru", methods=["POST"])
@requires(rules.manage_organizations)
def archive(org_id: int):
    org = get_or_404(Organization, org_id)
    form = ArchiveForm()
    # Invalid: the profile again with the reason's error under its field (HTTP 422).
    return form_page(
        form,
        "orgs/profile.html",
        save=lambda: services.archive_organization(
            org, reason=form.reason.data, user=current_user, version=form.version_number()
        ),
        success=f"Đã lưu trữ tổ chức {org.code}.",
        redirect_to=_profile_url(org),
        archive_form=form,
        **_profile_context(org),
    )


@bp.route("/<int:org_id>/khoi-phuc", methods=["POST"])
@requires(rules.manage_organizations)
def restore(org_id: int):
    org = get_or_404(Organization, org_id)
    form = VersionedForm()
    return form_action(
        form,
        save=lambda: services.restore_organization(
            org, user=current_user, version=form.version_number()
        ),
        success=f"Đã khôi phục tổ chức {org.code}.",
        back=_profile_url(org),
    )
