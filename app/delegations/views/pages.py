"""Delegation pages: the list and its exports, the request form, the detail page and the
printable list, archiving, the working views (inbox, calendar, person search)."""

from datetime import timedelta

from flask import current_app, render_template, request
from flask_login import current_user

from app.aid.models import AidItem
from app.auth.models import Agency
from app.core import attachments
from app.core import permissions as rules
from app.core.countries import country_choices
from app.core.dates import today_vn
from app.core.errors import FieldError
from app.core.forms import ArchiveForm, choices
from app.core.inbox import due_state, inbox_args
from app.core.listing import apply_sort, arg_int, arg_year, cached_options, paginate
from app.core.models import Commune
from app.core.permissions import requires
from app.core.web import archive_action, form_page, text_of
from app.delegations import exports, services, workflow
from app.delegations.forms import DelegationForm
from app.delegations.models import (
    BorderPermit,
    Delegation,
    DelegationStatus,
    DelegationStep,
    Direction,
    Purpose,
    ReviewerKind,
    VisitReport,
)
from app.delegations.services import boxes as delegation_inbox
from app.delegations.views import (
    audited_page,
    bp,
    detail_url,
    get_editable,
    get_visible,
)
from app.delegations.views.review import RECORD_SLUGS
from app.extensions import db
from app.orgs.models import Organization

SORTS = {
    "code": Delegation.code,
    "title": Delegation.title,
    "start": Delegation.start_on,
    "status": Delegation.status,
    "country": Delegation.country,
}


def _choice(name: str, allowed) -> str:
    """A query parameter among the allowed values, else "" (no filter)."""
    value = request.args.get(name, "").strip()
    return value if value in allowed else ""


def _filters() -> services.DelegationFilters:
    return services.DelegationFilters(
        q=request.args.get("q", "").strip(),
        direction=_choice("direction", Direction.labels()),
        status=_choice("status", DelegationStatus.labels()),
        year=arg_year(),
        country=request.args.get("country", "").strip().upper()[:2],
        purpose=_choice("purpose", Purpose.labels()),
        host=arg_int("host"),
        border=_choice("border", ("1", "0")),
        archived=request.args.get("archived") == "1",
    )


def _agencies():
    return db.session.execute(
        db.select(Agency.id, Agency.name).where(Agency.active.is_(True)).order_by(Agency.name)
    ).all()


def _listed():
    query = services.delegations_query(filters=_filters(), user=current_user)
    query, sort = apply_sort(query, SORTS, "-start")
    return query.order_by(Delegation.id.desc()), sort


@bp.route("/")
@requires(rules.read_delegations)
def index():
    query, sort = _listed()
    return render_template(
        "delegations/list.html",
        page=paginate(query),
        filters=_filters(),
        sort=sort,
        directions=Direction.choices(),
        statuses=DelegationStatus.choices(),
        purposes=Purpose.choices(),
        country_options=cached_options(
            "countries", country_choices(), lambda c: c[1], request.args.get("country", "").upper()
        ),
        agencies=_agencies(),
    )


@bp.route("/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_delegations)
def export(fmt: str):
    query, _sort = _listed()
    return exports.send_delegations(query, fmt)


# --- The request form ----------------------------------------------------------------------


def _prepare_form(form: DelegationForm) -> None:
    orgs = db.session.execute(
        db.select(Organization.id, Organization.code, Organization.name)
        .where(Organization.archived_at.is_(None))
        .order_by(Organization.code)
    ).all()
    form.organization_id.choices = choices(
        [(0, "—"), *((o.id, f"{o.code} – {o.name}") for o in orgs)]
    )
    form.host_agency_id.choices = choices([(0, "— Đơn vị của tôi —"), *_agencies()])
    communes = db.session.execute(
        db.select(Commune.code, Commune.name, Commune.is_border)
        .where(Commune.province_code == current_app.config["PROVINCE_CODE"])
        .order_by(Commune.name_folded)
    ).all()
    commune_choices = [
        ("", "—"),
        *((c.code, f"{c.name}{' (biên giới)' if c.is_border else ''}") for c in communes),
    ]
    for row in form.stops:
        row.commune_code.choices = choices(commune_choices)


def _input(form: DelegationForm) -> services.DelegationInput:
    aid_item_id = None
    if code := (form.aid_item_code.data or "").strip().upper():
        aid_item_id = db.session.scalar(db.select(AidItem.id).where(AidItem.code == code))
        if aid_item_id is None:
            raise FieldError("aid_item_code", f"Không có khoản viện trợ mã {code}.")
    fields = {
        "code": form.code.data,
        "direction": form.direction.data,
        "title": form.title.data.strip(),
        "purpose": form.purpose.data,
        "organization_id": form.organization_id.data or None,
        "sending_party": text_of(form.sending_party),
        "country": form.country.data,
        "other_countries": [c for c in form.other_countries.data or [] if c != form.country.data]
        or None,
        "start_on": form.start_on.data,
        "end_on": form.end_on.data,
        "host_agency_id": form.host_agency_id.data or None,
        "funding": form.funding.data or None,
        "aid_item_id": aid_item_id,
        "contact": text_of(form.contact),
        "notes": text_of(form.notes),
    }
    stops = [
        {
            "day": row.day.data,
            "commune_code": row.commune_code.data or None,
            "place": text_of(row.place),
            "activity": text_of(row.activity),
        }
        for row in form.stops
        if row.day.data or row.commune_code.data or row.place.data or row.activity.data
    ]
    return services.DelegationInput(fields=fields, stops=stops)


@bp.route("/moi", methods=["GET", "POST"])
@requires(rules.create_delegation)
def new():
    form = DelegationForm()
    _prepare_form(form)
    return form_page(
        form,
        "delegations/form.html",
        save=lambda: services.create_delegation(data=_input(form), user=current_user),
        success=lambda d: f"Đã lập hồ sơ đoàn {d.code}. Thêm thành viên rồi gửi hồ sơ.",
        redirect_to=detail_url,
        delegation=None,
    )


@bp.route("/<int:delegation_id>/sua", methods=["GET", "POST"])
@requires(rules.create_delegation)
def edit(delegation_id: int):
    delegation = get_editable(delegation_id)
    form = DelegationForm(obj=delegation)
    _prepare_form(form)
    revision = delegation.revision
    if request.method == "GET":
        form.version.data = delegation.version
        form.organization_id.data = delegation.organization_id or 0
        form.host_agency_id.data = delegation.host_agency_id or 0
        form.other_countries.data = delegation.other_countries or []
        form.aid_item_code.data = delegation.aid_item.code if delegation.aid_item else ""
        for row, stop in zip(form.stops, delegation.stops, strict=False):
            row.day.data, row.commune_code.data = stop.day, stop.commune_code or ""
            row.place.data, row.activity.data = stop.place, stop.activity
    return form_page(
        form,
        "delegations/form.html",
        save=lambda: services.update_delegation(
            delegation, data=_input(form), user=current_user, version=form.version_number()
        ),
        success=lambda saved: "Đã lưu hồ sơ đoàn." + services.look_again_note(saved, revision),
        redirect_to=detail_url,
        delegation=delegation,
    )


# --- Detail and printable list -----------------------------------------------------------


@bp.route("/<int:delegation_id>")
@requires(rules.read_delegations)
def detail(delegation_id: int):
    delegation = get_visible(delegation_id)
    show_personal = services.shows_personal_data(
        delegation, user=current_user, where="trang hồ sơ đoàn"
    )
    actions, blocked = workflow.available_actions(delegation, current_user)

    def rows(model, order):
        return db.session.scalars(
            db.select(model).where(model.delegation_id == delegation.id).order_by(*order)
        ).all()

    reports = rows(VisitReport, [VisitReport.received_on])
    permits = rows(BorderPermit, [BorderPermit.issued_on])
    since, confirmed = services.review_history(delegation, permits)
    return audited_page(
        "delegations/detail.html",
        d=delegation,
        flow=workflow.DELEGATION_WORKFLOW,
        actions=actions,
        blocked_actions=blocked,
        steps=rows(DelegationStep, [DelegationStep.at, DelegationStep.id]),
        permits=permits,
        since=since,
        confirmed=confirmed,
        confirms={kind: RECORD_SLUGS[workflow.confirm_action(kind)] for kind in ReviewerKind},
        passport_until=services.passport_valid_until(delegation),
        passport_months=current_app.config["PASSPORT_MIN_VALID_MONTHS"],
        reports=reports,
        report_files=attachments.by_owner("visit_report", [r.id for r in reports]),
        reviews=[
            (kind, workflow.review_action(kind), RECORD_SLUGS[workflow.review_action(kind)])
            for kind in ReviewerKind
        ],
        show_personal=show_personal,
        archive_form=ArchiveForm(version=delegation.version),
        today=today_vn(),
    )


@bp.route("/<int:delegation_id>/in")
@requires(rules.read_delegations)
def reception_list(delegation_id: int):
    """A printable reception list: names, positions, itinerary; no internal ids."""
    delegation = get_visible(delegation_id)
    show_personal = services.shows_personal_data(delegation, user=current_user, where="bản in")
    return audited_page(
        "delegations/print.html", d=delegation, show_personal=show_personal, today=today_vn()
    )


@bp.route("/<int:delegation_id>/thanh-vien.<any(xlsx, csv):fmt>")
@requires(rules.read_delegations)
def members_export(delegation_id: int, fmt: str):
    delegation = get_visible(delegation_id)
    with_personal = rules.see_personal_data.allows(current_user, delegation)
    response = exports.send_members(delegation, fmt, with_personal)
    db.session.commit()  # the export with personal data is audited
    return response


@bp.route("/<int:delegation_id>/luu-tru", methods=["POST"])
@requires(rules.create_delegation)
def archive(delegation_id: int):
    delegation = get_visible(delegation_id)
    return archive_action(
        delegation,
        services.archive_delegation,
        success=f"Đã lưu trữ hồ sơ đoàn {delegation.code}.",
        back=detail_url(delegation),
    )


# --- Working views ------------------------------------------------------------------------


def _inbox(today, paged: bool = True) -> dict:
    """The boxes as filtered and sorted (app/core/inbox.py): the page and its export agree."""
    args = inbox_args(services.INBOX_LABELS)
    return {
        "args": args,
        "boxes": delegation_inbox.inbox_boxes(current_user, args, today, paged=paged),
        "kinds": delegation_inbox.box_choices(current_user, today),
    }


@bp.route("/viec-can-xu-ly")
@requires(rules.read_delegations)
def inbox():
    today = today_vn()
    found = _inbox(today)
    listed = {d.id: d for box in found["boxes"] for d in box.rows}
    return render_template(
        "delegations/inbox.html",
        short_passports=services.short_passports(list(listed.values())),
        alerts=services.alerts(user=current_user),
        passport_months=current_app.config["PASSPORT_MIN_VALID_MONTHS"],
        today=today,
        due_state=due_state,
        **found,
    )


@bp.route("/viec-can-xu-ly/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_delegations)
def inbox_export(fmt: str):
    """The inbox's boxes as filtered and sorted on the page, every row (not one page)."""
    today = today_vn()
    return exports.send_inbox(_inbox(today, paged=False)["boxes"], today, fmt)


@bp.route("/lich")
@requires(rules.read_delegations)
def calendar():
    today = today_vn()
    return render_template(
        "delegations/calendar.html",
        delegations=services.upcoming(user=current_user, today=today),
        today=today,
        until=today + timedelta(days=services.UPCOMING_DAYS),
    )


@bp.route("/tra-cuu")
@requires(rules.read_delegations)
def person_search():
    q = request.args.get("q", "").strip()
    members = services.person_search(text=q, user=current_user) if q else []
    unmasked = services.unmasked_in_search(members, text=q, user=current_user)
    return audited_page(
        "delegations/person_search.html",
        q=q,
        members=members,
        unmasked=unmasked,
        search_passports=rules.see_personal_data.allows(current_user),
    )
