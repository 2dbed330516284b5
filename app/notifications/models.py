"""Tables of the notifications domain: a notification for an agency (or one of its users),
and who has read it. Nothing is deleted: a notification stays, read or not."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import enum_type, utcnow
from app.extensions import db
from app.notifications.states import STYLES, NotificationKind


class Notification(db.Model):
    """Something that waits for an agency: every user of `agency_id` sees it, or only
    `user_id` when set (a job they started). `record_type`/`record_id` name the record it
    is about (an audited table's name), `link` the path of its page (without the script
    root). `dedupe_key` makes a daily pass idempotent (unique when set)."""

    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_agency_created", "agency_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(enum_type(NotificationKind), index=True)
    record_type: Mapped[str | None] = mapped_column(sa.String(60))
    record_id: Mapped[int | None] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(500))
    link: Mapped[str | None] = mapped_column(sa.String(500))
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, index=True
    )

    @property
    def kind_label(self) -> str:
        return NotificationKind(self.kind).label

    @property
    def kind_style(self) -> str:
        return STYLES[NotificationKind(self.kind)]


class NotificationRead(db.Model):
    """One user has read one notification (read/unread is per user)."""

    __tablename__ = "notification_read"
    __table_args__ = (sa.UniqueConstraint("notification_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notification.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    read_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
