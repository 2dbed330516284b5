"""Reading aid items: the list's filters and query, the inboxes and their conditions (the
home page's counts and the follow-up alerts are in services/watch.py). Nothing here
writes."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy.orm import contains_eager, lazyload, selectinload

from app.aid import states, workflow
from app.aid.models import (
    AidDonor,
    AidItem,
    AidLocation,
    AidReport,
    AidSector,
    Decision,
    Disbursement,
    Inspection,
    Opinion,
    WorkflowStep,
)
from app.aid.notices import AidNotice
from app.aid.regimes import opinions_optional
from app.aid.services import money
from app.aid.services.follow_up import disbursement_totals
from app.aid.services.money import over_disbursed_condition
from app.aid.services.schedule import schedule
from app.auth.models import Agency, AgencyDuty, Duty
from app.core import attachments
from app.core.dates import today_vn
from app.core.models import Commune
from app.core.text import search_condition
from app.extensions import db
from app.orgs.models import Organization


@dataclass
class ItemFilters:
    q: str = ""
    status: str = ""
    year: int | None = None
    donor: int | None = None
    country: str = ""
    sector: str = ""
    commune: str = ""
    modality: str = ""
    overdue: bool = False
    over_disbursed: bool = False
    delayed: bool = False
    archived: bool = False


def overdue_condition(today: date):
    """In the procedure past the appraisal deadline, or with an opinion past its due date."""
    late_opinion = (
        db.select(Opinion.id)
        .where(Opinion.aid_item_id == AidItem.id, _is_open(), Opinion.due_on < today)
        .exists()
    )
    return db.and_(
        AidItem.status.in_(states.ON_THE_CLOCK),  # not while returned to its owner
        db.or_(AidItem.appraisal_due_on < today, late_opinion),
    )


def delayed_condition(today: date):
    """Behind its planned dates: started or ended later than planned, or approved and not
    started past the planned start, or in force past the planned end."""
    return db.or_(
        AidItem.actual_start_on > AidItem.start_on,
        AidItem.actual_end_on > AidItem.end_on,
        db.and_(
            AidItem.status == states.APPROVED_NOT_STARTED,
            AidItem.actual_start_on.is_(None),
            AidItem.start_on < today,
        ),
        db.and_(
            AidItem.status.in_(states.DECISION_IN_FORCE),
            AidItem.actual_end_on.is_(None),
            AidItem.end_on < today,
        ),
    )


# The model loads an item's collections with every item (lazy="selectin": one more query
# each per list of items). Pages that show only the items' own columns and main donor (the
# list, the inboxes, the alerts) leave them unloaded.
COLLECTIONS = ("donors", "sectors", "locations", "opinions")


def without_collections(*keep: str, path=None) -> list:
    """Loader options that leave the item's collections unloaded, except those in `keep`;
    `path` is the relationship the items come through (Opinion.aid_item), if any."""
    options = [lazyload(getattr(AidItem, name)) for name in COLLECTIONS if name not in keep]
    return [path.options(*options)] if path is not None else options


def summaries(query):
    """A query of items for a page that shows their own columns and main donor only."""
    return query.options(*without_collections())


def _has_child(model, *conditions):
    return db.select(model.id).where(model.aid_item_id == AidItem.id, *conditions).exists()


def items_query(filters: ItemFilters, today: date | None = None):
    """The select behind the list and its exports (same filters, same rows)."""
    today = today or today_vn()
    query = db.select(AidItem)
    if not filters.archived:
        query = query.where(AidItem.archived_at.is_(None))
    if (matches := search_condition(AidItem.search_text, filters.q)) is not None:
        query = query.where(matches)
    if filters.status:
        query = query.where(AidItem.status == filters.status)
    if filters.year:
        query = query.where(
            AidItem.decision_date >= date(filters.year, 1, 1),
            AidItem.decision_date < date(filters.year + 1, 1, 1),
        )
    if filters.donor:
        query = query.where(_has_child(AidDonor, AidDonor.organization_id == filters.donor))
    if filters.country:
        query = query.where(
            AidItem.main_donor_id.in_(
                db.select(Organization.id).where(Organization.country == filters.country)
            )
        )
    if filters.sector:
        query = query.where(_has_child(AidSector, AidSector.sector == filters.sector))
    if filters.commune:
        query = query.where(_has_child(AidLocation, AidLocation.commune_code == filters.commune))
    if filters.modality:
        query = query.where(AidItem.modality == filters.modality)
    if filters.overdue:
        query = query.where(overdue_condition(today))
    if filters.over_disbursed:
        query = query.where(over_disbursed_condition())
    if filters.delayed:
        query = query.where(delayed_condition(today))
    return query


def over_disbursed_ids(item_ids) -> set[int]:
    """Which of these items (a page of the list) are over-disbursed: one query."""
    ids = list(item_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            db.select(AidItem.id).where(AidItem.id.in_(ids), over_disbursed_condition())
        )
    )


# --- Inboxes -------------------------------------------------------------------------------


@dataclass
class InboxRow:
    item: AidItem
    task: str
    due_on: date | None
    overdue: bool


def _task_for(item: AidItem) -> str:
    if item.is_returned:
        return "Chờ chủ khoản viện trợ hoàn thiện hồ sơ"
    if item.waits_for_opinions:
        waiting = sum(1 for o in item.opinions if o.is_open)
        answered = sum(1 for o in item.opinions if o.verdict)
        if waiting:
            return f"Chờ ý kiến: {answered}/{answered + waiting} cơ quan đã trả lời"
        return "Đủ ý kiến: kết luận thẩm định"
    if item.status == states.INITIAL:
        if item.dossier_complete_on is None:
            return "Kiểm tra tính hợp lệ của hồ sơ"
        if opinions_optional(item):
            return "Thẩm định (không cần xin ý kiến)"
        return "Xin ý kiến các cơ quan"
    return "Trình và ghi quyết định phê duyệt hoặc không chấp thuận"


def _in_procedure():
    return db.and_(AidItem.status.in_(states.IN_PROCEDURE), AidItem.archived_at.is_(None))


def planning_inbox(today: date | None = None, limit: int = 200) -> list[InboxRow]:
    """Dossiers in the procedure, the most urgent first."""
    today = today or today_vn()
    items = db.session.scalars(
        db.select(AidItem)
        .options(*without_collections("opinions"))  # the task counts the opinions
        .where(_in_procedure())
        .order_by(AidItem.appraisal_due_on.is_(None), AidItem.appraisal_due_on, AidItem.id)
        .limit(limit)
    ).all()
    return [
        InboxRow(
            item,
            _task_for(item),
            item.appraisal_due_on,
            bool(item.appraisal_due_on and item.appraisal_due_on < today and not item.is_returned),
        )
        for item in items
    ]


def dossiers_in_procedure() -> int:
    """How many dossiers wait for the aid focal agency (received, not yet decided)."""
    return _count(db.select(AidItem.id).where(_in_procedure()))


def _is_open():
    return db.and_(Opinion.verdict.is_(None), Opinion.cancelled_at.is_(None))


def _waiting_opinions(agency_id: int):
    """The opinions an agency still has to give (the item still waits for them)."""
    return (
        db.select(Opinion)
        .join(AidItem, Opinion.aid_item_id == AidItem.id)
        .where(
            Opinion.agency_id == agency_id,
            _is_open(),
            AidItem.status == states.WAITING_FOR_OPINIONS,
            AidItem.archived_at.is_(None),
        )
    )


def opinions_for_agency(agency_id: int, limit: int = 200) -> list[Opinion]:
    """Opinions this agency still has to give, the earliest due first."""
    return db.session.scalars(
        _waiting_opinions(agency_id)
        .options(*without_collections(path=contains_eager(Opinion.aid_item)))
        .order_by(Opinion.due_on, Opinion.id)
        .limit(limit)
    ).all()


def _open_notices():
    """The notices after a decision not yet sent (app/aid/notices.py), of live items."""
    return (
        db.select(AidNotice)
        .join(AidItem, AidNotice.aid_item_id == AidItem.id)
        .where(AidNotice.done_on.is_(None), AidItem.archived_at.is_(None))
    )


def open_notices(limit: int = 200) -> list[AidNotice]:
    """The aid focal agency's notices to send, the earliest due first."""
    return db.session.scalars(
        _open_notices()
        .options(*without_collections(path=contains_eager(AidNotice.aid_item)))
        .order_by(AidNotice.due_on, AidNotice.id)
        .limit(limit)
    ).all()


def _count(query) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))


# --- The item's page and the forms' choices ------------------------------------------------


def item_records(item: AidItem) -> dict:
    """What the item's page lists beside the item: its steps, decisions, follow-up rows with
    their files, and the disbursed totals; one query each (the files in one query), the
    totals computed from the loaded disbursements."""

    def rows(model, *order):
        return db.session.scalars(
            db.select(model).where(model.aid_item_id == item.id).order_by(*order)
        ).all()

    reports = rows(AidReport, AidReport.received_on)
    decisions = rows(Decision, Decision.signed_on, Decision.id)
    disbursements = rows(Disbursement, Disbursement.disbursed_on, Disbursement.id)
    total_vnd, total, by_year = money.sums_of(item, disbursements)  # from the rows, no query
    workflow.know_reports(item, reports)  # the "complete" step's guard asks no query
    return {
        "steps": rows(WorkflowStep, WorkflowStep.at, WorkflowStep.id),
        "decisions": decisions,
        "disbursements": disbursements,
        "reports": reports,
        "inspections": rows(Inspection, Inspection.inspected_on, Inspection.id),
        "notices": rows(AidNotice, AidNotice.due_on, AidNotice.id),
        "totals": disbursement_totals(item, (total_vnd, total)),
        "plan": schedule(item, by_year),
        "files": _files(item, decisions, reports),
    }


def _files(item: AidItem, decisions, reports) -> dict:
    """The files of the item, its opinions, decisions and reports, in one query."""
    files = attachments.by_owners(
        {
            "opinion": [o.id for o in item.opinions],
            "decision": [d.id for d in decisions],
            "aid_report": [r.id for r in reports],
            "aid_item": [item.id],
        }
    )
    files["aid_item"] = files["aid_item"].get(item.id, [])
    return files


def donor_choices():
    """(id, code, name) of the organisations a dossier may name as donors."""
    return db.session.execute(
        db.select(Organization.id, Organization.code, Organization.name)
        .where(Organization.archived_at.is_(None))
        .order_by(Organization.code)
    ).all()


def province_communes():
    """The province's communes (the pickers' list), border communes flagged."""
    return db.session.execute(
        db.select(Commune.code, Commune.name, Commune.is_border)
        .where(Commune.province_code == current_app.config["PROVINCE_CODE"])
        .order_by(Commune.name_folded)
    ).all()


# The duties whose agencies are ticked on the opinion form by default.
CONSULTED_DUTIES = (Duty.FINANCE, Duty.POLICE, Duty.FOREIGN_AFFAIRS)


def consultable_agencies(user=None):
    """Agencies that may be asked for an opinion (any active one but the asking user's),
    those holding a consulted duty first."""
    consulted = Agency.duty_rows.any(AgencyDuty.duty.in_(CONSULTED_DUTIES))
    query = db.select(Agency).options(selectinload(Agency.duty_rows))
    query = query.where(Agency.active.is_(True))
    if user is not None:
        query = query.where(Agency.id != user.agency_id)
    return db.session.scalars(query.order_by(~consulted, Agency.name)).all()


def ticked_by_default(agency) -> bool:
    """Asked by default: a consulted duty, and not an aid focal agency (which asks)."""
    return agency.has(*CONSULTED_DUTIES) and not agency.has(Duty.AID_FOCAL)
