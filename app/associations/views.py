"""Pages of the associations domain: the list and its export, the activity export, the
profile (member counts, activity log), the association's form, archive / restore, the
member count form and the activity forms. Thin: parse, check the rule, one service, one
commit (app/core/web.py)."""

from functools import partial

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from app.associations import queries, services
from app.associations.exports import activity_table, association_table
from app.associations.forms import ActivityForm, ArchiveForm, AssociationForm, MemberCountForm
from app.associations.models import Association, AssociationActivity
from app.associations.states import ActivityKind, AssociationAudit, AssociationStatus
from app.core import audit
from app.core import permissions as rules
from app.core.export import send_table
from app.core.forms import VersionedForm
from app.core.listing import paginate
from app.core.permissions import requires
from app.core.web import form_action, form_page, get_or_404, record_form_page
from app.extensions import db

bp = Blueprint("associations", __name__, url_prefix="/hoi-huu-nghi")

# Query-string parameters that the export links carry over (not the page).
FILTER_ARGS = ("q", "status", "union", "country", "archived", "sort")
ACTIVITY_FILTER_ARGS = ("year", "kind", "country", "archived", "sort")


def _kept(names) -> dict:
    return {k: v for k, v in request.args.items() if k in names and v}


def _summary(filters) -> str:
    used = ", ".join(f"{k}={v}" for k, v in filters if v and k != "sort")
    return used or "không"


# --- The list and the exports ------------------------------------------------------------


@bp.route("/")
@requires(rules.read_associations)
def index():
    filters = queries.AssociationFilters.from_args(request.args)
    page = paginate(queries.associations_query(filters))
    counts = queries.latest_member_counts([a.id for a in page.items])
    return render_template(
        "associations/index.html",
        page=page,
        filters=filters,
        sort=filters.sort,
        counts=counts,
        statuses=AssociationStatus,
        unions=queries.UNION_CHOICES,
        countries=queries.countries_in_use(),
        export_args=_kept(FILTER_ARGS),
    )


@bp.route("/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_associations)
def export(fmt: str):
    filters = queries.AssociationFilters.from_args(request.args)
    associations = db.session.scalars(queries.associations_query(filters)).all()
    counts = queries.latest_member_counts([a.id for a in associations])
    # Audited: the export carries the leaders' names and contacts.
    audit.record(
        AssociationAudit.EXPORT,
        object_type="association",
        summary=f"Xuất danh sách hội hữu nghị ({len(associations)} dòng, {fmt.upper()}; "
        f"lọc: {_summary(filters.items())})",
    )
    db.session.commit()
    headers, rows = association_table(associations, counts)
    return send_table("hoi-huu-nghi", "HoiHuuNghi", headers, rows, fmt)


@bp.route("/hoat-dong/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_associations)
def export_activities(fmt: str):
    """The activities of every live association, or of one (?association=ID)."""
    filters = queries.ActivityFilters.from_args(request.args)
    activities = db.session.scalars(queries.activities_query(filters)).unique().all()
    audit.record(
        AssociationAudit.ACTIVITY_EXPORT,
        object_type="association_activity",
        summary=f"Xuất hoạt động của hội hữu nghị ({len(activities)} dòng, {fmt.upper()}; "
        f"lọc: {_summary(vars(filters).items())})",
    )
    db.session.commit()
    headers, rows = activity_table(activities)
    return send_table("hoat-dong-hoi", "HoatDongHoi", headers, rows, fmt)


# --- The profile ---------------------------------------------------------------------------


def _profile_context(association: Association, **forms) -> dict:
    filters = queries.ActivityFilters.from_args(request.args, association_id=association.id)
    activities = paginate(queries.activities_query(filters))
    export_args = {"association": association.id, **_kept(ACTIVITY_FILTER_ARGS)}
    return {
        "association": association,
        "member_counts": queries.member_count_years(association.id),
        "activities": activities,
        "activity_filters": filters,
        "activity_years": queries.activity_years(association.id),
        "kinds": ActivityKind,
        "export_args": export_args,
        "archive_form": forms.get("archive_form")
        or ArchiveForm(formdata=None, version=association.version),
        "count_form": forms.get("count_form") or MemberCountForm(formdata=None),
    }


@bp.route("/<int:association_id>")
@requires(rules.read_associations)
def profile(association_id: int):
    association = get_or_404(Association, association_id)
    return render_template("associations/profile.html", **_profile_context(association))


# --- The association's form, archive, restore ------------------------------------------------


def _data(form, names) -> dict:
    return {name: form[name].data for name in names}


def _profile_url(association: Association) -> str:
    return url_for("associations.profile", association_id=association.id)


def _association_page(association: Association | None):
    form = AssociationForm(obj=association)
    if association is not None and request.method == "GET":
        form.status.data = str(association.status.value)
        form.countries.data = association.countries
    return record_form_page(
        association,
        form,
        "associations/form.html",
        create=services.create_association,
        update=services.update_association,
        data=lambda f: _data(f, services.FORM_FIELDS),
        created=lambda saved: f"Đã tạo hội {saved.code}.",
        updated=lambda saved: f"Đã lưu hội {saved.code}.",
        redirect_to=_profile_url,
        association=association,
    )


@bp.route("/moi", methods=["GET", "POST"])
@requires(rules.manage_associations)
def new():
    return _association_page(None)


@bp.route("/<int:association_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_associations)
def edit(association_id: int):
    return _association_page(get_or_404(Association, association_id))


@bp.route("/<int:association_id>/luu-tru", methods=["POST"])
@requires(rules.manage_associations)
def archive(association_id: int):
    association = get_or_404(Association, association_id)
    form = ArchiveForm()
    # Invalid: the profile again with the reason's error under its field (HTTP 422).
    return form_page(
        form,
        "associations/profile.html",
        save=lambda: services.archive_association(
            association, reason=form.reason.data, user=current_user, version=form.version_number()
        ),
        success=f"Đã lưu trữ hội {association.code}.",
        redirect_to=_profile_url(association),
        **_profile_context(association, archive_form=form),
    )


@bp.route("/<int:association_id>/khoi-phuc", methods=["POST"])
@requires(rules.manage_associations)
def restore(association_id: int):
    association = get_or_404(Association, association_id)
    form = VersionedForm()
    return form_action(
        form,
        save=lambda: services.restore_association(
            association, user=current_user, version=form.version_number()
        ),
        success=f"Đã khôi phục hội {association.code}.",
        back=_profile_url(association),
    )


@bp.route("/<int:association_id>/so-hoi-vien", methods=["POST"])
@requires(rules.manage_associations)
def member_count(association_id: int):
    association = get_or_404(Association, association_id)
    form = MemberCountForm()
    # Invalid: the profile again with the errors under the fields (HTTP 422).
    return form_page(
        form,
        "associations/profile.html",
        save=lambda: services.set_member_count(
            association, year=form.year.data, count=form.count.data, user=current_user
        ),
        success=lambda row: f"Đã ghi số hội viên năm {row.year}.",
        redirect_to=_profile_url(association),
        **_profile_context(association, count_form=form),
    )


# --- Activities -------------------------------------------------------------------------------


def _activity_page(association: Association, activity: AssociationActivity | None):
    form = ActivityForm(obj=activity)
    if activity is not None and request.method == "GET":
        form.kind.data = str(activity.kind.value)
        form.countries.data = activity.countries
        form.delegation_code.data = activity.delegation.code if activity.delegation else ""
        form.aid_item_code.data = activity.aid_item.code if activity.aid_item else ""
    return record_form_page(
        activity,
        form,
        "associations/activity_form.html",
        create=partial(services.add_activity, association),
        update=services.update_activity,
        data=lambda f: _data(f, services.ACTIVITY_FORM_FIELDS),
        created="Đã thêm hoạt động.",
        updated="Đã lưu hoạt động.",
        redirect_to=lambda saved: _profile_url(association),
        association=association,
        activity=activity,
    )


def _activity_of(association_id: int, activity_id: int) -> AssociationActivity:
    activity = get_or_404(AssociationActivity, activity_id)
    if activity.association_id != association_id:
        abort(404)  # not this association's activity
    return activity


@bp.route("/<int:association_id>/hoat-dong/moi", methods=["GET", "POST"])
@requires(rules.manage_associations)
def new_activity(association_id: int):
    return _activity_page(get_or_404(Association, association_id), None)


@bp.route("/<int:association_id>/hoat-dong/<int:activity_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_associations)
def edit_activity(association_id: int, activity_id: int):
    activity = _activity_of(association_id, activity_id)
    return _activity_page(activity.association, activity)


@bp.route("/<int:association_id>/hoat-dong/<int:activity_id>/luu-tru", methods=["POST"])
@requires(rules.manage_associations)
def archive_activity(association_id: int, activity_id: int):
    activity = _activity_of(association_id, activity_id)
    form = ArchiveForm()
    return form_action(
        form,
        save=lambda: services.archive_activity(
            activity, reason=form.reason.data, user=current_user, version=form.version_number()
        ),
        success="Đã lưu trữ hoạt động.",
        back=_profile_url(activity.association),
    )
