"""The notifications' fixed vocabulary: the kinds of notification, with their labels."""

from app.core.enums import labelled

NotificationKind = labelled(
    "NotificationKind",
    {
        "opinion_requested": "Được xin ý kiến",
        "dossier_returned": "Hồ sơ bị trả lại",
        "delegation_submitted": "Hồ sơ đoàn mới gửi",
        "delegation_changed": "Hồ sơ đoàn thay đổi sau khi đã cho ý kiến",
        "due_soon": "Sắp đến hạn",
        "overdue": "Quá hạn",
        "job_finished": "Việc chạy nền đã xong",
    },
)
K = NotificationKind

# Bootstrap colour of each kind's badge.
STYLES = {
    K.OPINION_REQUESTED: "primary",
    K.DOSSIER_RETURNED: "warning",
    K.DELEGATION_SUBMITTED: "info",
    K.DELEGATION_CHANGED: "warning",
    K.DUE_SOON: "secondary",
    K.OVERDUE: "danger",
    K.JOB_FINISHED: "success",
}

# Deadlines notified this many working days ahead (the "in 2 working days").
DUE_SOON_WORKING_DAYS = 2
