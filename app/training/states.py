"""The training domain's fixed vocabularies: course topics and audit action names."""

from app.core.enums import labelled

# Topics of a training course (a course has one or several). Keys are those of the
# workbook sheet KhoaDaoTao (docs/spec/training.md).
TrainingTopic = labelled(
    "TrainingTopic",
    {
        "le_tan": "Lễ tân đối ngoại",
        "doi_ngoai_nhan_dan": "Công tác đối ngoại nhân dân",
        "vien_tro_pcpnn": "Quản lý viện trợ PCPNN",
        "doan_ra_vao": "Quản lý đoàn ra, đoàn vào",
        "ngoai_ngu": "Ngoại ngữ",
        "khac": "Khác",
    },
)


class TrainingAudit:
    """Audit action names of training courses and their trainees (forms and imports alike)."""

    CREATE = "training.create"
    UPDATE = "training.update"
    ARCHIVE = "training.archive"
    RESTORE = "training.restore"
    ATTENDANCE_ADD = "training.attendance_add"
    ATTENDANCE_UPDATE = "training.attendance_update"
    ATTENDANCE_ARCHIVE = "training.attendance_archive"
    ATTENDANCE_MERGE = "training.attendance_merge"  # two agencies merged (app.auth.services)
    EXPORT = "training.export"
