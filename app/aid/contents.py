"""What an approval decision must say, and aid beyond the province's competence (issue 12,
points 10 and 11; sources in docs/decisions.md):

- Decree 80/2020/NĐ-CP Art 11(1): the decision states the capital split into the part
  managed by the recipient and the part managed by the donor (đ), the financial mechanism,
  i.e. whether the aid is state-budget revenue (e), and the management modality (g).
- Art 7(1): aid on security, defence or religion, aid aimed directly at drafting legal
  normative documents, and imported goods within the Prime Minister's competence are
  approved at central level; Art 10(2)(c): the province appraises and reports it up.

The coded choices live here once; `DecisionContentsMixin` gives the item its columns.
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.aid import checklist
from app.core.enums import labelled
from app.core.models import enum_type

# Art 11(1)(g) names the content, not a list: these three cover who runs the money.
ManagementModality = labelled(
    "ManagementModality",
    {
        "ben_tiep_nhan": "Bên tiếp nhận viện trợ trực tiếp quản lý, thực hiện",
        "ben_tai_tro": "Bên tài trợ trực tiếp quản lý, thực hiện",
        "phoi_hop": "Bên tài trợ và bên tiếp nhận cùng quản lý, thực hiện",
    },
)

# Art 11(1)(e); Circular 23/2022/TT-BTC applies to the first only.
FinancialMechanism = labelled(
    "FinancialMechanism",
    {
        "thuoc_nsnn": "Thuộc nguồn thu ngân sách nhà nước",
        "khong_thuoc_nsnn": "Không thuộc nguồn thu ngân sách nhà nước",
    },
)
BUDGET_REVENUE = "thuoc_nsnn"

# Art 7(1)(a)-(c): why the item is beyond the province's competence.
CentralReason = labelled(
    "CentralReason",
    {
        "an_ninh": "Liên quan đến an ninh",
        "quoc_phong": "Liên quan đến quốc phòng",
        "ton_giao": "Liên quan đến tôn giáo",
        "van_ban_qppl": "Trực tiếp hỗ trợ xây dựng văn bản quy phạm pháp luật",
        "hang_nhap_khau": "Hàng hóa nhập khẩu thuộc thẩm quyền của Thủ tướng Chính phủ",
        "khac": "Trường hợp khác thuộc thẩm quyền của Thủ tướng Chính phủ",
    },
)
DEFAULT_CENTRAL_AUTHORITY = "Thủ tướng Chính phủ"


class DecisionContentsMixin:
    """The aid item's columns for the decision's contents and the central competence."""

    # Art 11(1)(đ): in the item's currency; the two add up to the approved value.
    donor_managed_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 2))
    recipient_managed_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 2))
    management_modality: Mapped[str | None] = mapped_column(enum_type(ManagementModality))
    financial_mechanism: Mapped[str | None] = mapped_column(enum_type(FinancialMechanism))
    # Who signed the approval decision in force when it is not the province (central level).
    decision_authority: Mapped[str | None] = mapped_column(sa.String(200))

    # Beyond the province's competence: why, and the province's submission up.
    central_reason: Mapped[str | None] = mapped_column(enum_type(CentralReason))
    submitted_up_on: Mapped[date | None] = mapped_column(sa.Date)
    submitted_up_number: Mapped[str | None] = mapped_column(sa.String(60))
    submitted_up_to: Mapped[str | None] = mapped_column(sa.String(300))

    # The kinds of aid (app.aid.checklist.AidKind keys) and, per dossier document, the ids
    # of the files attached as that document.
    aid_kinds: Mapped[list | None] = mapped_column(sa.JSON)
    dossier_files: Mapped[dict | None] = mapped_column(sa.JSON)

    @property
    def is_central(self) -> bool:
        """Beyond the province's competence: approved (or refused) at central level."""
        return bool(self.central_reason)

    @property
    def is_submitted_up(self) -> bool:
        return self.submitted_up_on is not None

    @property
    def aid_kind_labels(self) -> list[str]:
        kinds = set(self.aid_kinds or ())
        return [kind.label for kind in checklist.AidKind if kind.value in kinds]

    def dossier_checklist(self) -> list:
        """The required documents (kind of aid, regime), received or not, with files."""
        return checklist.rows(self)

    @property
    def central_reason_label(self) -> str | None:
        return CentralReason(self.central_reason).label if self.central_reason else None

    @property
    def management_modality_label(self) -> str | None:
        modality = self.management_modality
        return ManagementModality(modality).label if modality else None

    @property
    def financial_mechanism_label(self) -> str | None:
        mechanism = self.financial_mechanism
        return FinancialMechanism(mechanism).label if mechanism else None
