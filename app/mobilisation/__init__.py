"""Active mobilisation of aid: contacts with donors, proposals sent to them and their
outcome (issue 13)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages: the names of its records and of its
    audit actions in the audit log. Idempotent (tests build several apps in one process)."""
    from app.core.audit import OBJECT_LABELS
    from app.core.audit_labels import register
    from app.mobilisation.states import MobilisationAudit as M

    OBJECT_LABELS.setdefault("mobilisation_contact", "Tiếp xúc vận động viện trợ")
    OBJECT_LABELS.setdefault("mobilisation_proposal", "Đề xuất vận động viện trợ")
    register(
        {
            M.CONTACT_CREATE: "Ghi nhận tiếp xúc vận động viện trợ",
            M.CONTACT_UPDATE: "Sửa tiếp xúc vận động viện trợ",
            M.CONTACT_ARCHIVE: "Lưu trữ tiếp xúc vận động viện trợ",
            M.PROPOSAL_CREATE: "Ghi nhận đề xuất vận động viện trợ",
            M.PROPOSAL_UPDATE: "Sửa đề xuất vận động viện trợ",
            M.PROPOSAL_OUTCOME: "Ghi kết quả đề xuất vận động viện trợ",
            M.PROPOSAL_ARCHIVE: "Lưu trữ đề xuất vận động viện trợ",
        }
    )
