"""Import and export of the registry workbook (spec/interchange.md)."""


class TransferAudit:
    """Audit action names of the registry workbook's import and export (a record written
    by the import is audited with its own domain's names, as from a form)."""

    IMPORT = "transfer.import"
    EXPORT = "transfer.export"
