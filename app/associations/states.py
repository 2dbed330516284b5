"""The coded values of friendship associations: statuses, activity kinds, audit names.

Keys are those of the workbook sheets HoiHuuNghi and HoatDongHoi (docs/spec/associations.md);
status values are named here only (tests/test_conventions.py).
"""

from app.core.enums import group, labelled

AssociationStatus = labelled(
    "AssociationStatus",
    {
        "hoat_dong": "Đang hoạt động",
        "tam_ngung": "Tạm ngừng hoạt động",
        "giai_the": "Đã giải thể",
    },
)

# The statuses in which an association still holds activities (the list's default badge).
WORKING_STATUSES = group(AssociationStatus.HOAT_DONG)

ActivityKind = labelled(
    "ActivityKind",
    {
        "giao_luu": "Giao lưu",
        "ket_nghia": "Kết nghĩa",
        "gap_go": "Gặp gỡ, hội đàm",
        "ho_tro": "Hỗ trợ",
        "su_kien": "Sự kiện",
    },
)


class AssociationAudit:
    """Audit action names of friendship associations: the same from a form or a script."""

    CREATE = "association.create"
    UPDATE = "association.update"
    ARCHIVE = "association.archive"
    RESTORE = "association.restore"
    MEMBER_COUNT = "association.member_count"
    ACTIVITY_ADD = "association.activity_add"
    ACTIVITY_UPDATE = "association.activity_update"
    ACTIVITY_ARCHIVE = "association.activity_archive"
    EXPORT = "association.export"
    ACTIVITY_EXPORT = "association.activity_export"
