"""Donor and partner organisations (foreign NGOs, individuals, companies, ...)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.aid.models import Sector
from app.core.enums import labelled
from app.core.models import ArchivableMixin, TimestampMixin, VersionedMixin, enum_type
from app.core.text import fold, trigram_index
from app.extensions import db

# Keys are those of the registry workbook (spec/interchange.md, sheet ToChuc).
OrgKind = labelled(
    "OrgKind",
    {
        "ngo": "Tổ chức phi chính phủ nước ngoài",
        "ca_nhan": "Cá nhân",
        "doanh_nghiep": "Doanh nghiệp",
        "nghien_cuu": "Cơ sở nghiên cứu, đào tạo",
        "chinh_phu": "Cơ quan chính phủ nước ngoài",
        "quoc_te": "Tổ chức quốc tế",
    },
)

CertificateType = labelled(
    "CertificateType",
    {
        "hoat_dong": "Giấy đăng ký hoạt động",
        "van_phong_dai_dien": "Giấy đăng ký lập văn phòng đại diện",
        "van_phong_du_an": "Giấy đăng ký lập văn phòng dự án",
    },
)

CertificateStatus = labelled(
    "CertificateStatus",
    {
        "active": "Còn hiệu lực",
        "suspended": "Tạm đình chỉ",
        "terminated": "Chấm dứt",
        "expired": "Hết hạn",
    },
)

CERTIFICATE_WARNING_DAYS = 60


class Organization(TimestampMixin, VersionedMixin, ArchivableMixin, db.Model):
    __tablename__ = "organization"
    __table_args__ = (trigram_index("organization"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300), index=True)  # the list sorts by it
    name_vi: Mapped[str | None] = mapped_column(sa.String(300))
    search_text: Mapped[str] = mapped_column(sa.String(700), default="", index=True)
    kind: Mapped[str] = mapped_column(enum_type(OrgKind), index=True)
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    certificate_type: Mapped[str | None] = mapped_column(enum_type(CertificateType))
    certificate_number: Mapped[str | None] = mapped_column(sa.String(60))
    certificate_issued_on: Mapped[date | None] = mapped_column(sa.Date)
    certificate_expires_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    certificate_status: Mapped[str | None] = mapped_column(enum_type(CertificateStatus))
    registered_fields: Mapped[str | None] = mapped_column(sa.Text)
    registered_areas: Mapped[str | None] = mapped_column(sa.Text)
    representative: Mapped[str | None] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(60))
    website: Mapped[str | None] = mapped_column(sa.String(200))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    # The certificate's scope (Decree 58/2022 Art 8(1)): provinces and fields, as codes.
    # Empty means "not recorded" (no scope warning), not "nowhere".
    province_rows = relationship(
        "OrganizationProvince",
        order_by="OrganizationProvince.province_code",
        cascade="all, delete-orphan",
    )
    field_rows = relationship(
        "OrganizationField", order_by="OrganizationField.id", cascade="all, delete-orphan"
    )

    @validates("code", "name", "name_vi")
    def _refresh_search_text(self, key, value):
        parts = {"code": self.code, "name": self.name, "name_vi": self.name_vi, key: value}
        self.search_text = fold(" ".join(p for p in parts.values() if p))[:700]
        return value

    @property
    def kind_label(self) -> str:
        return OrgKind(self.kind).label

    @property
    def certificate_type_label(self) -> str | None:
        return CertificateType(self.certificate_type).label if self.certificate_type else None

    @property
    def certificate_status_label(self) -> str | None:
        return CertificateStatus(self.certificate_status).label if self.certificate_status else None

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.name_vi})" if self.name_vi else self.name

    def certificate_warning(self, today: date) -> str | None:
        """A Vietnamese warning when the certificate has expired or expires within 60 days."""
        if self.certificate_expires_on is None:
            return None
        days = (self.certificate_expires_on - today).days
        if days < 0:
            return f"Giấy đăng ký đã hết hạn từ {self.certificate_expires_on:%d/%m/%Y}."
        if days <= CERTIFICATE_WARNING_DAYS:
            expires = f"{self.certificate_expires_on:%d/%m/%Y}"
            return f"Giấy đăng ký sẽ hết hạn sau {days} ngày ({expires})."
        return None

    @property
    def certificate_provinces(self) -> list[str]:
        """The certificate's province codes, as text ("51"), ascending."""
        return [str(row.province_code) for row in self.province_rows]

    @property
    def certificate_fields(self) -> list[str]:
        """The certificate's fields: sector keys, in the vocabulary's order."""
        order = list(Sector.labels())
        return sorted((str(row.sector.value) for row in self.field_rows), key=order.index)

    def __str__(self) -> str:
        return self.display_name


class OrganizationProvince(db.Model):
    """A province (code of the 34 after 1 July 2025) where the certificate allows work."""

    __tablename__ = "organization_province"
    __table_args__ = (sa.UniqueConstraint("organization_id", "province_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    province_code: Mapped[int] = mapped_column(sa.Integer, index=True)


class OrganizationField(db.Model):
    """A field of operation of the certificate, in the aid sectors' vocabulary, so that it
    compares with an item's sectors."""

    __tablename__ = "organization_field"
    __table_args__ = (sa.UniqueConstraint("organization_id", "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    sector: Mapped[str] = mapped_column(enum_type(Sector), index=True)


class OrgAudit:
    """Audit action names of donor organisations: the same from a form or the import."""

    CREATE = "organization.create"
    UPDATE = "organization.update"
    ARCHIVE = "organization.archive"
    RESTORE = "organization.restore"
    EXPORT = "organization.export"
