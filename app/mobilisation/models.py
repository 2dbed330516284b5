"""Tables of the mobilisation domain: contacts with donors, the proposals sent to them
(with their communes) and the outcome, linked to the aid item that resulted."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.aid.models import Sector
from app.core.models import (
    ArchivableMixin,
    TimestampMixin,
    VersionedMixin,
    enum_type,
    record_code,
)
from app.core.text import fold
from app.extensions import db
from app.mobilisation import states
from app.mobilisation.states import ContactKind, ProposalOutcome


def search_text(*parts) -> str:
    """A contact's or proposal's folded search text (forms and the workbook alike)."""
    return fold(" ".join(p for p in parts if p))[:1200]


class MobilisationContact(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    """A contact with a donor: a meeting, a letter, a conference or a visit."""

    __tablename__ = "mobilisation_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The contact's key in the registry workbook (TiepXucVanDong.ma); generated when not given.
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, default=record_code("TX"))
    occurred_on: Mapped[date] = mapped_column(sa.Date, index=True)
    kind: Mapped[str] = mapped_column(enum_type(ContactKind), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    participants: Mapped[str] = mapped_column(sa.String(500))  # our side: who took part
    topic: Mapped[str] = mapped_column(sa.String(500))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    search_text: Mapped[str] = mapped_column(sa.String(1200), default="")
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    organization = relationship("Organization", lazy="joined")
    agency = relationship("Agency")

    @property
    def kind_label(self) -> str:
        return ContactKind(self.kind).label


class MobilisationProposal(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    """A proposal (đề xuất, concept note) sent to a donor, and the donor's answer."""

    __tablename__ = "mobilisation_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mobilisation_contact.id"), index=True
    )
    sent_on: Mapped[date] = mapped_column(sa.Date, index=True)
    sector: Mapped[str] = mapped_column(enum_type(Sector), index=True)
    # Requested value like an aid item's: amount in its currency, the rate, whole đồng.
    requested_value: Mapped[Decimal] = mapped_column(sa.Numeric(20, 2))
    currency: Mapped[str] = mapped_column(sa.String(3), default="VND")
    rate_vnd: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 6))  # None for VND
    requested_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    outcome: Mapped[str] = mapped_column(
        enum_type(ProposalOutcome), index=True, default=states.PENDING
    )
    outcome_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    # The pledged amount in the proposal's currency, and in đồng at the proposal's rate.
    pledged_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 2))
    pledged_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    aid_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    search_text: Mapped[str] = mapped_column(sa.String(1200), default="")
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    organization = relationship("Organization", lazy="joined")
    contact = relationship("MobilisationContact")
    aid_item = relationship("AidItem")
    agency = relationship("Agency")
    commune_rows = relationship(
        "MobilisationProposalCommune",
        order_by="MobilisationProposalCommune.commune_code",
        lazy="selectin",
        cascade="all, delete-orphan",
    )

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label

    @property
    def outcome_label(self) -> str:
        return ProposalOutcome(self.outcome).label

    @property
    def outcome_style(self) -> str:
        return states.OUTCOME_STYLES[str(self.outcome)]

    @property
    def commune_codes(self) -> list[str]:
        return [row.commune_code for row in self.commune_rows]


class MobilisationProposalCommune(db.Model):
    """A commune (code of the communes reference) the proposal is for."""

    __tablename__ = "mobilisation_proposal_commune"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "commune_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("mobilisation_proposal.id"), index=True)
    commune_code: Mapped[str] = mapped_column(sa.ForeignKey("commune.code"), index=True)

    commune = relationship("Commune", lazy="joined")
