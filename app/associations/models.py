"""Tables of the associations domain: friendship associations (hội hữu nghị), their
partner countries, yearly member counts and activity log (issue 13).

Countries are child rows of ISO 3166 alpha-2 codes (`association_country`,
`association_activity_country`), so the list filters by country with an indexed EXISTS on
both databases and the statistics count an activity once in each of its countries.
Membership of the provincial Union of Friendship Organisations (Liên hiệp các tổ chức hữu
nghị tỉnh) is data on the association: a flag and the date it joined.
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.associations.states import ActivityKind, AssociationStatus
from app.core.models import (
    ArchivableMixin,
    TimestampMixin,
    VersionedMixin,
    enum_type,
    record_code,
)
from app.core.text import fold
from app.extensions import db


def vnd_column(**kwargs):
    """An amount in whole đồng (Numeric, never float)."""
    return mapped_column(sa.Numeric(18, 0), **kwargs)


class Association(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    __tablename__ = "association"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    name_vi: Mapped[str | None] = mapped_column(sa.String(300))
    search_text: Mapped[str] = mapped_column(sa.String(700), default="", index=True)
    founding_decision_number: Mapped[str | None] = mapped_column(sa.String(60))
    founding_decision_date: Mapped[date | None] = mapped_column(sa.Date)
    leaders: Mapped[str | None] = mapped_column(sa.Text)
    address: Mapped[str | None] = mapped_column(sa.String(300))
    phone: Mapped[str | None] = mapped_column(sa.String(60))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(enum_type(AssociationStatus), index=True)
    union_member: Mapped[bool] = mapped_column(sa.Boolean, default=False, index=True)
    union_joined_on: Mapped[date | None] = mapped_column(sa.Date)
    notes: Mapped[str | None] = mapped_column(sa.Text)

    country_rows = relationship(
        "AssociationCountry",
        order_by="AssociationCountry.id",
        cascade="all, delete-orphan",
    )
    member_counts = relationship(
        "AssociationMemberCount",
        order_by="AssociationMemberCount.year.desc()",
        cascade="all, delete-orphan",
        back_populates="association",
    )

    @validates("code", "name", "name_vi")
    def _refresh_search_text(self, key, value):
        parts = {"code": self.code, "name": self.name, "name_vi": self.name_vi, key: value}
        self.search_text = fold(" ".join(p for p in parts.values() if p))[:700]
        return value

    @property
    def countries(self) -> list[str]:
        """The partner countries' alpha-2 codes, in the order entered."""
        return [row.country for row in self.country_rows]

    @property
    def status_label(self) -> str:
        return AssociationStatus(self.status).label

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.name_vi})" if self.name_vi else self.name

    def __str__(self) -> str:
        return self.display_name


class AssociationCountry(db.Model):
    """A partner country of an association (e.g. LA for Hội hữu nghị Việt Nam – Lào)."""

    __tablename__ = "association_country"
    __table_args__ = (sa.UniqueConstraint("association_id", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("association.id"), index=True)
    country: Mapped[str] = mapped_column(sa.String(2), index=True)


class AssociationMemberCount(TimestampMixin, db.Model):
    """The number of members an association reported for a year (one row per year)."""

    __tablename__ = "association_member_count"
    __table_args__ = (sa.UniqueConstraint("association_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("association.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    count: Mapped[int] = mapped_column(sa.Integer)

    association = relationship("Association", back_populates="member_counts")


class AssociationActivity(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    """One activity of an association: exchange, twinning, meeting, support or event."""

    __tablename__ = "association_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The activity's key in the registry workbook (HoatDongHoi.ma); generated when not given.
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, default=record_code("HD"))
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("association.id"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date, index=True)
    kind: Mapped[str] = mapped_column(enum_type(ActivityKind), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    partners: Mapped[str | None] = mapped_column(sa.Text)
    participants: Mapped[int | None] = mapped_column(sa.Integer)
    funds_vnd: Mapped[Decimal | None] = vnd_column()
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    aid_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    notes: Mapped[str | None] = mapped_column(sa.Text)

    association = relationship("Association")
    delegation = relationship("Delegation")
    aid_item = relationship("AidItem")
    country_rows = relationship(
        "AssociationActivityCountry",
        order_by="AssociationActivityCountry.id",
        cascade="all, delete-orphan",
    )

    @property
    def countries(self) -> list[str]:
        return [row.country for row in self.country_rows]

    @property
    def kind_label(self) -> str:
        return ActivityKind(self.kind).label


class AssociationActivityCountry(db.Model):
    """A country an activity involved (an activity counts once in each of its countries)."""

    __tablename__ = "association_activity_country"
    __table_args__ = (sa.UniqueConstraint("activity_id", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Named here: the convention's name would be 64 characters, over PostgreSQL's 63.
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("association_activity.id", name="fk_association_activity_country_activity"),
        index=True,
    )
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
