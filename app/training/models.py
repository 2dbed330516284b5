"""Tables of the training domain: courses for people-to-people diplomacy staff, their
topics, and the trainees each agency sent (issue 13)."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core.models import ArchivableMixin, TimestampMixin, VersionedMixin, enum_type
from app.core.text import fold
from app.extensions import db
from app.training.states import TrainingAudit, TrainingTopic

__all__ = ["TrainingAttendance", "TrainingAudit", "TrainingCourse", "TrainingCourseTopic"]


class TrainingCourse(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    """A training course (khóa đào tạo, bồi dưỡng). It counts in the year of `start_on`.

    The organiser is an agency of the registry, a free text (a ministry, a foreign partner),
    or both. The cost is whole đồng; its budget line is named in `funding_source` (the budget
    domain links its spending entries to this table's id)."""

    __tablename__ = "training_course"
    __table_args__ = (sa.CheckConstraint("end_on >= start_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    search_text: Mapped[str] = mapped_column(sa.String(1000), default="", index=True)
    start_on: Mapped[date] = mapped_column(sa.Date, index=True)
    end_on: Mapped[date] = mapped_column(sa.Date)
    organiser_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    organiser_text: Mapped[str | None] = mapped_column(sa.String(300))
    place: Mapped[str | None] = mapped_column(sa.String(300))
    cost_vnd: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 0))
    funding_source: Mapped[str | None] = mapped_column(sa.String(300))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    organiser_agency = relationship("Agency", lazy="select")
    topic_rows: Mapped[list["TrainingCourseTopic"]] = relationship(
        order_by="TrainingCourseTopic.id", cascade="all, delete-orphan"
    )
    attendance_rows: Mapped[list["TrainingAttendance"]] = relationship(
        order_by="TrainingAttendance.id", back_populates="course", lazy="select"
    )

    @validates("code", "title", "organiser_text", "place")
    def _refresh_search_text(self, key, value):
        parts = {
            "code": self.code,
            "title": self.title,
            "organiser_text": self.organiser_text,
            "place": self.place,
            key: value,
        }
        self.search_text = fold(" ".join(p for p in parts.values() if p))[:1000]
        return value

    @property
    def topics(self) -> list[str]:
        """The topic keys, in the vocabulary's order."""
        order = list(TrainingTopic.labels())
        return sorted((str(row.topic.value) for row in self.topic_rows), key=order.index)

    @property
    def topic_labels(self) -> list[str]:
        return [TrainingTopic(key).label for key in self.topics]

    @property
    def organiser_display(self) -> str:
        """The organising agency's name and/or the free text, as one line."""
        parts = [self.organiser_agency.name if self.organiser_agency else None]
        parts.append(self.organiser_text)
        return " – ".join(p for p in parts if p)

    @property
    def live_attendance(self) -> list["TrainingAttendance"]:
        return [row for row in self.attendance_rows if not row.is_archived]

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"


class TrainingCourseTopic(db.Model):
    """One topic of a course (a course counts once in each of its topics)."""

    __tablename__ = "training_course_topic"
    __table_args__ = (sa.UniqueConstraint("course_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("training_course.id"), index=True)
    topic: Mapped[str] = mapped_column(enum_type(TrainingTopic), index=True)


class TrainingAttendance(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    """The trainees one agency sent to a course: how many, and their names where recorded
    (one per line; never more names than trainees). One live row per course and agency; a
    removed row is archived (kept as history), and adding the agency again makes a new row."""

    __tablename__ = "training_attendance"
    __table_args__ = (
        # One live row per course and agency; removed (archived) rows are history and may
        # repeat, so an agency merged into another can bring its rows along.
        sa.Index(
            "uq_training_attendance_live",
            "course_id",
            "agency_id",
            unique=True,
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        ),
        sa.CheckConstraint("trainee_count >= 1", name="trainee_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("training_course.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    trainee_count: Mapped[int] = mapped_column(sa.Integer)
    names: Mapped[str | None] = mapped_column(sa.Text)

    course: Mapped[TrainingCourse] = relationship(back_populates="attendance_rows")
    agency = relationship("Agency", lazy="select")

    @property
    def name_list(self) -> list[str]:
        return [line.strip() for line in (self.names or "").splitlines() if line.strip()]
