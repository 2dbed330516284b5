"""Training courses for people-to-people diplomacy staff and their trainees (issue 13)."""


def init_app(app) -> None:
    """Name the domain's audited objects and actions in Vietnamese (the audit log page)."""
    from app.core.audit import OBJECT_LABELS
    from app.core.audit_labels import register
    from app.training.states import TrainingAudit

    OBJECT_LABELS.setdefault("training_course", "Khóa đào tạo, bồi dưỡng")
    register(
        {
            TrainingAudit.CREATE: "Thêm khóa đào tạo",
            TrainingAudit.UPDATE: "Sửa khóa đào tạo",
            TrainingAudit.ARCHIVE: "Lưu trữ khóa đào tạo",
            TrainingAudit.RESTORE: "Khôi phục khóa đào tạo",
            TrainingAudit.ATTENDANCE_ADD: "Ghi học viên của một cơ quan",
            TrainingAudit.ATTENDANCE_UPDATE: "Sửa học viên của một cơ quan",
            TrainingAudit.ATTENDANCE_ARCHIVE: "Gỡ học viên của một cơ quan",
            TrainingAudit.ATTENDANCE_MERGE: "Gộp học viên khi gộp cơ quan",
            TrainingAudit.EXPORT: "Xuất danh sách học viên đào tạo",
        }
    )
