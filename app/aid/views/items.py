"""The list and its exports, the dossier form, the item's page (with its archive and
files), opinions and the inbox."""

from flask import abort, render_template, request
from flask_login import current_user

from app.aid import exports, services, workflow
from app.aid.forms import AidItemForm, AnswerOpinionForm, AttachmentForm, FollowUpForm
from app.aid.models import AidItem, AidStatus, Modality, Opinion, Sector
from app.aid.services import boxes as aid_inbox
from app.aid.services import queries
from app.aid.views import bp, detail_url
from app.core import permissions as rules
from app.core.countries import country_choices
from app.core.dates import today_vn
from app.core.forms import ArchiveForm, choices
from app.core.inbox import due_state, inbox_args
from app.core.listing import apply_sort, arg_int, arg_year, cached_options, paginate
from app.core.permissions import requires
from app.core.web import (
    archive_action,
    form_action,
    form_page,
    form_values,
    get_or_404,
    record_form_page,
    step_check,
)
from app.orgs.scope import item_breaches

SORTS = {
    "code": AidItem.code,
    "name": AidItem.name,
    "status": AidItem.status,
    "value": AidItem.value_vnd,
    "decision": AidItem.decision_date,
    "received": AidItem.dossier_received_on,
}


def _filters() -> services.ItemFilters:
    args = request.args
    status, modality, sector = (args.get(name, "") for name in ("status", "modality", "sector"))
    return services.ItemFilters(
        q=args.get("q", "").strip(),
        status=status if status in AidStatus.labels() else "",
        year=arg_year(),
        donor=arg_int("donor"),
        country=args.get("country", "").strip().upper()[:2],
        sector=sector if sector in Sector.labels() else "",
        commune=args.get("commune", "").strip()[:5],
        modality=modality if modality in Modality.labels() else "",
        overdue=args.get("overdue") == "1",
        over_disbursed=args.get("over_disbursed") == "1",
        delayed=args.get("delayed") == "1",
        archived=args.get("archived") == "1",
    )


def _sorted_items(filters: services.ItemFilters):
    query, sort = apply_sort(services.summaries(services.items_query(filters)), SORTS, "-received")
    return query.order_by(AidItem.id.desc()), sort


@bp.route("/")
@requires(rules.read_registry)
def index():
    filters = _filters()
    query, sort = _sorted_items(filters)
    page = paginate(query)
    return render_template(
        "aid/list.html",
        page=page,
        over_disbursed=queries.over_disbursed_ids(item.id for item in page.items),
        filters=filters,
        sort=sort,
        statuses=AidStatus.choices(),
        modalities=Modality.choices(),
        sectors=Sector.choices(),
        # Long selects rendered once per content of their rows (the 1,000 donors of a
        # national registry cost ~17 ms of Jinja on every page otherwise).
        donor_options=cached_options(
            "aid.donors", queries.donor_choices(), lambda d: f"{d[1]} – {d[2]}", filters.donor
        ),
        country_options=cached_options(
            "countries", country_choices(), lambda c: c[1], filters.country
        ),
        commune_options=cached_options(
            "aid.communes",
            queries.province_communes(),
            lambda c: f"{c[1]} (biên giới)" if c[2] else c[1],
            filters.commune,
        ),
        today=today_vn(),
    )


@bp.route("/xuat.<fmt>")
@requires(rules.read_registry)
def export(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    return exports.send_items(_sorted_items(_filters())[0], fmt)


# --- The dossier form ----------------------------------------------------------------------


def _prepare_item_form(form: AidItemForm, item: AidItem | None) -> None:
    """The pickers' choices; on first show, the item's lists (or today's date for a new
    dossier) and the version the page shows."""
    donors = queries.donor_choices()
    form.main_donor_id.choices = choices(
        [(0, "— Chọn nhà tài trợ —")] + [(d.id, f"{d.code} – {d.name}") for d in donors]
    )
    form.co_donor_ids.choices = choices((d.id, f"{d.code} – {d.name}") for d in donors)
    form.communes.choices = choices(
        (c.code, f"{c.name}{' (biên giới)' if c.is_border else ''}")
        for c in queries.province_communes()
    )
    if request.method != "GET":
        return
    if item is None:
        form.dossier_received_on.data = today_vn()
        return
    form.main_donor_id.data = item.main_donor_id
    form.co_donor_ids.data = [d.organization_id for d in item.donors[1:]]
    form.communes.data = [loc.commune_code for loc in item.locations]
    for row, sector in zip(form.sectors, item.sectors, strict=False):
        row.sector.data, row.share.data = sector.sector, sector.share


def _item_input(form: AidItemForm) -> services.ItemInput:
    donor_ids = [form.main_donor_id.data] if form.main_donor_id.data else []
    return services.ItemInput(
        fields=form_values(form, *services.ITEM_FIELDS),
        donor_ids=donor_ids + list(form.co_donor_ids.data or []),
        sectors=form.sector_pairs(),
        commune_codes=list(form.communes.data or []),
    )


def _dossier_page(item: AidItem | None):
    """The dossier form: a new dossier received, or one corrected before the decision."""
    form = AidItemForm(obj=item)
    _prepare_item_form(form, item)
    return record_form_page(
        item,
        form,
        "aid/form.html",
        create=services.create_item,
        update=services.update_item,
        data=_item_input,
        created=lambda saved: f"Đã tiếp nhận hồ sơ khoản viện trợ {saved.code}.",
        updated="Đã lưu thay đổi.",
        redirect_to=detail_url,
        item=item,
    )


@bp.route("/moi", methods=["GET", "POST"])
@requires(rules.manage_aid)
def new():
    return _dossier_page(None)


@bp.route("/<int:item_id>/sua", methods=["GET", "POST"])
@requires(rules.manage_aid)
def edit(item_id: int):
    item = get_or_404(AidItem, item_id)
    # 409 once decided (amendments instead); a GET then goes back to the item
    step_check(lambda: workflow.require(item, "edit", current_user), detail_url(item))
    return _dossier_page(item)


@bp.route("/<int:item_id>/luu-tru", methods=["POST"])
@requires(rules.manage_aid)
def archive(item_id: int):
    item = get_or_404(AidItem, item_id)
    return archive_action(
        item,
        services.archive_item,
        success=f"Đã lưu trữ khoản viện trợ {item.code}.",
        back=detail_url(item),
    )


@bp.route("/<int:item_id>/tep", methods=["POST"])
@requires(rules.manage_aid)
def attach(item_id: int):
    item = get_or_404(AidItem, item_id)
    form = AttachmentForm()
    return form_action(
        form,
        save=lambda: services.attach_file(item, **form_values(form), user=current_user),
        success=lambda stored: f"Đã đính kèm tệp {stored.filename}.",
        back=detail_url(item),
    )


# --- Detail -------------------------------------------------------------------------------


@bp.route("/<int:item_id>")
@requires(rules.read_registry)
def detail(item_id: int):
    item = get_or_404(AidItem, item_id)
    records = queries.item_records(item)  # first: the steps' guards read its loaded rows
    ready, blocked = workflow.available_actions(item, current_user)
    return render_template(
        "aid/detail.html",
        item=item,
        today=today_vn(),
        flow=workflow.AID_WORKFLOW,
        actions=ready,
        blocked_actions=blocked,
        archive_form=ArchiveForm(version=item.version),
        attachment_form=AttachmentForm(),
        follow_up_form=FollowUpForm(),
        scope_breaches=item_breaches(item.id),
        **records,
    )


# --- Opinions and the inbox ---------------------------------------------------------------


@bp.route("/y-kien/<int:opinion_id>", methods=["GET", "POST"])
@requires(rules.answer_opinion)
def answer(opinion_id: int):
    opinion = get_or_404(Opinion, opinion_id)
    rules.answer_opinion.require(current_user, opinion)
    item_url = detail_url(opinion.aid_item_id)
    step_check(lambda: services.require_open_opinion(opinion), item_url)  # Back after answering
    form = AnswerOpinionForm()
    if request.method == "GET":
        form.version.data = opinion.version
    return form_page(
        form,
        "aid/answer.html",
        save=lambda: services.answer_opinion(
            opinion, **form_values(form), user=current_user, version=form.version_number()
        ),
        success="Đã gửi ý kiến góp ý.",
        redirect_to=item_url,
        opinion=opinion,
    )


def _inbox(today, paged: bool = True) -> dict:
    """What waits for the user, filtered and sorted: the page and its export show the same."""
    args = inbox_args(aid_inbox.TITLES)
    return {
        "args": args,
        "boxes": aid_inbox.inbox_boxes(current_user, args, today, paged=paged),
        "kinds": aid_inbox.box_choices(current_user),
        "alerts": services.alerts(today) if rules.manage_aid.allows(current_user) else None,
    }


@bp.route("/viec-can-xu-ly")
@requires(rules.read_registry)
def inbox():
    today = today_vn()
    return render_template(
        "aid/inbox.html",
        today=today,
        alert_titles=exports.ALERT_TITLES,
        due_state=due_state,
        **_inbox(today),
    )


@bp.route("/viec-can-xu-ly/xuat.<any(xlsx, csv):fmt>")
@requires(rules.read_registry)
def inbox_export(fmt: str):
    """The boxes as filtered and sorted on the page, every row (not one page)."""
    today = today_vn()
    return exports.send_inbox(today, **_inbox(today, paged=False), fmt=fmt)
