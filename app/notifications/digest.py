"""The daily digest (`flask notify digest`): each active user with an e-mail address gets
the notifications of the last day they have not read, in one plain-text mail. Mail is off
unless MAIL_ENABLED: then the digest only says what it would send. Sent with smtplib."""

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app

from app.auth.models import Agency, User
from app.core.dates import format_datetime
from app.core.models import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import unread_by, visible_to

SUBJECT = "Thông báo chưa đọc – Hệ thống quản lý viện trợ và đoàn nước ngoài"


@dataclass
class Digest:
    user: User
    notifications: list[Notification]

    def message(self, config) -> EmailMessage:
        base = config.get("MAIL_BASE_URL") or ""
        lines = [
            f"Kính gửi {self.user.full_name},",
            "",
            f"Trong ngày qua có {len(self.notifications)} thông báo anh/chị chưa đọc:",
            "",
        ]
        for notification in self.notifications:
            lines.append(
                f"- [{notification.kind_label}] {notification.title} "
                f"({format_datetime(notification.created_at)})"
            )
            if notification.link:
                lines.append(f"  {base}{notification.link}")
        lines += ["", "Thư này được gửi tự động; vui lòng không trả lời."]
        message = EmailMessage()
        message["Subject"] = SUBJECT
        message["From"] = config["MAIL_SENDER"]
        message["To"] = self.user.email
        message.set_content("\n".join(lines))
        return message


def digests(now: datetime | None = None) -> list[Digest]:
    """One digest per active user with an e-mail address and unread notifications of the
    last 24 hours (one query per such user)."""
    since = (now or utcnow()) - timedelta(days=1)
    users = db.session.scalars(
        db.select(User)
        .join(Agency, User.agency_id == Agency.id)
        .where(
            User.active.is_(True),
            Agency.active.is_(True),
            User.email.is_not(None),
            User.email != "",
        )
        .order_by(User.id)
    ).all()
    found = []
    for user in users:
        rows = db.session.scalars(
            db.select(Notification)
            .where(visible_to(user), unread_by(user), Notification.created_at >= since)
            .order_by(Notification.created_at, Notification.id)
        ).all()
        if rows:
            found.append(Digest(user, list(rows)))
    return found


def send_digests(now: datetime | None = None, echo=print) -> tuple[int, bool]:
    """(how many digests, whether mail was sent). With mail off, each digest is printed."""
    config = current_app.config
    found = digests(now)
    if not config["MAIL_ENABLED"]:
        for digest in found:
            echo(f"[MAIL_ENABLED=0] Sẽ gửi tới {digest.user.email}:")
            echo(digest.message(config).get_content())
        return len(found), False
    if not found:
        return 0, True
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_STARTTLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        for digest in found:
            smtp.send_message(digest.message(config))
    return len(found), True
