"""Donor organisations: list, export, profile, create, edit, archive, restore."""

import csv
import io
from datetime import date, timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from openpyxl import Workbook
from openpyxl.styles import Font

from app.aid.models import APPROVED_OR_LATER, AidDonor, AidItem, AidStatus, Disbursement
from app.core import audit
from app.core import permissions as rules
from app.core.countries import country_choices, country_name
from app.core.dates import format_date, today_vn
from app.core.errors import flash_form_errors
from app.core.listing import apply_sort, paginate
from app.core.permissions import requires
from app.core.text import fold
from app.core.web import render_invalid, run_form_service
from app.extensions import db
from app.orgs import services
from app.orgs.forms import ArchiveForm, OrganizationForm
from app.orgs.models import (
    CERTIFICATE_WARNING_DAYS,
    CertificateStatus,
    CertificateType,
    Organization,
    OrgKind,
)

bp = Blueprint("orgs", __name__, url_prefix="/to-chuc")

SELECT_FIELDS = ("kind", "certificate_type", "certificate_status")
# Query-string parameters of the list that the export links carry over (not the page).
FILTER_ARGS = ("q", "kind", "country", "status", "cert", "archived", "sort")


# --- The list and its export -----------------------------------------------------------


class _CountryOrder:
    """Sorts countries by their Vietnamese names (Vietnam first), as the pickers list them.

    A plain object with asc()/desc(): apply_sort tests its columns for truth, which a SQL
    expression such as CASE refuses.
    """

    def _expression(self):
        positions = {code: i for i, (code, _name) in enumerate(country_choices())}
        return sa.case(positions, value=Organization.country, else_=len(positions))

    def asc(self):
        return self._expression().asc()

    def desc(self):
        return self._expression().desc()


SORTS = {
    "code": Organization.code,
    "name": Organization.name,
    "country": _CountryOrder(),
    "expiry": Organization.certificate_expires_on,
}


def filtered_organizations(args, today: date):
    """The organisations matching the list's filters, sorted; shared by list and export.

    Returns (select, filters) where filters holds the cleaned values for the template.
    """
    query = db.select(Organization)
    filters = {
        "q": args.get("q", "").strip(),
        "kind": args.get("kind", ""),
        "country": args.get("country", "").strip().upper(),
        "status": args.get("status", ""),
        "cert": args.get("cert", ""),
        "archived": args.get("archived", "") == "1",
    }
    for word in fold(filters["q"]).split():
        query = query.where(Organization.search_text.contains(word, autoescape=True))
    if filters["kind"] in OrgKind.labels():
        query = query.where(Organization.kind == OrgKind(filters["kind"]))
    else:
        filters["kind"] = ""
    if filters["country"]:
        query = query.where(Organization.country == filters["country"])
    if filters["status"] in CertificateStatus.labels():
        query = query.where(Organization.certificate_status == CertificateStatus(filters["status"]))
    else:
        filters["status"] = ""
    if filters["cert"] == "warning":
        limit = today + timedelta(days=CERTIFICATE_WARNING_DAYS)
        query = query.where(
            Organization.certificate_expires_on.is_not(None),
            Organization.certificate_expires_on <= limit,
        )
    else:
        filters["cert"] = ""
    if not filters["archived"]:
        query = query.where(Organization.archived_at.is_(None))
    query, sort = apply_sort(query, SORTS, "name")
    filters["sort"] = sort
    return query.order_by(Organization.id), filters


@bp.route("/")
@requires(rules.read_registry)
def index():
    today = today_vn()
    query, filters = filtered_organizations(request.args, today)
    page = paginate(query)
    used_countries = db.session.scalars(db.select(Organization.country).distinct()).all()
    countries = sorted(
        ((code, country_name(code)) for code in used_countries), key=lambda p: fold(p[1])
    )
    export_args = {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}
    return render_template(
        "orgs/index.html",
        page=page,
        filters=filters,
        sort=filters["sort"],
        today=today,
        kinds=OrgKind,
        statuses=CertificateStatus,
        countries=countries,
        export_args=export_args,
    )


# The export columns: the keys and Vietnamese labels of sheet ToChuc (spec/interchange.md),
# then the other fields of an organisation.
EXPORT_COLUMNS = (
    ("ma", "Mã tổ chức", lambda o: o.code),
    ("ten", "Tên tổ chức", lambda o: o.name),
    ("ten_viet", "Tên tiếng Việt", lambda o: o.name_vi),
    ("loai", "Loại tổ chức", lambda o: OrgKind(o.kind).label),
    ("quoc_gia", "Quốc gia", lambda o: country_name(o.country)),
    (
        "loai_giay",
        "Loại giấy đăng ký",
        lambda o: CertificateType(o.certificate_type).label if o.certificate_type else None,
    ),
    ("so_giay", "Số giấy đăng ký", lambda o: o.certificate_number),
    ("ngay_cap", "Ngày cấp", lambda o: o.certificate_issued_on),
    ("ngay_het_han", "Ngày hết hạn", lambda o: o.certificate_expires_on),
    (
        "tinh_trang_giay",
        "Tình trạng giấy đăng ký",
        lambda o: CertificateStatus(o.certificate_status).label if o.certificate_status else None,
    ),
    ("linh_vuc_dang_ky", "Lĩnh vực hoạt động đăng ký", lambda o: o.registered_fields),
    ("dia_ban_dang_ky", "Địa bàn hoạt động đăng ký", lambda o: o.registered_areas),
    ("nguoi_dai_dien", "Người đại diện", lambda o: o.representative),
    ("dia_chi", "Địa chỉ", lambda o: o.address),
    ("email", "Thư điện tử", lambda o: o.email),
    ("dien_thoai", "Điện thoại", lambda o: o.phone),
    ("website", "Trang web", lambda o: o.website),
    ("ghi_chu", "Ghi chú", lambda o: o.notes),
    ("luu_tru", "Lý do lưu trữ", lambda o: o.archive_reason),
)


def _xlsx(orgs) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ToChuc"
    sheet.append([label for _key, label, _get in EXPORT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for org in orgs:
        sheet.append([get(org) for _key, _label, get in EXPORT_COLUMNS])
    for column_cells in sheet.iter_cols(min_row=2):
        for cell in column_cells:
            if isinstance(cell.value, date):
                cell.number_format = "dd/mm/yyyy"
    widths = {"Tên tổ chức": 40, "Tên tiếng Việt": 40, "Loại giấy đăng ký": 32}
    for index, (_key, label, _get) in enumerate(EXPORT_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths.get(label, max(14, len(label) + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _csv(orgs) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([label for _key, label, _get in EXPORT_COLUMNS])
    for org in orgs:
        row = []
        for _key, _label, get in EXPORT_COLUMNS:
            value = get(org)
            row.append(format_date(value) if isinstance(value, date) else (value or ""))
        writer.writerow(row)
    return text.getvalue().encode("utf-8-sig")


@bp.route("/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_registry)
def export(fmt: str):
    query, filters = filtered_organizations(request.args, today_vn())
    orgs = db.session.scalars(query).all()
    used = ", ".join(f"{k}={v}" for k, v in filters.items() if v and k != "sort")
    audit.record(
        "organization.export",
        object_type="organization",
        summary=f"Xuất danh sách tổ chức ({len(orgs)} dòng, {fmt.upper()}; lọc: {used or 'không'})",
    )
    db.session.commit()
    filename = f"to-chuc-{today_vn():%Y%m%d}.{fmt}"
    if fmt == "csv":
        return Response(
            _csv(orgs),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f"attachment; filename={filename}",
                "Content-Type": "text/csv; charset=utf-8",
            },
        )
    return send_file(
        _xlsx(orgs),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=filename,
    )


# --- The profile -----------------------------------------------------------------------


def _aid_rows(org: Organization) -> list[dict]:
    """The organisation's aid items (as main donor or co-donor), in one query of columns."""
    donor = sa.orm.aliased(AidDonor)
    query = (
        db.select(
            AidItem.id,
            AidItem.code,
            AidItem.name,
            AidItem.status,
            AidItem.value_vnd,
            AidItem.main_donor_id,
            donor.position,
        )
        .outerjoin(donor, sa.and_(donor.aid_item_id == AidItem.id, donor.organization_id == org.id))
        .where(
            sa.or_(donor.id.is_not(None), AidItem.main_donor_id == org.id),
            AidItem.archived_at.is_(None),
        )
        .order_by(AidItem.code)
    )
    return [
        {
            "id": row.id,
            "code": row.code,
            "name": row.name,
            "status_label": AidStatus(row.status).label,
            "value_vnd": row.value_vnd,
            "is_main": row.main_donor_id == org.id or row.position == 0,
        }
        for row in db.session.execute(query)
    ]


def _totals(org: Organization) -> tuple[int, int]:
    """(approved value, disbursed value) in VND of the items the org is main donor of."""
    approved = (
        db.select(sa.func.coalesce(sa.func.sum(AidItem.value_vnd), 0))
        .where(
            AidItem.main_donor_id == org.id,
            AidItem.status.in_(APPROVED_OR_LATER),
            AidItem.archived_at.is_(None),
        )
        .scalar_subquery()
    )
    disbursed = (
        db.select(sa.func.coalesce(sa.func.sum(Disbursement.value_vnd), 0))
        .join(AidItem, Disbursement.aid_item_id == AidItem.id)
        .where(
            AidItem.main_donor_id == org.id,
            AidItem.archived_at.is_(None),
            Disbursement.archived_at.is_(None),
        )
        .scalar_subquery()
    )
    row = db.session.execute(db.select(approved, disbursed)).one()
    return int(row[0] or 0), int(row[1] or 0)


def _render_profile(org: Organization, archive_form: ArchiveForm, status: int = 200):
    approved, disbursed = _totals(org)
    return (
        render_template(
            "orgs/profile.html",
            org=org,
            aid_rows=_aid_rows(org),
            approved_total=approved,
            disbursed_total=disbursed,
            warning=org.certificate_warning(today_vn()),
            archive_form=archive_form,
            aid_links="aid.detail" in current_app.view_functions,
            kind_label=OrgKind(org.kind).label,
            certificate_type_label=(
                CertificateType(org.certificate_type).label if org.certificate_type else None
            ),
            certificate_status_label=(
                CertificateStatus(org.certificate_status).label if org.certificate_status else None
            ),
        ),
        status,
    )


@bp.route("/<int:org_id>")
@requires(rules.read_registry)
def profile(org_id: int):
    org = db.get_or_404(Organization, org_id)
    return _render_profile(org, ArchiveForm(formdata=None))


# --- Create, edit, archive, restore ----------------------------------------------------


def _org_data(form: OrganizationForm) -> dict:
    return {name: form[name].data for name in services.ORG_FIELDS}


@bp.route("/moi", methods=["GET", "POST"])
@requires(rules.manage_organizations)
def new():
    form = OrganizationForm()
    if form.validate_on_submit():
        org = run_form_service(form, lambda: services.create_organization(_org_data(form)))
        if org:
            db.session.commit()
            flash(f"Đã tạo tổ chức {org.code}.", "success")
            return redirect(url_for("orgs.profile", org_id=org.id))
    if form.is_submitted():
        return render_invalid("orgs/form.html", form, org=None)
    return render_template("orgs/form.html", form=form, org=None)


@bp.route("/<int:org_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_organizations)
def edit(org_id: int):
    org = db.get_or_404(Organization, org_id)
    form = OrganizationForm(obj=org)
    if request.method == "GET":
        for name in SELECT_FIELDS:
            value = getattr(org, name)
            form[name].data = value.value if value is not None else ""
        form.version.data = org.version
    if form.validate_on_submit():
        saved = run_form_service(
            form,
            lambda: services.update_organization(org, _org_data(form), form.version_number()),
        )
        if saved:
            db.session.commit()
            flash(f"Đã lưu tổ chức {org.code}.", "success")
            return redirect(url_for("orgs.profile", org_id=org.id))
    if form.is_submitted():
        return render_invalid("orgs/form.html", form, org=org)
    return render_template("orgs/form.html", form=form, org=org)


@bp.route("/<int:org_id>/luu-tru", methods=["POST"])
@requires(rules.manage_organizations)
def archive(org_id: int):
    org = db.get_or_404(Organization, org_id)
    form = ArchiveForm()
    if form.validate_on_submit():
        done = run_form_service(form, lambda: services.archive_organization(org, form.reason.data))
        if done:
            db.session.commit()
            flash(f"Đã lưu trữ tổ chức {org.code}.", "success")
            return redirect(url_for("orgs.profile", org_id=org.id))
    # Rolled back by run_form_service, if it ran: reload before showing the profile again.
    db.session.refresh(org)
    flash_form_errors(form)
    return _render_profile(org, form, 422)


@bp.route("/<int:org_id>/khoi-phuc", methods=["POST"])
@requires(rules.manage_organizations)
def restore(org_id: int):
    org = db.get_or_404(Organization, org_id)
    services.restore_organization(org)
    db.session.commit()
    flash(f"Đã khôi phục tổ chức {org.code}.", "success")
    return redirect(url_for("orgs.profile", org_id=org.id))
