"""Writing a validated registry workbook: upsert by `ma`, replace listed children, audit.

`import_workbook()` reads and validates the whole file first (the spec's rules, the
registry's references and the tables' constraints); with any error it writes nothing.
Otherwise every sheet is written in the caller's transaction (the caller commits once, or
rolls back for a dry run, which therefore counts exactly what a real import would do).
Records enter the state the file gives, without the workflows' preconditions. Re-importing
the same file changes nothing: values are compared before anything is set.

The work is split by job: checks and constraints (before writing), upsert (the core and
the audit), writers (keyed sheets), children (disbursements, members).
"""

import gc
from collections.abc import Callable

from app.transfer.checks import drafts_of_others, known_codes, known_records, registry_checks
from app.transfer.children import write_disbursements, write_members
from app.transfer.constraints import check_constraints
from app.transfer.crosscheck import validate_cross_sheet
from app.transfer.fields import (
    DELEGATION_FIELDS,
    DISBURSEMENT_FIELDS,
    ITEM_FIELDS,
    MEMBER_FIELDS,
    ORG_FIELDS,
)
from app.transfer.files import read_workbook
from app.transfer.upsert import Counts, ImportReport, Writer
from app.transfer.writers import write_delegations, write_items, write_organizations
from app.transfer.writers_diplomacy import DIPLOMACY_STEPS

__all__ = [
    "DELEGATION_FIELDS",
    "DISBURSEMENT_FIELDS",
    "ITEM_FIELDS",
    "MEMBER_FIELDS",
    "ORG_FIELDS",
    "Counts",
    "ImportReport",
    "import_workbook",
    "known_codes",
]

# (progress text, step) of the import's phases after reading; see import_workbook.
STEPS = (
    ("Đang kiểm tra với dữ liệu trong sổ đăng ký", None),
    ("Đang ghi tổ chức (ToChuc)", write_organizations),
    ("Đang ghi khoản viện trợ (VienTro)", write_items),
    ("Đang ghi giải ngân (GiaiNgan)", write_disbursements),
    ("Đang ghi đoàn (Doan)", write_delegations),
    ("Đang ghi thành viên đoàn (ThanhVien)", write_members),
    *DIPLOMACY_STEPS,
)

# progress(text, step, steps): the phase the import is in, for a job's progress page.
Progress = Callable[[str, int, int], None]


def import_workbook(
    data: bytes,
    filename: str,
    user,
    max_bytes: int | None = None,
    *,
    progress: Progress | None = None,
    ip: str | None = None,
) -> ImportReport:
    """Validate, then write everything (flushed, not committed). With errors, nothing."""

    def tell(text: str, step: int) -> None:
        if progress is not None:
            progress(text, step, len(STEPS) + 1)

    def rows_read(sheet: str, count: int) -> None:
        tell(f"Đang đọc trang {sheet}: {count:,} dòng".replace(",", "."), 0)

    tell("Đang đọc tệp", 0)
    options = {"max_bytes": max_bytes} if max_bytes else {}
    result = read_workbook(data, filename, progress=rows_read, **options)
    report = ImportReport(filename=filename, warnings=result.warnings)
    if result.sheets:  # every check runs, so the report lists all errors at once
        tell(STEPS[0][0], 1)
        known, delegations = known_records()
        validate_cross_sheet(
            result,
            known,
            {code: direction for code, (direction, _) in delegations.items()},
            {code: end_on for code, (_, end_on) in delegations.items()},
        )
        registry_checks(result)
        check_constraints(result, known)
        drafts_of_others(result, user)
    if not result.ok:
        report.errors = result.errors
        return report
    writer = Writer(result, user, report, ip=ip)
    # The rows read live until the end: set them aside from the garbage collector, so that
    # freeing each written batch (Writer.upsert) costs only the batch, not the whole file.
    gc.freeze()
    try:
        for step, (text, write) in enumerate(STEPS[1:], start=2):
            tell(text, step)
            write(writer)
        writer.finish()
    finally:
        gc.unfreeze()
    return report
