"""Use cases of the plan report. Services flush; the view commits once.

Writes follow the house convention (docs/architecture.md): permission (403), then the data
(422, every broken rule at once), then the state (409) and the write with its audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.auth.models import Agency, AgencyDuty, Duty
from app.core import audit
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.dates import today_vn
from app.core.errors import FieldError, StaleObjectError
from app.core.models import utcnow
from app.extensions import db
from app.planreport import plan_items, states, workflow
from app.planreport.models import (
    PlanContribution,
    PlanReport,
    PlanReportAgency,
    period_key,
    period_label,
)
from app.planreport.states import HALF_YEAR, YEAR, PlanReportAudit

TEXT_LIMIT = 20_000  # characters of one item's text
FIRST_YEAR = 2000
FUTURE_YEARS = 1


@dataclass
class ReportData:
    """What the report's form sends."""

    period_kind: str | None
    year: int | None
    half: int | None
    deadline: date | None
    agency_ids: list[int] = field(default_factory=list)


# --- Choices ----------------------------------------------------------------------------


def agency_choices() -> list[tuple[int, str]]:
    """Active agencies that may be asked, by name."""
    rows = db.session.execute(
        sa.select(Agency.id, Agency.name).where(Agency.active.is_(True)).order_by(Agency.name)
    )
    return [(row.id, row.name) for row in rows]


def default_agency_ids() -> list[int]:
    """Every active agency holding a duty other than leadership (the default asked)."""
    other_duty = sa.select(AgencyDuty.agency_id).where(AgencyDuty.duty != Duty.LEADERSHIP)
    return list(
        db.session.scalars(
            sa.select(Agency.id)
            .where(Agency.active.is_(True), Agency.id.in_(other_duty))
            .order_by(Agency.name)
        )
    )


def year_range() -> tuple[int, int]:
    return FIRST_YEAR, today_vn().year + FUTURE_YEARS


# --- Checks -----------------------------------------------------------------------------


def _check_report(data: ReportData, report: PlanReport | None = None) -> None:
    errors = {}
    if data.period_kind not in (HALF_YEAR, YEAR):
        errors["period_kind"] = "Vui lòng chọn kỳ báo cáo (6 tháng hoặc năm)."
    low, high = year_range()
    if data.year is None:
        errors["year"] = "Vui lòng nhập năm."
    elif not low <= data.year <= high:
        errors["year"] = f"Năm báo cáo phải từ {low} đến {high}."
    if data.period_kind == HALF_YEAR and data.half not in (1, 2):
        errors["half"] = "Vui lòng chọn 6 tháng đầu năm hoặc 6 tháng cuối năm."
    if data.deadline is None:
        errors["deadline"] = "Vui lòng nhập hạn gửi đóng góp."
    if not data.agency_ids:
        errors["agencies"] = "Vui lòng chọn ít nhất một cơ quan được đề nghị đóng góp."
    else:
        known = set(
            db.session.scalars(
                sa.select(Agency.id).where(Agency.id.in_(data.agency_ids), Agency.active.is_(True))
            )
        )
        if set(data.agency_ids) - known:
            errors["agencies"] = "Có cơ quan không tồn tại hoặc đã ngừng hoạt động."
    if report is not None and "agencies" not in errors:
        written = set(
            db.session.scalars(
                sa.select(PlanContribution.agency_id).where(PlanContribution.report_id == report.id)
            )
        )
        dropped = written - set(data.agency_ids)
        if dropped:
            names = db.session.scalars(sa.select(Agency.name).where(Agency.id.in_(dropped)))
            errors["agencies"] = (
                "Không thể bỏ cơ quan đã đóng góp nội dung: " + ", ".join(sorted(names)) + "."
            )
    if not errors:
        key = period_key(data.period_kind, data.year, _half(data))
        taken = db.session.scalar(
            sa.select(PlanReport.id).where(
                PlanReport.period_key == key,
                PlanReport.id != (report.id if report else -1),
            )
        )
        if taken:
            label = period_label(data.period_kind, data.year, _half(data))
            errors["year"] = f"Đã có báo cáo kế hoạch cho kỳ {label}."
    if errors:
        raise FieldError.many(errors)


def _half(data: ReportData) -> int | None:
    return data.half if data.period_kind == HALF_YEAR else None


def _check_text(text: str | None, name: str, *, required: bool) -> str | None:
    value = (text or "").strip()
    if required and not value:
        return "Vui lòng nhập nội dung."
    if len(value) > TEXT_LIMIT:
        return f"Nội dung không được dài quá {TEXT_LIMIT:,} ký tự.".replace(",", ".")
    return None


def _snapshot(report: PlanReport) -> dict:
    return {
        "period": report.period_key,
        "deadline": report.deadline.isoformat(),
        "agencies": sorted(report.asked_agency_ids),
    }


# --- Writes -----------------------------------------------------------------------------


def create_report(data: ReportData, *, user) -> PlanReport:
    """Open a report for a period (as a draft): its deadline and the agencies asked."""
    rules.manage_plan_reports.require(user)
    _check_report(data)
    half = _half(data)
    report = PlanReport(
        period_kind=data.period_kind,
        year=data.year,
        half=half,
        period_key=period_key(data.period_kind, data.year, half),
        deadline=data.deadline,
        status=states.INITIAL,
        consolidated={},
        created_by_id=user.id,
    )
    report.asked = [PlanReportAgency(agency_id=i) for i in sorted(set(data.agency_ids))]
    db.session.add(report)
    workflow.WORKFLOW.record_start(report, user)
    audit.record(
        PlanReportAudit.CREATE,
        report,
        user=user,
        summary=f"Mở báo cáo kế hoạch: {report.code}",
        changes={k: [None, v] for k, v in _snapshot(report).items()},
    )
    return report


def update_report(report: PlanReport, data: ReportData, *, user, version: int | None):
    """Change the period, the deadline or the agencies asked (not once final)."""
    workflow.WORKFLOW.require_rule(report, "edit", user)
    _check_report(data, report)
    check_version(report, version)
    workflow.require(report, "edit", user)
    before = _snapshot(report)
    half = _half(data)
    report.period_kind, report.year, report.half = data.period_kind, data.year, half
    report.period_key = period_key(data.period_kind, data.year, half)
    report.deadline = data.deadline
    wanted = set(data.agency_ids)
    kept = [row for row in report.asked if row.agency_id in wanted]
    added = sorted(wanted - {row.agency_id for row in kept})
    report.asked = kept + [PlanReportAgency(agency_id=i) for i in added]
    report.updated_at = utcnow()  # the version moves even if only the agencies changed
    db.session.flush()
    changes = audit.diff(before, _snapshot(report))
    audit.record(
        PlanReportAudit.UPDATE,
        report,
        user=user,
        summary=f"Sửa báo cáo kế hoạch: {report.code}",
        changes=changes or None,
    )
    return report


def open_report(report: PlanReport, *, user, version: int | None = None) -> PlanReport:
    """Send the request to the asked agencies: their inboxes show the report."""
    workflow.WORKFLOW.require_rule(report, "open", user)
    if version is not None:
        check_version(report, version)
    with workflow.step(report, "open", user, f"Hạn đóng góp {report.deadline:%d/%m/%Y}"):
        pass
    return report


def finalize_report(report: PlanReport, *, user, version: int | None = None) -> PlanReport:
    """Mark the consolidated report final: nothing may change any more."""
    workflow.WORKFLOW.require_rule(report, "finalize", user)
    if version is not None:
        check_version(report, version)
    with workflow.step(report, "finalize", user):
        report.finalized_at = utcnow()
        report.finalized_by_id = user.id
    return report


def consolidate(report: PlanReport, texts: dict[int, str | None], *, user, version: int | None):
    """Foreign affairs' consolidated text for each plan item."""
    workflow.WORKFLOW.require_rule(report, "consolidate", user)
    errors = {
        f"item_{n}": message
        for n in plan_items.NUMBERS
        if (message := _check_text(texts.get(n), f"item_{n}", required=False))
    }
    if errors:
        raise FieldError.many(errors)
    check_version(report, version)
    workflow.require(report, "consolidate", user)
    before = dict(report.consolidated or {})
    after = {str(n): (texts.get(n) or "").strip() for n in plan_items.NUMBERS}
    changes = {
        f"item_{key}": [before.get(key, ""), value]
        for key, value in after.items()
        if before.get(key, "") != value
    }
    if not changes:
        return report
    report.consolidated = after
    db.session.flush()
    audit.record(
        PlanReportAudit.CONSOLIDATE,
        report,
        user=user,
        summary=f"Tổng hợp nội dung báo cáo kế hoạch: {report.code}",
        changes=changes,
    )
    return report


def contribution(report: PlanReport, agency_id: int, item_no: int) -> PlanContribution | None:
    return db.session.scalar(
        sa.select(PlanContribution).where(
            PlanContribution.report_id == report.id,
            PlanContribution.agency_id == agency_id,
            PlanContribution.item_no == item_no,
        )
    )


def contribute(
    report: PlanReport, item_no: int, text: str | None, *, user, version: int | None
) -> PlanContribution:
    """The user's agency writes (or rewrites) its text for one plan item. After the deadline
    it is still taken, marked late; once the report is final it is refused (409).

    `version`: the contribution's version the form showed (0 or None for a first text)."""
    workflow.WORKFLOW.require_rule(report, "contribute", user)
    if item_no not in plan_items.BY_NUMBER:
        raise FieldError("text", "Mục kế hoạch không tồn tại.")
    if message := _check_text(text, "text", required=True):
        raise FieldError("text", message)
    workflow.require(report, "contribute", user)
    row = contribution(report, user.agency_id, item_no)
    if row is not None and version != row.version:
        raise StaleObjectError()
    if row is None and version not in (None, 0):
        raise StaleObjectError()
    late = today_vn() > report.deadline
    old = row.text if row is not None else None
    if row is None:
        row = PlanContribution(report_id=report.id, agency_id=user.agency_id, item_no=item_no)
        db.session.add(row)
    row.text = text.strip()
    row.submitted_at = utcnow()
    row.submitted_by_id = user.id
    row.is_late = late
    db.session.flush()
    audit.record(
        PlanReportAudit.CONTRIBUTE,
        row,
        user=user,
        summary=f"Đóng góp mục {item_no} báo cáo kế hoạch {report.code}"
        + (" (sau hạn)" if late else ""),
        changes={"report": report.id, "item": item_no, "text": [old, row.text], "late": late},
    )
    return row


def fold_for_merge(source_id: int, target_id: int, *, user=None, username=None) -> int:
    """Before agency `source` is merged into `target` (app.auth.services.merge_agencies):
    a report that asked both asks the remaining agency once (the source's request row goes:
    it is a link, not a record), and where both wrote the same item of a report, the
    source's text is added to the target's (under the source's name; late if either was)
    and the source's row goes, its text kept there and in the audit entry. The merge can
    then move every other row. Returns how many texts were folded."""
    asked_of_target = sa.select(PlanReportAgency.report_id).where(
        PlanReportAgency.agency_id == target_id
    )
    db.session.execute(
        sa.delete(PlanReportAgency).where(
            PlanReportAgency.agency_id == source_id,
            PlanReportAgency.report_id.in_(asked_of_target),
        )
    )
    source_rows = db.session.scalars(
        sa.select(PlanContribution).where(PlanContribution.agency_id == source_id)
    ).all()
    folded = 0
    for row in source_rows:
        target = contribution(row.report, target_id, row.item_no)
        if target is None:
            continue
        before = target.text
        name = row.agency.name
        target.text = f"{target.text}\n\n[{name}] {row.text}"
        target.is_late = target.is_late or row.is_late
        audit.record(
            PlanReportAudit.CONTRIBUTE,
            target,
            user=user,
            username=username,
            summary=f"Gộp đóng góp mục {row.item_no} của {name} (gộp cơ quan)",
            changes={"text": [before, target.text], "folded": row.text, "report": row.report_id},
        )
        db.session.delete(row)
        folded += 1
    db.session.flush()
    return folded


# --- Reads ------------------------------------------------------------------------------


def _sees_every_report(user) -> bool:
    from app.auth.models import Role

    return user.role == Role.ADMIN or user.agency.has(Duty.FOREIGN_AFFAIRS, Duty.LEADERSHIP)


def _asked_of(agency_id: int):
    return sa.select(PlanReportAgency.report_id).where(PlanReportAgency.agency_id == agency_id)


def visible_reports(user) -> list[PlanReport]:
    """The reports the user may read, newest period first."""
    query = sa.select(PlanReport).where(PlanReport.archived_at.is_(None))
    if not _sees_every_report(user):
        query = query.where(PlanReport.id.in_(_asked_of(user.agency_id)))
    return list(
        db.session.scalars(query.order_by(PlanReport.year.desc(), PlanReport.period_key.desc()))
    )


def _waiting_for(agency_id: int):
    """Collecting reports that asked the agency and have no text of it yet."""
    written = sa.select(PlanContribution.report_id).where(PlanContribution.agency_id == agency_id)
    return sa.select(PlanReport.id).where(
        PlanReport.archived_at.is_(None),
        PlanReport.status == states.COLLECTING,
        PlanReport.id.in_(_asked_of(agency_id)),
        PlanReport.id.not_in(written),
    )


def inbox_reports(user) -> list[tuple[PlanReport, int]]:
    """Collecting reports asked of the user's agency, with how many items it has written."""
    written = (
        sa.select(sa.func.count(PlanContribution.id))
        .where(
            PlanContribution.report_id == PlanReport.id,
            PlanContribution.agency_id == user.agency_id,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(PlanReport, written)
        .where(
            PlanReport.archived_at.is_(None),
            PlanReport.status == states.COLLECTING,
            PlanReport.id.in_(_asked_of(user.agency_id)),
        )
        .order_by(PlanReport.deadline, PlanReport.id)
    )
    return [(report, count) for report, count in rows]


def _count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


def inbox_counts(user) -> list[tuple]:
    """What waits for this user in the plan reports, for the home page."""
    tasks = []
    if rules.contribute_plan_report.allows(user):
        waiting = _count(_waiting_for(user.agency_id))
        tasks.append(("Báo cáo kế hoạch cần đóng góp", waiting, "planreport.inbox", {}))
    if rules.manage_plan_reports.allows(user):
        collecting = _count(
            sa.select(PlanReport.id).where(
                PlanReport.archived_at.is_(None), PlanReport.status == states.COLLECTING
            )
        )
        tasks.append(
            ("Báo cáo kế hoạch đang thu thập đóng góp", collecting, "planreport.index", {})
        )
    return tasks


@dataclass
class AgencyProgress:
    agency: Agency
    written: int
    late: int


def report_contributions(report: PlanReport) -> list[PlanContribution]:
    """Every contribution of the report, by item then agency name (one query)."""
    return list(
        db.session.scalars(
            sa.select(PlanContribution)
            .join(Agency, Agency.id == PlanContribution.agency_id)
            .where(PlanContribution.report_id == report.id)
            .options(sa.orm.contains_eager(PlanContribution.agency))
            .order_by(PlanContribution.item_no, Agency.name)
        )
    )


def progress(report: PlanReport, contributions: list[PlanContribution]) -> list[AgencyProgress]:
    """Per asked agency: items written and how many of them after the deadline."""
    agencies = db.session.scalars(
        sa.select(Agency).where(Agency.id.in_(report.asked_agency_ids)).order_by(Agency.name)
    )
    result = []
    for agency in agencies:
        own = [c for c in contributions if c.agency_id == agency.id]
        result.append(AgencyProgress(agency, len(own), sum(1 for c in own if c.is_late)))
    return result


def sees_all_contributions(user, report: PlanReport) -> bool:
    """Foreign affairs, the leadership and administrators read every agency's texts; an
    asked agency reads its own."""
    return _sees_every_report(user)
