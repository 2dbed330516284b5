"""Models every domain uses: mixins, the audit log, attachments, communes."""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_type(enum_class, length: int = 30) -> sa.Enum:
    """A portable enum column storing the members' values ('planning'), checked on write."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


def record_code(prefix: str):
    """A default for the `code` of records users do not number themselves (an activity, a
    contact): unique, stable once stored, so the registry workbook can name the record."""

    def make() -> str:
        return f"{prefix}-{secrets.token_hex(4).upper()}"

    return make


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps `version`.

    Forms carry the version they were rendered with; services compare it before applying
    (see app.core.concurrency.check_version) so a stale form is refused, never applied.
    """

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class ArchivableMixin:
    """Nothing is hard-deleted: records are archived with who, when and why."""

    archived_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    archive_reason: Mapped[str | None] = mapped_column(sa.String(500))

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


def sync_children(current: list, key: str, model, wanted: list[dict]) -> list:
    """The child rows for `wanted` ({field: value} each), reusing the current row of each
    key, so a unique (parent, key) constraint never sees a transient duplicate."""
    existing = {getattr(row, key): row for row in current}
    rows = []
    for values in wanted:
        row = existing.get(values[key]) or model()
        for name, value in values.items():
            setattr(row, name, value)
        rows.append(row)
    return rows


class StepMixin:
    """A step of a record's workflow: who moved it, when, from which state, and why.

    Each domain's step table adds the foreign key to its record (see app.core.workflow).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    from_status: Mapped[str | None] = mapped_column(sa.String(30))
    to_status: Mapped[str] = mapped_column(sa.String(30))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    comment: Mapped[str | None] = mapped_column(sa.Text)

    @declared_attr
    def user(cls):
        return relationship("User", lazy="joined")


class AuditEntry(db.Model):
    """Append-only record of who did what, when, from where, with field diffs."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    username: Mapped[str | None] = mapped_column(sa.String(80))  # kept for failed logins
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(60), index=True)
    object_id: Mapped[str | None] = mapped_column(sa.String(60), index=True)
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    changes: Mapped[dict | None] = mapped_column(sa.JSON)

    user = relationship("User", lazy="joined")


class Attachment(TimestampMixin, ArchivableMixin, db.Model):
    """A file attached to a record; the bytes live under UPLOAD_DIR by content hash."""

    __tablename__ = "attachment"
    __table_args__ = (sa.Index("ix_attachment_owner", "owner_type", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(sa.String(60))
    owner_id: Mapped[int] = mapped_column(sa.Integer)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    uploaded_by = relationship("User")


class Commune(VersionedMixin, db.Model):
    """Commune-level unit (xã, phường, đặc khu) after the 2025 reform, from vietnam-provinces.

    Loaded by `flask reference load`; the border flag is the administrators' own data and
    survives reloads.
    """

    __tablename__ = "commune"

    code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_folded: Mapped[str] = mapped_column(sa.String(120), index=True)
    division_type: Mapped[str] = mapped_column(sa.String(30))
    province_code: Mapped[int] = mapped_column(sa.Integer, index=True)
    province_name: Mapped[str] = mapped_column(sa.String(120))
    is_border: Mapped[bool] = mapped_column(sa.Boolean, default=False, index=True)

    @property
    def label(self) -> str:
        return f"{self.name}, {self.province_name}"
