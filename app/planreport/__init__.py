"""The plan's periodic report: figures by plan item and each agency's text, consolidated by
foreign affairs (issue 13)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages: its inbox lines and the names of
    its records in the audit log. Idempotent (tests build several apps in one process)."""
    from app.core.audit import OBJECT_LABELS
    from app.core.views import INBOX_PROVIDERS
    from app.planreport import services

    OBJECT_LABELS.setdefault("plan_report", "Báo cáo thực hiện Kế hoạch đối ngoại nhân dân")
    OBJECT_LABELS.setdefault("plan_contribution", "Đóng góp báo cáo kế hoạch")
    if services.inbox_counts not in INBOX_PROVIDERS:
        INBOX_PROVIDERS.append(services.inbox_counts)
