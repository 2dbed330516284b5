"""Tables of the documents domain: the versions of each document's template uploaded by
administrators (the default templates are files in app/documents/templates_docx/), and the
documents drafted from a record, with their sending."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, VersionedMixin, enum_type, utcnow
from app.documents.states import DocumentKind, OwnerType
from app.extensions import db


class DocumentTemplate(db.Model):
    """One uploaded version of a kind's template (version 1, 2, ...; the committed default is
    version 0 and has no row). Never deleted: a new upload becomes the active one, the older
    ones stay and may be made active again."""

    __tablename__ = "document_template"
    __table_args__ = (sa.UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(enum_type(DocumentKind, 40), index=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    attachment_id: Mapped[int] = mapped_column(sa.ForeignKey("attachment.id"))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    attachment = relationship("Attachment", lazy="joined")
    uploaded_by = relationship("User", lazy="joined")

    @property
    def kind_label(self) -> str:
        return DocumentKind(self.kind).label


class GeneratedDocument(TimestampMixin, VersionedMixin, db.Model):
    """A document drafted from a record (an aid item, a delegation, a year's aid report):
    who drafted it and when, from which template version, its draft file (an attachment of
    this row), and once the user says it was sent, the date, number and the copy kept as an
    attachment of the record."""

    __tablename__ = "generated_document"
    __table_args__ = (sa.Index("ix_generated_document_owner", "owner_type", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(enum_type(DocumentKind, 40))
    owner_type: Mapped[str] = mapped_column(enum_type(OwnerType, 40))
    owner_id: Mapped[int] = mapped_column(sa.Integer)
    drafted_on: Mapped[date] = mapped_column(sa.Date)
    generated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    template_version: Mapped[int] = mapped_column(sa.Integer, default=0)
    draft_attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachment.id"))
    sent_on: Mapped[date | None] = mapped_column(sa.Date)
    document_number: Mapped[str | None] = mapped_column(sa.String(60))
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachment.id"))

    generated_by = relationship("User", foreign_keys=[generated_by_id], lazy="joined")
    draft_attachment = relationship("Attachment", foreign_keys=[draft_attachment_id])
    attachment = relationship("Attachment", foreign_keys=[attachment_id])

    @property
    def kind_label(self) -> str:
        return DocumentKind(self.kind).label

    @property
    def is_sent(self) -> bool:
        return self.sent_on is not None
