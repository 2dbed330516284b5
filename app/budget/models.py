"""Tables of the budget domain: a yearly budget line of an agency or an association
(proposal, allocation, finance's check), its spending entries and its workflow steps."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.budget import states
from app.budget.states import BudgetStatus, Verdict
from app.core.models import (
    ArchivableMixin,
    StepMixin,
    TimestampMixin,
    VersionedMixin,
    enum_type,
)
from app.extensions import db

LIVE = sa.text("archived_at IS NULL")


class BudgetLine(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    """One owner's budget for people-to-people diplomacy in one year. The owner is an
    agency (a user agency) or an association (managed by foreign-affairs officers):
    exactly one of the two."""

    __tablename__ = "budget_line"
    __table_args__ = (
        sa.CheckConstraint("(agency_id IS NULL) <> (association_id IS NULL)", name="one_owner"),
        sa.CheckConstraint("proposed_vnd >= 0", name="proposed_not_negative"),
        sa.CheckConstraint(
            "allocated_vnd IS NULL OR allocated_vnd >= 0", name="allocated_not_negative"
        ),
        # One live line per owner and year (archived ones are kept beside it).
        sa.Index(
            "uq_budget_line_year_agency",
            "year",
            "agency_id",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        sa.Index(
            "uq_budget_line_year_association",
            "year",
            "association_id",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    association_id: Mapped[int | None] = mapped_column(sa.ForeignKey("association.id"), index=True)
    status: Mapped[str] = mapped_column(enum_type(BudgetStatus), default=states.INITIAL, index=True)
    proposed_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    proposal_note: Mapped[str | None] = mapped_column(sa.Text)
    # The allocation: amount and decision (number, date), None until finance allocates.
    allocated_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    allocation_number: Mapped[str | None] = mapped_column(sa.String(60))
    allocation_date: Mapped[date | None] = mapped_column(sa.Date)
    # Finance's check of the spending.
    verdict: Mapped[str | None] = mapped_column(enum_type(Verdict))
    finance_remarks: Mapped[str | None] = mapped_column(sa.Text)
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    checked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    agency = relationship("Agency", lazy="joined")
    association = relationship("Association", lazy="joined")
    checked_by = relationship("User", foreign_keys=[checked_by_id])
    steps = relationship("BudgetLineStep", order_by="BudgetLineStep.id", lazy="select")

    @property
    def code(self) -> str:
        """How messages and the audit log name the line."""
        return f"NS{self.year}-{self.id}"

    @property
    def owner_name(self) -> str:
        owner = self.agency if self.agency_id is not None else self.association
        return owner.name if owner is not None else ""

    @property
    def owner_kind_label(self) -> str:
        return "Cơ quan, đơn vị" if self.agency_id is not None else "Hội hữu nghị"

    @property
    def status_label(self) -> str:
        return BudgetStatus(self.status).label

    @property
    def status_style(self) -> str:
        return states.STYLES[self.status]

    @property
    def verdict_label(self) -> str | None:
        return Verdict(self.verdict).label if self.verdict else None

    @property
    def verdict_style(self) -> str:
        return states.VERDICT_STYLES[self.verdict] if self.verdict else "secondary"

    @property
    def is_allocated(self) -> bool:
        return self.allocated_vnd is not None

    @property
    def owner_may_archive(self) -> bool:
        """The owner archives its own line only before the allocation."""
        return self.status in states.EDITABLE

    def __str__(self) -> str:
        return f"{self.owner_name} – năm {self.year}"


class BudgetLineStep(StepMixin, db.Model):
    """One step of a line's workflow (proposed, allocated, checked, ...)."""

    __tablename__ = "budget_line_step"

    budget_line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_line.id"), index=True)


class BudgetSpending(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    """A spending entry of a line: an activity paid in the line's year, whole đồng, with
    its document, linked to at most one association activity, course or delegation."""

    __tablename__ = "budget_spending"
    __table_args__ = (
        sa.CheckConstraint("amount_vnd > 0", name="amount_positive"),
        sa.CheckConstraint(
            "(CASE WHEN association_activity_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN training_course_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN delegation_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_link",
        ),
        # The line's totals (and the figures' scan) read these columns only.
        sa.Index("ix_budget_spending_line_totals", "line_id", "archived_at", "spent_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_line.id"), index=True)
    spent_on: Mapped[date] = mapped_column(sa.Date, index=True)
    amount_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    document_number: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(500))
    association_activity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("association_activity.id"), index=True
    )
    training_course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("training_course.id"), index=True
    )
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    # Confirmed by the clerk although it took the line above its allocation.
    over_allocation: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    line = relationship(BudgetLine, lazy="joined")
    recorded_by = relationship("User")
