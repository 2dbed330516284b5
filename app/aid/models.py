"""Aid items and everything the procedure and the follow-up attach to them.

Coded values use the keys of the registry workbook (spec/interchange.md), so import,
export and statistics share one vocabulary.
"""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.aid import states
from app.aid.checklist import DossierDocument  # noqa: F401 - imported from here too
from app.aid.contents import DecisionContentsMixin
from app.aid.states import AidStatus, DecisionKind
from app.aid.timing import PeriodMixin
from app.core.enums import labelled
from app.core.models import (
    ArchivableMixin,
    StepMixin,
    TimestampMixin,
    VersionedMixin,
    enum_type,
    sync_children,
)
from app.core.text import fold, trigram_index
from app.extensions import db

Modality = labelled(
    "Modality",
    {
        "chuong_trinh": "Chương trình",
        "du_an": "Dự án",
        "phi_du_an": "Phi dự án",
        "khac_phuc_hau_qua": "Khắc phục hậu quả thiên tai, thảm họa",
    },
)

Regime = labelled(
    "Regime",
    {
        "nd93_2009": "Nghị định 93/2009/NĐ-CP",
        "nd80_2020": "Nghị định 80/2020/NĐ-CP",
        "nd313_2025": "Nghị định 313/2025/NĐ-CP",
    },
)

Sector = labelled(
    "Sector",
    {
        "giao_duc": "Giáo dục, đào tạo",
        "y_te": "Y tế",
        "nuoc_ve_sinh": "Nước sạch và vệ sinh môi trường",
        "xa_hoi": "Bảo trợ xã hội",
        "ha_tang": "Hạ tầng cơ sở",
        "nong_nghiep": "Nông nghiệp, phát triển nông thôn",
        "sinh_ke": "Sinh kế, tạo việc làm",
        "moi_truong": "Môi trường, biến đổi khí hậu",
        "cong_dong": "Phát triển cộng đồng",
        "cuu_tro": "Cứu trợ khẩn cấp, khắc phục thiên tai",
        "khac": "Khác",
    },
)
SECTOR_DAC_CODES = {
    "giao_duc": 110,
    "y_te": 120,
    "nuoc_ve_sinh": 140,
    "xa_hoi": 160,
    "ha_tang": 210,
    "nong_nghiep": 311,
    "sinh_ke": 250,
    "moi_truong": 410,
    "cong_dong": 430,
    "cuu_tro": 720,
    "khac": 998,
}

OpinionVerdict = labelled(
    "OpinionVerdict",
    {
        "dong_y": "Đồng ý",
        "dong_y_co_dieu_kien": "Đồng ý có điều kiện",
        "khong_dong_y": "Không đồng ý",
    },
)

AppraisalForm = labelled(
    "AppraisalForm",
    {"lay_y_kien": "Lấy ý kiến bằng văn bản", "hoi_nghi": "Hội nghị thẩm định"},
)

ReportKind = labelled(
    "ReportKind",
    {"sau_thang": "Báo cáo 6 tháng", "nam": "Báo cáo năm", "ket_thuc": "Báo cáo kết thúc"},
)

FollowUpStatus = labelled(
    "FollowUpStatus",
    {"chua_xu_ly": "Chưa khắc phục", "dang_xu_ly": "Đang khắc phục", "da_xu_ly": "Đã khắc phục"},
)


def item_search_text(code: str, name: str, name_en: str | None, donor_names) -> str:
    """The folded text the lists search for an aid item: its code, its Vietnamese and
    English names and its donors' names (the one rule; the dossier's services and the
    national data generator both call it)."""
    return fold(" ".join([code, name, name_en or "", *donor_names]))


def money_column(**kwargs):
    return mapped_column(sa.Numeric(20, 2), **kwargs)


def rate_column(**kwargs):
    return mapped_column(sa.Numeric(18, 6), **kwargs)


class AidItem(
    TimestampMixin, VersionedMixin, ArchivableMixin, PeriodMixin, DecisionContentsMixin, db.Model
):
    __tablename__ = "aid_item"
    __table_args__ = (trigram_index("aid_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(500), index=True)  # the list sorts by it
    name_en: Mapped[str | None] = mapped_column(sa.String(500))
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    modality: Mapped[str] = mapped_column(enum_type(Modality), index=True)
    regime: Mapped[str] = mapped_column(enum_type(Regime), default="nd313_2025")
    status: Mapped[str] = mapped_column(enum_type(AidStatus), index=True, default=states.INITIAL)

    owner_name: Mapped[str | None] = mapped_column(sa.String(300))  # chủ khoản viện trợ
    governing_agency: Mapped[str | None] = mapped_column(sa.String(300))  # cơ quan chủ quản
    objectives: Mapped[str | None] = mapped_column(sa.Text)
    description: Mapped[str | None] = mapped_column(sa.Text)
    beneficiaries: Mapped[str | None] = mapped_column(sa.Text)
    legacy_location: Mapped[str | None] = mapped_column(sa.String(500))

    # Value in the original currency, the rates used and the derived VND value.
    value: Mapped[Decimal] = money_column()
    currency: Mapped[str] = mapped_column(sa.String(3), default="VND")
    rate_vnd: Mapped[Decimal | None] = rate_column()  # VND per unit; None for VND
    rate_usd: Mapped[Decimal | None] = rate_column()  # VND per USD on the same date
    value_vnd: Mapped[int] = mapped_column(sa.BigInteger, default=0, index=True)  # list sort
    counterpart_vnd: Mapped[int | None] = mapped_column(sa.BigInteger)
    is_budget_revenue: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    # The dossier.
    dossier_received_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    dossier_complete_on: Mapped[date | None] = mapped_column(sa.Date)
    dossier_documents: Mapped[list | None] = mapped_column(sa.JSON)  # DossierDocument keys
    # Stored (not computed in SQL) because it counts working days with the holiday calendar.
    appraisal_due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)

    # Appraisal.
    appraisal_form: Mapped[str | None] = mapped_column(enum_type(AppraisalForm))
    appraisal_on: Mapped[date | None] = mapped_column(sa.Date)
    appraisal_conclusion: Mapped[str | None] = mapped_column(sa.Text)

    # The approval decision in force (details and history in Decision).
    decision_number: Mapped[str | None] = mapped_column(sa.String(60))
    decision_date: Mapped[date | None] = mapped_column(sa.Date, index=True)
    decision_signer: Mapped[str | None] = mapped_column(sa.String(200))

    # Denormalised from AidDonor for list filters and statistics.
    main_donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    main_donor = relationship("Organization", lazy="joined")
    donors = relationship(
        "AidDonor",
        back_populates="aid_item",
        order_by="AidDonor.position",
        lazy="selectin",
        cascade="all, delete-orphan",
    )
    sectors = relationship(
        "AidSector", back_populates="aid_item", lazy="selectin", cascade="all, delete-orphan"
    )
    locations = relationship(
        "AidLocation", back_populates="aid_item", lazy="selectin", cascade="all, delete-orphan"
    )
    opinions = relationship(
        "Opinion", back_populates="aid_item", order_by="Opinion.id", lazy="selectin"
    )

    @validates("status")
    def _status_is_known(self, _key, value):
        return AidStatus(value).value

    @property
    def status_label(self) -> str:
        return AidStatus(self.status).label

    @property
    def status_style(self) -> str:
        return states.STYLES[self.status]

    @property
    def modality_label(self) -> str:
        return Modality(self.modality).label

    @property
    def regime_label(self) -> str:
        return Regime(self.regime).label

    # Named groups of states (app.aid.states), asked by services and templates alike.
    @property
    def in_procedure(self) -> bool:
        return self.status in states.IN_PROCEDURE

    @property
    def is_editable(self) -> bool:
        return self.status in states.EDITABLE and not self.is_archived

    @property
    def in_follow_up(self) -> bool:
        return self.status in states.FOLLOW_UP and not self.is_archived

    @property
    def is_approved_or_later(self) -> bool:
        return self.status in states.APPROVED_OR_LATER

    @property
    def is_returned(self) -> bool:
        return self.status == states.S.TRA_LAI

    @property
    def waits_for_opinions(self) -> bool:
        return self.status == states.WAITING_FOR_OPINIONS

    @property
    def on_the_clock(self) -> bool:
        """In the procedure and running against the appraisal deadline."""
        return self.status in states.ON_THE_CLOCK

    def appraisal_overdue(self, today: date) -> bool:
        return bool(self.on_the_clock and self.appraisal_due_on and self.appraisal_due_on < today)

    @property
    def awaits_validity_check(self) -> bool:
        """Just received, and the date of a complete dossier not yet recorded."""
        return self.status == states.INITIAL and self.dossier_complete_on is None

    @property
    def is_emergency(self) -> bool:
        return self.modality == Modality.KHAC_PHUC_HAU_QUA

    @property
    def value_usd(self) -> Decimal | None:
        rate = self.rate_usd or (self.rate_vnd if self.currency == "USD" else None)
        return (Decimal(self.value_vnd) / rate) if rate else None

    def set_children(self, *, donors=None, sectors=None, communes=None) -> None:
        """Replace the donors (organisation ids, the main donor first), the sectors ((key,
        share or None) pairs) and the communes (codes) given. Rows whose key stays are
        updated in place, so the unique (item, key) constraints never see a transient
        duplicate."""
        if donors is not None:
            rows = [{"organization_id": org_id, "position": i} for i, org_id in enumerate(donors)]
            self.donors = sync_children(self.donors, "organization_id", AidDonor, rows)
        if sectors is not None:
            rows = [{"sector": key, "share": share} for key, share in sectors]
            self.sectors = sync_children(self.sectors, "sector", AidSector, rows)
        if communes is not None:
            rows = [{"commune_code": code} for code in communes]
            self.locations = sync_children(self.locations, "commune_code", AidLocation, rows)

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class AidDonor(db.Model):
    """A donor of an item; position 0 is the main donor, the others co-donors."""

    __tablename__ = "aid_donor"
    __table_args__ = (sa.UniqueConstraint("aid_item_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    aid_item = relationship("AidItem", back_populates="donors")
    organization = relationship("Organization", lazy="joined")


class AidSector(db.Model):
    """A sector of an item with its share in percent, or None for an equal split."""

    __tablename__ = "aid_sector"
    __table_args__ = (sa.UniqueConstraint("aid_item_id", "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    sector: Mapped[str] = mapped_column(enum_type(Sector), index=True)
    share: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))

    aid_item = relationship("AidItem", back_populates="sectors")

    @property
    def label(self) -> str:
        return Sector(self.sector).label


class AidLocation(db.Model):
    __tablename__ = "aid_location"
    __table_args__ = (sa.UniqueConstraint("aid_item_id", "commune_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    commune_code: Mapped[str] = mapped_column(sa.ForeignKey("commune.code"), index=True)

    aid_item = relationship("AidItem", back_populates="locations")
    commune = relationship("Commune", lazy="joined")


class Opinion(TimestampMixin, VersionedMixin, db.Model):
    """A request for an opinion to one agency, and its answer."""

    __tablename__ = "opinion"

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    requested_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    request_note: Mapped[str | None] = mapped_column(sa.Text)
    verdict: Mapped[str | None] = mapped_column(enum_type(OpinionVerdict), index=True)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    document_number: Mapped[str | None] = mapped_column(sa.String(60))
    answered_on: Mapped[date | None] = mapped_column(sa.Date)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    aid_item = relationship("AidItem", back_populates="opinions")
    agency = relationship("Agency", lazy="joined")
    answered_by = relationship("User")

    @property
    def is_open(self) -> bool:
        return self.verdict is None and self.cancelled_at is None

    @property
    def verdict_label(self) -> str:
        return OpinionVerdict(self.verdict).label if self.verdict else "Chưa trả lời"


CHANGE_LABELS = {
    "value": "Giá trị (nguyên tệ)",
    "currency": "Tiền tệ",
    "rate_vnd": "Tỷ giá (VNĐ)",
    "rate_usd": "Tỷ giá USD (VNĐ)",
    "value_vnd": "Giá trị (VNĐ)",
    "counterpart_vnd": "Vốn đối ứng",
    "end_on": "Ngày kết thúc",
}


class Decision(TimestampMixin, db.Model):
    """Approval, non-acceptance, amendment or revocation, with the values it changed."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    kind: Mapped[str] = mapped_column(enum_type(DecisionKind))
    number: Mapped[str | None] = mapped_column(sa.String(60))
    signed_on: Mapped[date | None] = mapped_column(sa.Date)
    signer: Mapped[str | None] = mapped_column(sa.String(200))
    content: Mapped[str | None] = mapped_column(sa.Text)
    changes: Mapped[dict | None] = mapped_column(sa.JSON)  # amendment: {field: [old, new]}
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    recorded_by = relationship("User")

    @property
    def kind_label(self) -> str:
        return DecisionKind(self.kind).label

    def change_rows(self) -> list[tuple[str, str, str]]:
        """(label, old, new) of what the decision changed, formatted for people."""
        from app.core.dates import format_date, parse_date
        from app.core.money import format_number, format_vnd

        def shown(key, value):
            if value in (None, ""):
                return "—"
            if key.endswith("_vnd"):
                return format_vnd(value)
            if key.endswith("_on"):
                return format_date(parse_date(value))
            if key in ("value", "rate_vnd", "rate_usd"):
                number = Decimal(str(value))
                return format_number(number, 0 if number == number.to_integral_value() else 2)
            return str(value)

        return [
            (CHANGE_LABELS.get(key, key), shown(key, old), shown(key, new))
            for key, (old, new) in (self.changes or {}).items()
        ]


class WorkflowStep(StepMixin, db.Model):
    """One step of an item's procedure."""

    __tablename__ = "aid_workflow_step"

    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)


class Disbursement(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    __tablename__ = "disbursement"
    # Covering: a year's scan for the annual report; an item's live total up to a day (the
    # over-disbursed rule, from the index alone) and its own lookups (docs/decisions.md);
    # the corrections alone (rare), which the year's notes count (app.stats.notes).
    __table_args__ = (
        sa.Index("ix_disbursement_stats", "disbursed_on", "archived_at", "aid_item_id",
                 "value_vnd", "currency", "rate_vnd", "rate_usd"),
        sa.Index("ix_disbursement_item_money", "aid_item_id", "disbursed_on", "archived_at",
                 "currency", "amount", "value_vnd"),
        sa.Index("ix_disbursement_correction", "disbursed_on", "archived_at", "aid_item_id",
                 "value_vnd", sqlite_where=sa.text("is_correction = 1"),
                 postgresql_where=sa.text("is_correction")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"))
    disbursed_on: Mapped[date] = mapped_column(sa.Date, index=True)
    amount: Mapped[Decimal] = money_column()
    currency: Mapped[str] = mapped_column(sa.String(3))
    rate_vnd: Mapped[Decimal | None] = rate_column()
    rate_usd: Mapped[Decimal | None] = rate_column()
    value_vnd: Mapped[int] = mapped_column(sa.BigInteger)
    source: Mapped[str | None] = mapped_column(sa.String(300))
    verified: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Confirmed above the approved value (with amendments); recorded after completion.
    over_approved: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    is_correction: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(sa.Text)  # why over the value / why corrected
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    @property
    def value_usd(self) -> Decimal | None:
        rate = self.rate_usd or (self.rate_vnd if self.currency == "USD" else None)
        return (Decimal(self.value_vnd) / rate) if rate else None


class PlannedDisbursement(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    """One year of the item's disbursement schedule, in the item's currency."""

    __tablename__ = "planned_disbursement"

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    amount: Mapped[Decimal] = money_column()
    currency: Mapped[str] = mapped_column(sa.String(3))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))


class AidReport(TimestampMixin, ArchivableMixin, db.Model):
    """A periodic (6-month, annual) or closing report received from the aid owner."""

    __tablename__ = "aid_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    kind: Mapped[str] = mapped_column(enum_type(ReportKind))
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    received_on: Mapped[date] = mapped_column(sa.Date)
    summary: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    @property
    def kind_label(self) -> str:
        return ReportKind(self.kind).label


class Inspection(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    """An inspection or monitoring visit (plan item 7)."""

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    aid_item_id: Mapped[int] = mapped_column(sa.ForeignKey("aid_item.id"), index=True)
    inspected_on: Mapped[date] = mapped_column(sa.Date)
    team: Mapped[str] = mapped_column(sa.String(500))  # agencies in the team
    findings: Mapped[str | None] = mapped_column(sa.Text)
    recommendations: Mapped[str | None] = mapped_column(sa.Text)
    follow_up: Mapped[str] = mapped_column(enum_type(FollowUpStatus), default="chua_xu_ly")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    @property
    def follow_up_label(self) -> str:
        return FollowUpStatus(self.follow_up).label
