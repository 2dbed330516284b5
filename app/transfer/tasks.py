"""What each transfer job does (see jobs.py for how they run): check an upload (a dry
run, rolled back), import it (committed), or export the registry to a file. Each returns
the result stored beside the job, or None."""

from app.auth.models import User
from app.core import audit
from app.extensions import db
from app.transfer import TransferAudit, jobs, list_exports
from app.transfer.exporter import write_workbook
from app.transfer.importer import ImportReport, import_workbook
from app.transfer.jobs import staging_dir


def report_result(report: ImportReport) -> dict:
    """The report as JSON: every error and warning (sheet, row, column, message)."""

    def issues(items):
        return [[i.sheet, i.row, i.column, i.message] for i in items]

    return {
        "ok": report.ok,
        "filename": report.filename,
        "errors": issues(report.errors),
        "warnings": issues(report.warnings),
        "counts": {
            sheet: [c.created, c.updated, c.unchanged, c.replaced]
            for sheet, c in report.counts.items()
        },
        "summary": report.summary() if report.ok else "",
    }


def _import(job: dict, progress) -> ImportReport:
    user = db.session.get(User, job["user_id"])
    data = (staging_dir() / job["token"]).read_bytes()
    return import_workbook(data, job["filename"], user, progress=progress, ip=job.get("ip"))


def check(job: dict, progress) -> dict:
    report = _import(job, progress)
    db.session.rollback()  # the dry run writes nothing, and counts what the import would do
    return report_result(report)


def import_(job: dict, progress) -> dict:
    report = _import(job, progress)
    if not report.ok:  # the registry changed since the check
        db.session.rollback()
        return report_result(report)
    db.session.commit()
    (staging_dir() / job["token"]).unlink(missing_ok=True)
    return report_result(report)


def export(job: dict, progress) -> None:
    user = db.session.get(User, job["user_id"])
    personal = job["personal"]
    target = jobs.export_file(job)
    partial = target.with_name(f".{target.name}.part")
    with partial.open("wb") as file:
        write_workbook(file, include_personal=personal, user=user, progress=progress)
    partial.replace(target)
    audit.record(
        TransferAudit.EXPORT,
        user=user,
        object_type="export",
        object_id="web",
        summary="Xuất toàn bộ dữ liệu" + (" (có dữ liệu cá nhân)" if personal else ""),
    )
    db.session.commit()
    return None


RUNNERS = {
    jobs.CHECK: check,
    jobs.IMPORT: import_,
    jobs.EXPORT: export,
    list_exports.LIST_EXPORT: list_exports.run,
}
