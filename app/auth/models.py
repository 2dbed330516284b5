"""Agencies and users. Permissions follow the duties the user's agency holds and the user's
role; the agency's `kind` is a legacy category that no permission reads (to be dropped)."""

import enum
import secrets
from datetime import date, datetime

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


class Duty(enum.StrEnum):
    """What an agency is in charge of; an agency holds one or several (issue 11)."""

    AID_FOCAL = "aid_focal"
    FINANCE = "finance"
    FOREIGN_AFFAIRS = "foreign_affairs"
    POLICE = "police"
    BORDER_GUARD = "border_guard"
    LEADERSHIP = "leadership"
    HOST = "host"
    INTERNAL_AFFAIRS = "internal_affairs"

    @property
    def label(self) -> str:
        return DUTY_LABELS[self][0]

    @property
    def description(self) -> str:
        return DUTY_LABELS[self][1]

    @classmethod
    def parse(cls, keys) -> set["Duty"]:
        """Duties from their keys; ValueError naming the unknown ones."""
        keys = [k.strip() for k in keys if k and k.strip()]
        unknown = [k for k in keys if k not in cls._value2member_map_]
        if unknown:
            raise ValueError(
                f"Nhiệm vụ không tồn tại: {', '.join(unknown)}. "
                f"Các nhiệm vụ hợp lệ: {', '.join(d.value for d in cls)}."
            )
        return {cls(k) for k in keys}


DUTY_LABELS = {
    Duty.AID_FOCAL: (
        "Đầu mối quản lý viện trợ",
        "Tiếp nhận, thẩm định hồ sơ; quản lý khoản viện trợ và nhà tài trợ.",
    ),
    Duty.FINANCE: ("Tài chính", "Cho ý kiến về tài chính (cơ chế tài chính, vốn đối ứng)."),
    Duty.FOREIGN_AFFAIRS: (
        "Ngoại vụ",
        "Tiếp nhận, thẩm định, phê duyệt hồ sơ đoàn; quản lý tổ chức tài trợ.",
    ),
    Duty.POLICE: (
        "Công an",
        "Ý kiến về an ninh, trật tự; giấy phép vào khu vực biên giới; xem dữ liệu cá nhân.",
    ),
    Duty.BORDER_GUARD: (
        "Bộ đội Biên phòng",
        "Nhận thông báo đoàn vào khu vực biên giới, xem danh sách thành viên của các đoàn đó.",
    ),
    Duty.LEADERSHIP: ("Lãnh đạo tỉnh", "Xem toàn bộ, kể cả các hồ sơ đang chờ quyết định."),
    Duty.HOST: ("Đơn vị đón tiếp", "Lập hồ sơ đoàn, thông báo và báo cáo kết quả đón đoàn."),
    Duty.INTERNAL_AFFAIRS: (
        "Nội vụ",
        "Đào tạo cán bộ, thành lập hội; được xin ý kiến như mọi cơ quan.",
    ),
}

# The duty each former kind became (migration of issue 11, `flask users create --kind`).
KIND_DUTY = {
    AgencyKind.PLANNING: Duty.AID_FOCAL,
    AgencyKind.FOREIGN_AFFAIRS: Duty.FOREIGN_AFFAIRS,
    AgencyKind.POLICE: Duty.POLICE,
    AgencyKind.FINANCE: Duty.FINANCE,
    AgencyKind.LEADERSHIP: Duty.LEADERSHIP,
    AgencyKind.OTHER: Duty.HOST,
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
    # A stable short code for commands and scripts (`flask agencies duties CODE`); optional.
    code: Mapped[str | None] = mapped_column(sa.String(30), unique=True, index=True)
    # The agency it belongs to ("Phòng Quản lý ngân sách" inside "Sở Tài chính").
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    kind: Mapped[AgencyKind] = mapped_column(enum_type(AgencyKind), index=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    users = relationship("User", back_populates="agency", lazy="raise")
    parent: Mapped["Agency | None"] = relationship(remote_side=[id], lazy="select")
    former_names: Mapped[list["AgencyName"]] = relationship(
        order_by="AgencyName.used_until", cascade="all, delete-orphan"
    )

    # Permission checks read the duties on every request: the user loader joins them into
    # its one query; lists that show them load them with selectinload. Elsewhere (an
    # opinion's agency, say) they are not loaded until read.
    duty_rows: Mapped[list["AgencyDuty"]] = relationship(
        cascade="all, delete-orphan", order_by="AgencyDuty.duty"
    )

    @property
    def duties(self) -> frozenset[Duty]:
        return frozenset(Duty(row.duty) for row in self.duty_rows)

    def has(self, *duties: Duty) -> bool:
        """Whether the agency holds any of the duties."""
        held = self.duties
        return any(duty in held for duty in duties)

    def set_duties(self, duties) -> None:
        """Hold exactly these duties (rows of the kept ones are reused)."""
        wanted = {Duty(d) for d in duties}
        self.duty_rows = [r for r in self.duty_rows if Duty(r.duty) in wanted] + [
            AgencyDuty(duty=d) for d in sorted(wanted - self.duties)
        ]

    def ancestors(self) -> list["Agency"]:
        """Its parent, the parent's parent, ... (nearest first)."""
        found, current = [], self.parent
        while current is not None and current not in found and len(found) < 50:
            found.append(current)
            current = current.parent
        return found

    @property
    def duty_keys(self) -> list[str]:
        return sorted(d.value for d in self.duties)

    @property
    def duties_text(self) -> str:
        """The duty keys, comma-separated (audit diffs, the CLI)."""
        return ", ".join(self.duty_keys)

    @property
    def duty_labels(self) -> list[str]:
        return [Duty(key).label for key in self.duty_keys]

    def __str__(self) -> str:
        return self.name


class AgencyName(db.Model):
    """A name an agency had before a rename, with the days it was used (until the rename)."""

    __tablename__ = "agency_name"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    used_from: Mapped[date | None] = mapped_column(sa.Date)  # None: since before the registry
    used_until: Mapped[date] = mapped_column(sa.Date)  # the day of the rename (exclusive)


class AgencyDuty(db.Model):
    """One duty held by one agency."""

    __tablename__ = "agency_duty"

    agency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True
    )
    duty: Mapped[Duty] = mapped_column(enum_type(Duty), primary_key=True, index=True)


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
    AGENCY_MERGE = "agency.merge"


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

    def has(self, *duties: Duty) -> bool:
        """Whether the user's agency holds any of the duties."""
        return self.agency.has(*duties)

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
