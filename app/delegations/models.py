"""Delegations in (đoàn vào) and out (đoàn ra), their members, itinerary and reviews.

Coded values use the keys of the registry workbook (spec/interchange.md, sheets Doan and
ThanhVien).
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core.enums import labelled
from app.core.models import (
    ArchivableMixin,
    StepMixin,
    TimestampMixin,
    VersionedMixin,
    enum_type,
    utcnow,
)
from app.core.text import fold, trigram_index
from app.delegations import states
from app.delegations.states import DelegationStatus
from app.extensions import db

Direction = labelled("Direction", {"vao": "Đoàn vào", "ra": "Đoàn ra"})

Purpose = labelled(
    "Purpose",
    {
        "khao_sat": "Khảo sát",
        "giam_sat_du_an": "Giám sát dự án",
        "hop_tac": "Làm việc, hợp tác",
        "hoi_nghi": "Hội nghị, tập huấn",
        "nhan_dao": "Nhân đạo, từ thiện",
        "khac": "Khác",
    },
)

Funding = labelled(
    "Funding",
    {"ngan_sach": "Ngân sách nhà nước", "nha_tai_tro": "Nhà tài trợ", "tu_tuc": "Tự túc"},
)

Sex = labelled("Sex", {"nam": "Nam", "nu": "Nữ", "khac": "Khác"})

PassportType = labelled(
    "PassportType", {"pho_thong": "Phổ thông", "cong_vu": "Công vụ", "ngoai_giao": "Ngoại giao"}
)

ReviewerKind = labelled(
    "ReviewerKind",
    {"foreign_affairs": "Thẩm định của cơ quan ngoại vụ", "police": "Ý kiến an ninh, trật tự"},
)

Verdict = labelled(
    "Verdict",
    {
        "dong_y": "Đồng ý",
        "dong_y_co_dieu_kien": "Đồng ý có điều kiện",
        "khong_dong_y": "Không đồng ý",
    },
)


def normalize_passport(number: str | None) -> str | None:
    """Passport numbers are stored upper-case without spaces (" a123 45 " -> "A12345")."""
    if number is None:
        return None
    cleaned = "".join(number.split()).upper()
    return cleaned or None


# The inbox's boxes and alerts (issue 15): each walks the live delegations of a status (or
# the border ones) in the order of the date it sorts or filters by, and counts them from the
# index alone. Migration e0b2c4d6f8a9 creates them.
LIVE_ROWS = sa.text("archived_at IS NULL")
INBOX_INDEXES = {
    "ix_delegation_inbox_start": ("status", "start_on", "id"),
    "ix_delegation_inbox_report": ("status", "report_due_on", "id"),
    "ix_delegation_inbox_end": ("status", "end_on"),
    "ix_delegation_inbox_border": ("is_border_area", "start_on", "id"),
}


class Delegation(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    __tablename__ = "delegation"
    __table_args__ = (
        trigram_index("delegation"),
        *(
            sa.Index(name, *columns, sqlite_where=LIVE_ROWS, postgresql_where=LIVE_ROWS)
            for name, columns in INBOX_INDEXES.items()
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    direction: Mapped[str] = mapped_column(enum_type(Direction), index=True)
    title: Mapped[str] = mapped_column(sa.String(500), index=True)  # the list sorts by it
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    purpose: Mapped[str] = mapped_column(enum_type(Purpose), index=True)
    status: Mapped[str] = mapped_column(
        enum_type(DelegationStatus), index=True, default=states.INITIAL
    )
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id"), index=True
    )
    sending_party: Mapped[str | None] = mapped_column(sa.String(300))  # when not an organisation
    country: Mapped[str] = mapped_column(sa.String(2), index=True)  # origin (vào) / destination
    other_countries: Mapped[list | None] = mapped_column(sa.JSON)
    start_on: Mapped[date] = mapped_column(sa.Date, index=True)
    end_on: Mapped[date] = mapped_column(sa.Date, index=True)
    # Incoming: the host unit; outgoing: the travelling officials' agency.
    host_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    author_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    funding: Mapped[str | None] = mapped_column(enum_type(Funding))
    aid_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    contact: Mapped[str | None] = mapped_column(sa.String(300))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    # Border area: derived from the itinerary's communes unless set explicitly (import).
    is_border_area: Mapped[bool] = mapped_column(sa.Boolean, default=False, index=True)
    border_area_override: Mapped[bool | None] = mapped_column(sa.Boolean)
    border_notice_on: Mapped[date | None] = mapped_column(sa.Date)  # notice to police, border guard

    submitted_on: Mapped[date | None] = mapped_column(sa.Date)
    is_late_request: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    approval_number: Mapped[str | None] = mapped_column(sa.String(60))
    approval_date: Mapped[date | None] = mapped_column(sa.Date)
    approved_by: Mapped[str | None] = mapped_column(sa.String(200))
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    report_due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    # The revision of what the reviewers look at (members, dates, itinerary): bumped by each
    # change made after a review; a review or permit given on an older one must be looked at
    # again (see services/revisions.py).
    revision: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    organization = relationship("Organization", lazy="joined")
    host_agency = relationship("Agency", foreign_keys=[host_agency_id], lazy="joined")
    author_agency = relationship("Agency", foreign_keys=[author_agency_id], lazy="joined")
    aid_item = relationship("AidItem")
    members = relationship(
        "DelegationMember",
        primaryjoin="and_(DelegationMember.delegation_id == Delegation.id, "
        "DelegationMember.archived_at.is_(None))",
        order_by="(DelegationMember.is_head.desc(), DelegationMember.id)",
        viewonly=True,
    )
    stops = relationship(
        "ItineraryStop",
        back_populates="delegation",
        order_by="(ItineraryStop.day, ItineraryStop.id)",
        cascade="all, delete-orphan",
    )
    reviews = relationship("Review", back_populates="delegation", order_by="Review.id")
    permits = relationship(  # the live border permits
        "BorderPermit",
        primaryjoin="and_(BorderPermit.delegation_id == Delegation.id, "
        "BorderPermit.archived_at.is_(None))",
        order_by="BorderPermit.id",
        viewonly=True,
    )

    @validates("status")
    def _status_is_known(self, _key, value):
        return DelegationStatus(value).value

    @property
    def status_label(self) -> str:
        return DelegationStatus(self.status).label

    @property
    def status_style(self) -> str:
        return states.STYLES[self.status]

    # Named groups of states (app.delegations.states), asked by services and templates.
    @property
    def is_draft(self) -> bool:
        return self.status == states.DRAFT

    @property
    def is_editable(self) -> bool:
        return self.status in states.EDITABLE and not self.is_archived

    @property
    def is_live(self) -> bool:
        return self.status in states.LIVE and not self.is_archived

    @property
    def is_approved(self) -> bool:
        return self.status == states.APPROVED

    @property
    def before_approval(self) -> bool:
        return self.status in states.BEFORE_APPROVAL

    @property
    def after_approval(self) -> bool:
        return self.status in states.AFTER_APPROVAL

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label

    @property
    def purpose_label(self) -> str:
        return Purpose(self.purpose).label

    @property
    def funding_label(self) -> str:
        return Funding(self.funding).label if self.funding else ""

    @property
    def is_incoming(self) -> bool:
        return self.direction == Direction.VAO

    @property
    def countries(self) -> list[str]:
        return [self.country, *(self.other_countries or [])]

    def review_by(self, kind: str):
        return next((r for r in self.reviews if r.reviewer_kind == kind), None)

    @property
    def outdated_reviews(self) -> list["Review"]:
        """The reviews given on an earlier revision of the members, dates or itinerary."""
        return [r for r in self.reviews if r.given_on_revision < self.revision]

    @property
    def reopened(self) -> bool:
        """A review or live permit was given on an earlier version: reviewers look again."""
        return bool(self.outdated_reviews) or any(
            p.given_on_revision < self.revision for p in self.permits
        )

    def refresh_search_text(self, member_names: list[str] | None = None) -> None:
        parts = [self.code, self.title, self.sending_party or ""]
        if self.organization is not None:
            parts.append(self.organization.name)
        self.search_text = fold(" ".join([*parts, *(member_names or [])]))

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"


class DelegationMember(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    __tablename__ = "delegation_member"
    __table_args__ = (
        sa.Index("ix_delegation_member_passport", "passport_number", "nationality"),
        trigram_index("delegation_member", "name_folded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    name_folded: Mapped[str] = mapped_column(sa.String(200), index=True, default="")
    sex: Mapped[str | None] = mapped_column(enum_type(Sex))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    nationality: Mapped[str] = mapped_column(sa.String(2), index=True)
    passport_number: Mapped[str | None] = mapped_column(sa.String(30))
    passport_type: Mapped[str | None] = mapped_column(enum_type(PassportType))
    passport_expiry: Mapped[date | None] = mapped_column(sa.Date)
    position: Mapped[str | None] = mapped_column(sa.String(200))
    organization_name: Mapped[str | None] = mapped_column(sa.String(300))
    is_head: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    delegation = relationship("Delegation")

    @validates("full_name")
    def _fold_name(self, _key, value):
        self.name_folded = fold(value)
        return value

    @validates("passport_number")
    def _normalize_passport(self, _key, value):
        return normalize_passport(value)

    @property
    def sex_label(self) -> str:
        return Sex(self.sex).label if self.sex else ""


class ItineraryStop(db.Model):
    __tablename__ = "itinerary_stop"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    day: Mapped[date | None] = mapped_column(sa.Date)  # None: a place without a set day
    commune_code: Mapped[str | None] = mapped_column(sa.ForeignKey("commune.code"), index=True)
    place: Mapped[str | None] = mapped_column(sa.String(300))
    activity: Mapped[str | None] = mapped_column(sa.String(500))

    delegation = relationship("Delegation", back_populates="stops")
    commune = relationship("Commune", lazy="joined")


class Review(TimestampMixin, db.Model):
    """Foreign affairs' appraisal or the police's security opinion on a delegation."""

    __tablename__ = "delegation_review"
    __table_args__ = (sa.UniqueConstraint("delegation_id", "reviewer_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    reviewer_kind: Mapped[str] = mapped_column(enum_type(ReviewerKind))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    verdict: Mapped[str] = mapped_column(enum_type(Verdict))
    text: Mapped[str] = mapped_column(sa.Text)
    document_number: Mapped[str | None] = mapped_column(sa.String(60))
    reviewed_on: Mapped[date] = mapped_column(sa.Date)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # The delegation's revision the review was given (or confirmed) on.
    given_on_revision: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    delegation = relationship("Delegation", back_populates="reviews")
    agency = relationship("Agency", lazy="joined")

    @property
    def verdict_label(self) -> str:
        return Verdict(self.verdict).label

    @property
    def kind_label(self) -> str:
        return ReviewerKind(self.reviewer_kind).label

    @property
    def is_outdated(self) -> bool:
        return self.given_on_revision < self.delegation.revision


class BorderPermit(TimestampMixin, ArchivableMixin, db.Model):
    """The police's permit to enter the border area."""

    __tablename__ = "border_permit"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(60))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date] = mapped_column(sa.Date)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # The delegation's revision the permit was issued (or confirmed) on.
    given_on_revision: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    def covers(self, start: date, end: date) -> bool:
        return self.valid_from <= start and end <= self.valid_to


class DelegationChange(db.Model):
    """One line of what changed in the reviewed content (members, dates, itinerary) after a
    review: the revision it made, who and when, the line itself and, when the line shows
    personal data, the line without it (for masked viewers and the audit log)."""

    __tablename__ = "delegation_change"
    __table_args__ = (
        sa.Index("ix_delegation_change_delegation_revision", "delegation_id", "revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"))
    revision: Mapped[int] = mapped_column(sa.Integer)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(sa.String(500))
    masked_text: Mapped[str | None] = mapped_column(sa.String(500))

    def shown(self, personal: bool) -> str:
        return self.text if personal or not self.masked_text else self.masked_text


class VisitReport(TimestampMixin, db.Model):
    """The report after the visit (báo cáo kết quả đón đoàn / chuyến công tác)."""

    __tablename__ = "visit_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    received_on: Mapped[date] = mapped_column(sa.Date)
    summary: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))


class DelegationStep(StepMixin, db.Model):
    """One step of a delegation's review."""

    __tablename__ = "delegation_step"

    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
