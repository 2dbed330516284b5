"""Agencies and users. Permissions follow the agency's kind and the user's role."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.models import TimestampMixin, VersionedMixin, enum_type, utcnow
from app.core.text import fold
from app.extensions import db


class AgencyKind(enum.StrEnum):
    PLANNING = "planning"
    FOREIGN_AFFAIRS = "foreign_affairs"
    POLICE = "police"
    FINANCE = "finance"
    LEADERSHIP = "leadership"
    OTHER = "other"

    @property
    def label(self) -> str:
        return AGENCY_KIND_LABELS[self]


AGENCY_KIND_LABELS = {
    AgencyKind.PLANNING: "Đầu mối quản lý viện trợ (Kế hoạch – Đầu tư / Tài chính)",
    AgencyKind.FOREIGN_AFFAIRS: "Ngoại vụ",
    AgencyKind.POLICE: "Công an tỉnh",
    AgencyKind.FINANCE: "Tài chính",
    AgencyKind.LEADERSHIP: "Lãnh đạo tỉnh",
    AgencyKind.OTHER: "Đơn vị khác (đơn vị đón tiếp, xã, hội, đoàn thể)",
}


class Role(enum.StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Quản trị hệ thống",
    Role.OFFICER: "Cán bộ xử lý",
    Role.VIEWER: "Người xem",
}


class Agency(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(sa.String(60))
    kind: Mapped[AgencyKind] = mapped_column(enum_type(AgencyKind), index=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    users = relationship("User", back_populates="agency", lazy="raise")

    def __str__(self) -> str:
        return self.name


class AuthAudit:
    """Audit action names of logins, users and agencies."""

    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGIN_LOCKED = "auth.login_locked"  # refused: the account is locked
    ACCOUNT_LOCKED = "auth.account_locked"
    ADDRESS_LOCKED = "auth.address_locked"
    LOGOUT = "auth.logout"
    PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 - an action name
    SESSIONS_ENDED = "user.sessions_ended"
    LOGIN_UNLOCKED = "user.login_unlocked"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    AGENCY_CREATE = "agency.create"
    AGENCY_UPDATE = "agency.update"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    full_name_folded: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    email: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # What the session and the remember-me cookie hold instead of the id: rotating it ends
    # every session of the user at once (logout, password change, deactivation, admin).
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, index=True, default=new_session_token
    )

    agency: Mapped[Agency] = relationship(back_populates="users", lazy="joined")

    @validates("full_name")
    def _fold_name(self, _key, value):
        self.full_name_folded = fold(value)
        return value

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:  # Flask-Login's "alternative token"
        return self.session_token

    def end_sessions(self) -> None:
        self.session_token = new_session_token()

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot log in
        return bool(self.active and self.agency.active)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def agency_kind(self) -> AgencyKind:
        return self.agency.kind

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})"


class LoginFailure(db.Model):
    """One failed login, counted per account and per address for throttling (in the
    database, so every web worker sees the same counts). Old rows are pruned: the audit log
    keeps the history."""

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_username_at", "username", "at"),
        sa.Index("ix_login_failure_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(sa.String(80))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    # A success or an administrator's unlock clears the account's count, not the address's.
    cleared: Mapped[bool] = mapped_column(sa.Boolean, default=False)
