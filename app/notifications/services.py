"""Notifications: who sees which, unread counts, marking read, and making new ones.

A notification belongs to an agency: every user of that agency sees it, unless it names
one user (a job they started), then only that user. Read/unread is per user (a
NotificationRead row), so a colleague still sees unread what one user has read.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.auth.models import Agency, AgencyDuty, Duty
from app.core.models import utcnow
from app.extensions import db
from app.notifications.models import Notification, NotificationRead
from app.notifications.states import NotificationKind


def path_for(endpoint: str, **values) -> str:
    """The path of a page (without the script root): services and commands have no
    request, so this builds it from the URL map alone. Pages add request.script_root."""
    anchor = values.pop("_anchor", None)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{path}#{anchor}" if anchor else path


def agencies_holding(*duties: Duty) -> list[int]:
    """Ids of the active agencies holding any of the duties."""
    return list(
        db.session.scalars(
            db.select(Agency.id)
            .join(AgencyDuty, AgencyDuty.agency_id == Agency.id)
            .where(AgencyDuty.duty.in_(duties), Agency.active.is_(True))
            .distinct()
            .order_by(Agency.id)
        )
    )


def notify(
    agency_id: int,
    kind: NotificationKind,
    title: str,
    *,
    record_type: str | None = None,
    record_id: int | None = None,
    link: str | None = None,
    user_id: int | None = None,
    dedupe_key: str | None = None,
    actor=None,
) -> Notification | None:
    """Add a notification (flushed). With a `dedupe_key` already used, nothing is added and
    None is returned (a daily pass run twice notifies once). An agency-wide notification
    is already read by its `actor` when the actor belongs to that agency (they did it)."""
    if dedupe_key and db.session.scalar(
        db.select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    ):
        return None
    notification = Notification(
        agency_id=agency_id,
        user_id=user_id,
        kind=NotificationKind(kind).value,
        record_type=record_type,
        record_id=record_id,
        title=title[:500],
        link=link,
        dedupe_key=dedupe_key,
        created_at=utcnow(),
    )
    db.session.add(notification)
    db.session.flush()
    if actor is not None and user_id is None and actor.agency_id == agency_id:
        db.session.add(NotificationRead(notification_id=notification.id, user_id=actor.id))
    return notification


# --- What a user sees -----------------------------------------------------------------------


def visible_to(user):
    """The notifications of the user's agency meant for everyone in it or for this user."""
    return db.and_(
        Notification.agency_id == user.agency_id,
        db.or_(Notification.user_id.is_(None), Notification.user_id == user.id),
    )


def unread_by(user):
    return ~(
        db.select(NotificationRead.id)
        .where(
            NotificationRead.notification_id == Notification.id,
            NotificationRead.user_id == user.id,
        )
        .exists()
    )


def unread_count(user) -> int:
    """The badge: one COUNT on the agency's index, whatever the number of notifications."""
    return db.session.scalar(
        db.select(db.func.count(Notification.id)).where(visible_to(user), unread_by(user))
    )


@dataclass
class NotificationFilters:
    unread: bool = False
    kind: str = ""


def notifications_query(filters: NotificationFilters, *, user):
    query = db.select(Notification).where(visible_to(user))
    if filters.unread:
        query = query.where(unread_by(user))
    if filters.kind in NotificationKind.labels():
        query = query.where(Notification.kind == filters.kind)
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def read_ids(notifications: list[Notification], user) -> set[int]:
    """Which of these notifications the user has read (one query for a page)."""
    if not notifications:
        return set()
    return set(
        db.session.scalars(
            db.select(NotificationRead.notification_id).where(
                NotificationRead.user_id == user.id,
                NotificationRead.notification_id.in_([n.id for n in notifications]),
            )
        )
    )


def get_visible(notification_id: int, user) -> Notification | None:
    """The notification if the user may see it (another agency's: None, a 404)."""
    return db.session.scalar(
        db.select(Notification).where(Notification.id == notification_id, visible_to(user))
    )


def mark_read(notification: Notification, *, user) -> bool:
    """Mark one notification read for this user; False if it already was."""
    already = db.session.scalar(
        db.select(NotificationRead.id).where(
            NotificationRead.notification_id == notification.id,
            NotificationRead.user_id == user.id,
        )
    )
    if already:
        return False
    db.session.add(NotificationRead(notification_id=notification.id, user_id=user.id))
    db.session.flush()
    return True


def mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read, in one INSERT ... SELECT."""
    unread = db.select(
        Notification.id, sa.literal(user.id), sa.literal(utcnow(), sa.DateTime(timezone=True))
    ).where(visible_to(user), unread_by(user))
    inserted = db.session.scalars(
        sa.insert(NotificationRead)
        .from_select(["notification_id", "user_id", "read_at"], unread)
        .returning(NotificationRead.id)  # counted (rowcount is -1 on PostgreSQL's driver)
    ).all()
    db.session.flush()
    return len(inserted)
