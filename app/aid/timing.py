"""An aid item's period: the planned dates (the dossier's, amended by decisions) and the
actual ones (recorded by the "start" and "complete" steps), and the delays between them."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.aid import states


class PeriodMixin:
    """Planned and actual start and end of an item; the planned dates are never overwritten
    by the steps, so the delay shows."""

    start_on: Mapped[date | None] = mapped_column(sa.Date)  # planned
    end_on: Mapped[date | None] = mapped_column(sa.Date)  # planned
    actual_start_on: Mapped[date | None] = mapped_column(sa.Date)
    actual_end_on: Mapped[date | None] = mapped_column(sa.Date)

    @property
    def is_completed(self) -> bool:
        """Completed: money recorded afterwards is a correction (app.aid.services)."""
        return self.status == states.COMPLETED

    @property
    def actual_start_text(self) -> str:
        """The actual start for the item page: its date, or why there is none (an item
        imported as running may have no recorded start)."""
        if self.actual_start_on is not None:
            return f"{self.actual_start_on:%d/%m/%Y}"
        if self.status == states.APPROVED_NOT_STARTED or not self.is_approved_or_later:
            return "chưa bắt đầu"
        return "chưa ghi ngày bắt đầu thực tế"

    def start_delay(self, today: date) -> int | None:
        """Days the start is late against the planned start: the actual start's lateness,
        or, while approved and not started, the days since the planned start."""
        if self.start_on is None:
            return None
        if self.actual_start_on is not None:
            late = (self.actual_start_on - self.start_on).days
        elif self.status == states.APPROVED_NOT_STARTED:
            late = (today - self.start_on).days
        else:
            return None
        return late if late > 0 else None

    def end_delay(self, today: date) -> int | None:
        """Days the end is late against the planned end: the actual end's lateness, or,
        while the decision is in force, the days since the planned end."""
        if self.end_on is None:
            return None
        if self.actual_end_on is not None:
            late = (self.actual_end_on - self.end_on).days
        elif self.status in states.DECISION_IN_FORCE:
            late = (today - self.end_on).days
        else:
            return None
        return late if late > 0 else None
