"""Delegations: list and exports, request form, detail, members, review, working views."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.aid.models import AidItem
from app.auth.models import Agency
from app.core import attachments
from app.core import permissions as rules
from app.core.countries import country_choices
from app.core.dates import today_vn
from app.core.forms import ArchiveForm, choices
from app.core.listing import apply_sort, arg_int, arg_year, paginate
from app.core.models import Commune
from app.core.permissions import ATTACHMENT_READERS, requires
from app.core.views import INBOX_PROVIDERS
from app.core.web import render_invalid, run_form_service
from app.delegations import exports, services, workflow
from app.delegations.forms import (
    ApproveForm,
    CommentForm,
    DelegationForm,
    MemberForm,
    NoticeForm,
    PermitForm,
    ReportForm,
    ReviewForm,
    UploadForm,
)
from app.delegations.models import (
    BorderPermit,
    Delegation,
    DelegationMember,
    DelegationStatus,
    DelegationStep,
    Direction,
    Purpose,
    VisitReport,
)
from app.extensions import db
from app.orgs.models import Organization

bp = Blueprint("delegations", __name__, url_prefix="/doan")

INBOX_PROVIDERS.append(services.inbox_counts)
ATTACHMENT_READERS["visit_report"] = lambda user, _owner_id: rules.read_registry.allows(user)

SORTS = {
    "code": Delegation.code,
    "title": Delegation.title,
    "start": Delegation.start_on,
    "status": Delegation.status,
    "country": Delegation.country,
}


def _filters() -> services.DelegationFilters:
    args = request.args
    direction, status, purpose = (args.get(k, "") for k in ("direction", "status", "purpose"))
    return services.DelegationFilters(
        q=args.get("q", "").strip(),
        direction=direction if direction in Direction.labels() else "",
        status=status if status in DelegationStatus.labels() else "",
        year=arg_year(),
        country=args.get("country", "").strip().upper()[:2],
        purpose=purpose if purpose in Purpose.labels() else "",
        host=arg_int("host"),
        border=args.get("border", "") if args.get("border") in ("1", "0") else "",
        archived=args.get("archived") == "1",
    )


def _agencies():
    return db.session.execute(
        db.select(Agency.id, Agency.name).where(Agency.active.is_(True)).order_by(Agency.name)
    ).all()


def _get_visible(delegation_id: int) -> Delegation:
    delegation = db.get_or_404(Delegation, delegation_id)
    if not rules.read_delegations.allows(current_user, delegation):
        abort(404)  # a draft of another agency does not exist for this user
    return delegation


@bp.route("/")
@requires(rules.read_delegations)
def index():
    filters = _filters()
    query, sort = apply_sort(services.delegations_query(filters, current_user), SORTS, "-start")
    page = paginate(query.order_by(Delegation.id.desc()))
    return render_template(
        "delegations/list.html",
        page=page,
        filters=filters,
        sort=sort,
        directions=Direction.choices(),
        statuses=DelegationStatus.choices(),
        purposes=Purpose.choices(),
        countries=country_choices(),
        agencies=_agencies(),
    )


@bp.route("/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_delegations)
def export(fmt: str):
    query, _sort = apply_sort(services.delegations_query(_filters(), current_user), SORTS, "-start")
    return exports.send_delegations(query.order_by(Delegation.id.desc()), fmt)


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
    from app.core.errors import FieldError

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
        "sending_party": (form.sending_party.data or "").strip() or None,
        "country": form.country.data,
        "other_countries": [c for c in form.other_countries.data or [] if c != form.country.data]
        or None,
        "start_on": form.start_on.data,
        "end_on": form.end_on.data,
        "host_agency_id": form.host_agency_id.data or None,
        "funding": form.funding.data or None,
        "aid_item_id": aid_item_id,
        "contact": (form.contact.data or "").strip() or None,
        "notes": (form.notes.data or "").strip() or None,
    }
    stops = [
        {
            "day": row.day.data,
            "commune_code": row.commune_code.data or None,
            "place": (row.place.data or "").strip() or None,
            "activity": (row.activity.data or "").strip() or None,
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
    if form.validate_on_submit():
        created = run_form_service(
            form, lambda: services.create_delegation(_input(form), current_user)
        )
        if created:
            db.session.commit()
            flash(f"Đã lập hồ sơ đoàn {created.code}. Thêm thành viên rồi gửi hồ sơ.", "success")
            return redirect(url_for("delegations.detail", delegation_id=created.id))
    if form.is_submitted():
        return render_invalid("delegations/form.html", form, delegation=None)
    return render_template("delegations/form.html", form=form, delegation=None)


@bp.route("/<int:delegation_id>/sua", methods=["GET", "POST"])
@requires(rules.create_delegation)
def edit(delegation_id: int):
    delegation = _get_visible(delegation_id)
    rules.edit_delegation.require(current_user, delegation)
    form = DelegationForm(obj=delegation)
    _prepare_form(form)
    if request.method == "GET":
        form.version.data = delegation.version
        form.organization_id.data = delegation.organization_id or 0
        form.host_agency_id.data = delegation.host_agency_id or 0
        form.other_countries.data = delegation.other_countries or []
        form.aid_item_code.data = delegation.aid_item.code if delegation.aid_item else ""
        for row, stop in zip(form.stops, delegation.stops, strict=False):
            row.day.data, row.commune_code.data = stop.day, stop.commune_code or ""
            row.place.data, row.activity.data = stop.place, stop.activity
    if form.validate_on_submit():
        saved = run_form_service(
            form,
            lambda: (
                services.update_delegation(
                    delegation, _input(form), form.version_number(), current_user
                )
                or True
            ),
        )
        if saved:
            db.session.commit()
            flash("Đã lưu hồ sơ đoàn.", "success")
            return redirect(url_for("delegations.detail", delegation_id=delegation.id))
    if form.is_submitted():
        return render_invalid("delegations/form.html", form, delegation=delegation)
    return render_template("delegations/form.html", form=form, delegation=delegation)


# --- Detail and printable list -----------------------------------------------------------


@bp.route("/<int:delegation_id>")
@requires(rules.read_delegations)
def detail(delegation_id: int):
    delegation = _get_visible(delegation_id)
    actions, blocked = workflow.available_actions(delegation, current_user)

    def rows(model, order):
        return db.session.scalars(
            db.select(model).where(model.delegation_id == delegation.id).order_by(*order)
        ).all()

    reports = rows(VisitReport, [VisitReport.received_on])
    return render_template(
        "delegations/detail.html",
        d=delegation,
        actions=actions,
        blocked_actions=blocked,
        steps=rows(DelegationStep, [DelegationStep.at, DelegationStep.id]),
        permits=rows(BorderPermit, [BorderPermit.issued_on]),
        reports=reports,
        report_files=attachments.by_owner("visit_report", [r.id for r in reports]),
        can_edit=rules.edit_delegation.allows(current_user, delegation)
        and delegation.status in services.EDITABLE_STATES
        and not delegation.is_archived,
        show_personal=rules.see_personal_data.allows(current_user),
        archive_form=ArchiveForm(version=delegation.version),
        today=today_vn(),
    )


@bp.route("/<int:delegation_id>/in")
@requires(rules.read_delegations)
def reception_list(delegation_id: int):
    """A printable reception list: names, positions, itinerary; no internal ids."""
    delegation = _get_visible(delegation_id)
    return render_template("delegations/print.html", d=delegation, today=today_vn())


@bp.route("/<int:delegation_id>/thanh-vien.<any(xlsx, csv):fmt>")
@requires(rules.read_delegations)
def members_export(delegation_id: int, fmt: str):
    delegation = _get_visible(delegation_id)
    with_personal = rules.see_personal_data.allows(current_user)
    response = exports.send_members(delegation, fmt, with_personal)
    if with_personal:
        db.session.commit()  # the audited export
    return response


# --- Members -------------------------------------------------------------------------------


def _member_values(form: MemberForm, keep: DelegationMember | None = None) -> dict:
    """The form's values; `keep` supplies the personal data a masked form does not carry."""
    return {
        "full_name": form.full_name.data.strip(),
        "sex": form.sex.data or None,
        "birth_date": keep.birth_date if keep else form.birth_date.data,
        "nationality": form.nationality.data,
        "passport_number": keep.passport_number
        if keep
        else (form.passport_number.data or "").strip() or None,
        "passport_type": form.passport_type.data or None,
        "passport_expiry": form.passport_expiry.data,
        "position": (form.position.data or "").strip() or None,
        "organization_name": (form.organization_name.data or "").strip() or None,
        "is_head": form.is_head.data,
    }


@bp.route("/<int:delegation_id>/thanh-vien/moi", methods=["GET", "POST"])
@requires(rules.create_delegation)
def member_new(delegation_id: int):
    delegation = _get_visible(delegation_id)
    rules.edit_delegation.require(current_user, delegation)
    form = MemberForm()
    if form.validate_on_submit():
        member = run_form_service(
            form, lambda: services.add_member(delegation, current_user, _member_values(form))
        )
        if member:
            db.session.commit()
            flash(f"Đã thêm {member.full_name} vào danh sách đoàn.", "success")
            if request.form.get("again"):
                return redirect(url_for("delegations.member_new", delegation_id=delegation.id))
            return redirect(url_for("delegations.detail", delegation_id=delegation.id))
    context = {"d": delegation, "member": None}
    if form.is_submitted():
        return render_invalid("delegations/member_form.html", form, **context)
    return render_template("delegations/member_form.html", form=form, **context)


@bp.route("/thanh-vien/<int:member_id>", methods=["GET", "POST"])
@requires(rules.create_delegation)
def member_edit(member_id: int):
    member = db.get_or_404(DelegationMember, member_id)
    delegation = _get_visible(member.delegation_id)
    rules.edit_delegation.require(current_user, delegation)
    form = MemberForm(obj=member)
    masked = not rules.see_personal_data.allows(current_user)
    if masked:  # personal data is neither shown nor changed by users who may not see it
        del form.birth_date
        del form.passport_number
    if form.validate_on_submit():
        values = _member_values(form, keep=member if masked else None)
        saved = run_form_service(
            form, lambda: services.update_member(member, current_user, values) or True
        )
        if saved:
            db.session.commit()
            flash("Đã lưu thành viên.", "success")
            return redirect(url_for("delegations.detail", delegation_id=delegation.id))
    context = {"d": delegation, "member": member}
    if form.is_submitted():
        return render_invalid("delegations/member_form.html", form, **context)
    return render_template("delegations/member_form.html", form=form, **context)


@bp.route("/thanh-vien/<int:member_id>/xoa", methods=["POST"])
@requires(rules.create_delegation)
def member_remove(member_id: int):
    member = db.get_or_404(DelegationMember, member_id)
    _get_visible(member.delegation_id)
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400)
    services.remove_member(member, current_user, (form.comment.data or "").strip())
    db.session.commit()
    flash(f"Đã xóa {member.full_name} khỏi danh sách đoàn.", "success")
    return redirect(url_for("delegations.detail", delegation_id=member.delegation_id))


@bp.route("/<int:delegation_id>/thanh-vien/tai-len", methods=["GET", "POST"])
@requires(rules.create_delegation)
def members_upload(delegation_id: int):
    delegation = _get_visible(delegation_id)
    rules.edit_delegation.require(current_user, delegation)
    form = UploadForm()
    errors = []
    if form.validate_on_submit():
        file = request.files.get("file")
        rows, file_errors = exports.read_member_rows(file)
        errors = services.add_members_from_rows(
            delegation, current_user, rows, exports.MEMBER_LABELS, file_errors
        )
        if not errors:
            db.session.commit()
            flash(f"Đã thêm {len(rows)} thành viên từ tệp.", "success")
            return redirect(url_for("delegations.detail", delegation_id=delegation.id))
        db.session.rollback()
        return render_template(
            "delegations/upload.html", form=form, d=delegation, errors=errors
        ), 422
    return render_template("delegations/upload.html", form=form, d=delegation, errors=errors)


# --- Review steps -------------------------------------------------------------------------

STEP_HANDLERS = {
    "submit": (CommentForm, lambda d, f: services.submit(d, current_user, f.comment.data)),
    "receive": (CommentForm, lambda d, f: services.receive(d, current_user, f.comment.data)),
    "approve": (
        ApproveForm,
        lambda d, f: services.approve(
            d, current_user, f.number.data, f.approved_on.data, (f.approved_by.data or "").strip()
        ),
    ),
    "refuse": (
        CommentForm,
        lambda d, f: services.refuse(d, current_user, (f.comment.data or "").strip()),
    ),
    "complete": (CommentForm, lambda d, f: services.complete(d, current_user, f.comment.data)),
    "cancel": (
        CommentForm,
        lambda d, f: services.cancel(d, current_user, (f.comment.data or "").strip()),
    ),
}


@bp.route("/<int:delegation_id>/buoc/<action>", methods=["GET", "POST"])
@requires(rules.read_delegations)
def step(delegation_id: int, action: str):
    delegation = _get_visible(delegation_id)
    if action not in STEP_HANDLERS:
        abort(404)
    transition = workflow.transition_for(delegation, action)
    transition.action.rule.require(current_user, delegation)
    form_class, handler = STEP_HANDLERS[action]
    form = form_class()
    context = {"d": delegation, "title": transition.action.label}
    if form.validate_on_submit():
        done = run_form_service(form, lambda: handler(delegation, form) or True)
        if done:
            db.session.commit()
            flash(f"Đã thực hiện: {transition.action.label}.", "success")
            if action == "submit" and delegation.is_late_request:
                days = current_app.config["DELEGATION_REQUEST_WORKING_DAYS"]
                flash(
                    f"Lưu ý: hồ sơ gửi muộn, ít hơn {days} ngày làm việc trước ngày đoàn đến.",
                    "warning",
                )
            return redirect(url_for("delegations.detail", delegation_id=delegation.id))
    if form.is_submitted():
        return render_invalid("delegations/step.html", form, **context)
    return render_template("delegations/step.html", form=form, **context)


RECORDS = {
    "y-kien-ngoai-vu": (
        ReviewForm,
        rules.review_foreign_affairs,
        "Thẩm định của cơ quan ngoại vụ",
        lambda d, f: services.record_review(
            d,
            current_user,
            "foreign_affairs",
            f.verdict.data,
            f.text.data.strip(),
            f.document_number.data,
            f.reviewed_on.data,
        ),
    ),
    "y-kien-cong-an": (
        ReviewForm,
        rules.review_police,
        "Ý kiến an ninh, trật tự của Công an tỉnh",
        lambda d, f: services.record_review(
            d,
            current_user,
            "police",
            f.verdict.data,
            f.text.data.strip(),
            f.document_number.data,
            f.reviewed_on.data,
        ),
    ),
    "giay-phep": (
        PermitForm,
        rules.review_police,
        "Giấy phép vào khu vực biên giới",
        lambda d, f: services.record_permit(
            d,
            current_user,
            f.number.data,
            f.issued_on.data,
            f.valid_from.data,
            f.valid_to.data,
            f.notes.data,
        ),
    ),
    "thong-bao": (
        NoticeForm,
        rules.create_delegation,
        "Thông báo Công an, Bộ đội Biên phòng",
        lambda d, f: services.record_border_notice(d, current_user, f.notice_on.data),
    ),
    "bao-cao": (
        ReportForm,
        rules.create_delegation,
        "Báo cáo kết quả",
        lambda d, f: services.file_report(
            d, current_user, f.received_on.data, f.summary.data.strip(), request.files.get("file")
        ),
    ),
}


@bp.route("/<int:delegation_id>/ghi-nhan/<kind>", methods=["GET", "POST"])
@requires(rules.read_delegations)
def record(delegation_id: int, kind: str):
    delegation = _get_visible(delegation_id)
    if kind not in RECORDS:
        abort(404)
    form_class, rule, title, handler = RECORDS[kind]
    rule.require(current_user, delegation)
    form = form_class()
    context = {"d": delegation, "title": title}
    if form.validate_on_submit():
        done = run_form_service(form, lambda: handler(delegation, form) or True)
        if done:
            db.session.commit()
            flash(f"Đã lưu: {title}.", "success")
            return redirect(url_for("delegations.detail", delegation_id=delegation.id))
    if form.is_submitted():
        return render_invalid("delegations/step.html", form, **context)
    return render_template("delegations/step.html", form=form, **context)


@bp.route("/<int:delegation_id>/luu-tru", methods=["POST"])
@requires(rules.create_delegation)
def archive(delegation_id: int):
    delegation = _get_visible(delegation_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        flash("Vui lòng ghi lý do lưu trữ.", "danger")
        return redirect(url_for("delegations.detail", delegation_id=delegation.id)), 303
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    services.archive(delegation, current_user, form.reason.data.strip(), version)
    db.session.commit()
    flash(f"Đã lưu trữ hồ sơ đoàn {delegation.code}.", "success")
    return redirect(url_for("delegations.detail", delegation_id=delegation.id))


# --- Working views ------------------------------------------------------------------------


@bp.route("/viec-can-xu-ly")
@requires(rules.read_delegations)
def inbox():
    return render_template(
        "delegations/inbox.html",
        box=services.inbox(current_user),
        alerts=services.alerts(current_user),
        today=today_vn(),
    )


@bp.route("/lich")
@requires(rules.read_delegations)
def calendar():
    today = today_vn()
    return render_template(
        "delegations/calendar.html", delegations=services.upcoming(current_user, today), today=today
    )


@bp.route("/tra-cuu")
@requires(rules.read_delegations)
def person_search():
    q = request.args.get("q", "").strip()
    members = services.person_search(current_user, q) if q else []
    return render_template(
        "delegations/person_search.html",
        q=q,
        members=members,
        show_personal=rules.see_personal_data.allows(current_user),
    )
