"""Friendship associations: profiles, membership of the Union, and their activity log (issue 13)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages: the names of its records and of its
    audit actions in the audit log. Idempotent (tests build several apps in one process)."""
    from app.associations.states import AssociationAudit as A
    from app.core.audit import OBJECT_LABELS
    from app.core.audit_labels import register

    OBJECT_LABELS.setdefault("association", "Hội hữu nghị")
    OBJECT_LABELS.setdefault("association_activity", "Hoạt động của hội hữu nghị")
    register(
        {
            A.CREATE: "Thêm hội hữu nghị",
            A.UPDATE: "Sửa hội hữu nghị",
            A.ARCHIVE: "Lưu trữ hội hữu nghị",
            A.RESTORE: "Khôi phục hội hữu nghị",
            A.MEMBER_COUNT: "Ghi số hội viên theo năm",
            A.ACTIVITY_ADD: "Thêm hoạt động của hội",
            A.ACTIVITY_UPDATE: "Sửa hoạt động của hội",
            A.ACTIVITY_ARCHIVE: "Lưu trữ hoạt động của hội",
            A.EXPORT: "Xuất danh sách hội hữu nghị",
            A.ACTIVITY_EXPORT: "Xuất hoạt động của hội hữu nghị",
        }
    )
