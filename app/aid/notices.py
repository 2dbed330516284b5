"""The notices after a decision (issue 12, point 9) as tasks of the aid focal agency: the
approval decision sent to the donor and to the ministries, its copy (with the agreement) to
the finance department for budget-revenue aid, the revocation notice to the donor.

The model of app/aid/models.py's family, kept in its own module (models.py is at its size
limit). The services are in app/aid/services/notices.py. Never deleted: a task is open
until marked done (date, document number, note).
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.aid.states import NoticeKind
from app.core.models import TimestampMixin, VersionedMixin, enum_type
from app.extensions import db


class AidNotice(TimestampMixin, VersionedMixin, db.Model):
    """One notice the aid focal agency must send after a decision, with its due date."""

    __tablename__ = "aid_notice"
    # The inbox reads the open tasks by due date.
    __table_args__ = (sa.Index("ix_aid_notice_open_due", "done_on", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decision.id"), index=True)
    kind: Mapped[str] = mapped_column(enum_type(NoticeKind))
    due_on: Mapped[date] = mapped_column(sa.Date)
    # The rule it follows, as shown when created: "5 ngày – Nghị định 80/2020/NĐ-CP, ...".
    rule: Mapped[str | None] = mapped_column(sa.String(300))
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    document_number: Mapped[str | None] = mapped_column(sa.String(60))
    note: Mapped[str | None] = mapped_column(sa.Text)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    aid_item = relationship("AidItem")
    decision = relationship("Decision")
    done_by = relationship("User")

    @property
    def label(self) -> str:
        return NoticeKind(self.kind).label

    @property
    def is_open(self) -> bool:
        return self.done_on is None

    def overdue(self, today: date) -> bool:
        return self.is_open and self.due_on < today
