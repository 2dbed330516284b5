"""Tables of the plan report: the periodic report on the plan for people-to-people
diplomacy (issue 13), the agencies asked to contribute, their texts by plan item, and the
report's steps.

- plan_report: one per period (a half-year or a year, `period_key` unique), with its
  deadline, status and the consolidated text of foreign affairs per plan item (JSON
  {"1": "...", ..., "7": "..."}); versioned (every change of settings or text bumps it).
- plan_report_agency: the agencies asked when the report was opened.
- plan_contribution: an asked agency's text for one plan item (one row per report, agency
  and item), versioned, with when and by whom it was last submitted and whether that was
  after the deadline.
- plan_report_step: the workflow's steps (opened, finalised).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import (
    ArchivableMixin,
    StepMixin,
    TimestampMixin,
    VersionedMixin,
    enum_type,
)
from app.extensions import db
from app.planreport import plan_items
from app.planreport.states import HALF_YEAR, STYLES, PeriodKind, PlanReportStatus


def period_key(kind: str, year: int, half: int | None) -> str:
    """The unique key of a period: 2026-H1, 2026-H2, 2026-Y."""
    return f"{year}-H{half}" if kind == HALF_YEAR else f"{year}-Y"


def period_bounds(kind: str, year: int, half: int | None) -> tuple[date, date]:
    """First and last day of a period: 01/01–30/06, 01/07–31/12 or the calendar year."""
    if kind == HALF_YEAR:
        return (
            (date(year, 1, 1), date(year, 6, 30))
            if half == 1
            else (date(year, 7, 1), date(year, 12, 31))
        )
    return date(year, 1, 1), date(year, 12, 31)


def period_label(kind: str, year: int, half: int | None) -> str:
    if kind == HALF_YEAR:
        return f"6 tháng {'đầu' if half == 1 else 'cuối'} năm {year}"
    return f"năm {year}"


class PlanReport(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    __tablename__ = "plan_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_kind: Mapped[str] = mapped_column(enum_type(PeriodKind, 10))
    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    half: Mapped[int | None] = mapped_column(sa.Integer)
    period_key: Mapped[str] = mapped_column(sa.String(10), unique=True)
    deadline: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(enum_type(PlanReportStatus), index=True)
    consolidated: Mapped[dict | None] = mapped_column(sa.JSON)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    finalized_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finalized_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    asked = relationship(
        "PlanReportAgency",
        order_by="PlanReportAgency.id",
        cascade="all, delete-orphan",
        back_populates="report",
    )
    created_by = relationship("User", foreign_keys=[created_by_id])
    finalized_by = relationship("User", foreign_keys=[finalized_by_id])

    @property
    def code(self) -> str:
        return f"BCKH-{self.period_key}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.year, self.half)

    @property
    def title(self) -> str:
        return f"Báo cáo thực hiện Kế hoạch đối ngoại nhân dân {self.period_label}"

    @property
    def bounds(self) -> tuple[date, date]:
        return period_bounds(self.period_kind, self.year, self.half)

    @property
    def status_label(self) -> str:
        return PlanReportStatus(self.status).label

    @property
    def status_style(self) -> str:
        return STYLES[PlanReportStatus(self.status)]

    @property
    def asked_agency_ids(self) -> set[int]:
        return {row.agency_id for row in self.asked}

    def consolidated_text(self, number: int) -> str:
        return (self.consolidated or {}).get(str(number), "")

    def __str__(self) -> str:
        return self.title


class PlanReportAgency(db.Model):
    """An agency asked to contribute to a report (chosen when the report is opened)."""

    __tablename__ = "plan_report_agency"
    __table_args__ = (sa.UniqueConstraint("report_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_report.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)

    report = relationship("PlanReport", back_populates="asked")
    agency = relationship("Agency")


class PlanContribution(TimestampMixin, VersionedMixin, db.Model):
    """An asked agency's text for one item of the plan."""

    __tablename__ = "plan_contribution"
    __table_args__ = (sa.UniqueConstraint("report_id", "agency_id", "item_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_report.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    item_no: Mapped[int] = mapped_column(sa.Integer)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    is_late: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    report = relationship("PlanReport")
    agency = relationship("Agency")
    submitted_by = relationship("User")

    @property
    def item(self) -> plan_items.PlanItem:
        return plan_items.item(self.item_no)


class PlanReportStep(StepMixin, db.Model):
    """One step of a plan report (opened for contributions, finalised)."""

    __tablename__ = "plan_report_step"

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_report.id"), index=True)
