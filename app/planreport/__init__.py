"""The plan's periodic report: figures by plan item and each agency's text, consolidated by
foreign affairs (issue 13)."""


def init_app(app) -> None:
    """Register what this domain adds to shared pages: its inbox lines and the names of
    its records in the audit log, and who reads the files kept with a report (the sent
    copy of its drafted document). Idempotent (tests build several apps in one process)."""
    from app.core.audit import OBJECT_LABELS
    from app.core.permissions import ATTACHMENT_READERS
    from app.core.views import INBOX_PROVIDERS
    from app.planreport import services

    OBJECT_LABELS.setdefault("plan_report", "Báo cáo thực hiện Kế hoạch đối ngoại nhân dân")
    OBJECT_LABELS.setdefault("plan_contribution", "Đóng góp báo cáo kế hoạch")
    ATTACHMENT_READERS["plan_report"] = read_report_file
    if services.inbox_counts not in INBOX_PROVIDERS:
        INBOX_PROVIDERS.append(services.inbox_counts)


def read_report_file(user, report_id) -> bool:
    """A file of a plan report is read by whoever reads the report."""
    from app.core import permissions as rules
    from app.extensions import db
    from app.planreport.models import PlanReport

    report = db.session.get(PlanReport, report_id)
    return report is not None and rules.read_plan_reports.allows(user, report)
