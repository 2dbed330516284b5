"""The mobilisation domain's fixed vocabulary: kinds of contact, outcomes of a proposal and
the audit action names (keys are those of the workbook sheets in docs/spec/mobilisation.md).
"""

from app.core.enums import group, labelled

ContactKind = labelled(
    "ContactKind",
    {
        "gap_go": "Gặp gỡ, làm việc",
        "thu": "Thư, công văn",
        "hoi_nghi": "Hội nghị, hội thảo",
        "chuyen_tham": "Chuyến thăm, khảo sát",
    },
)

ProposalOutcome = labelled(
    "ProposalOutcome",
    {
        "cho_phan_hoi": "Chờ phản hồi",
        "cam_ket": "Nhà tài trợ cam kết",
        "khong_tai_tro": "Nhà tài trợ từ chối",
    },
)
Out = ProposalOutcome

PENDING = Out.CHO_PHAN_HOI.value
PLEDGED = Out.CAM_KET.value
DECLINED = Out.KHONG_TAI_TRO.value
# An answer came back: the outcome's date is required.
ANSWERED = group(Out.CAM_KET, Out.KHONG_TAI_TRO)

# Bootstrap colour of each outcome's badge.
OUTCOME_STYLES = {PENDING: "secondary", PLEDGED: "success", DECLINED: "danger"}


class MobilisationAudit:
    """Audit action names of the mobilisation domain."""

    CONTACT_CREATE = "mobilisation.contact_create"
    CONTACT_UPDATE = "mobilisation.contact_update"
    CONTACT_ARCHIVE = "mobilisation.contact_archive"
    PROPOSAL_CREATE = "mobilisation.proposal_create"
    PROPOSAL_UPDATE = "mobilisation.proposal_update"
    PROPOSAL_OUTCOME = "mobilisation.proposal_outcome"
    PROPOSAL_ARCHIVE = "mobilisation.proposal_archive"
