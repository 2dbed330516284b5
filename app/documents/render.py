"""Filling a DOCX template (docxtpl over python-docx) and checking an uploaded one.

Templates are rendered in Jinja's sandbox with autoescaping (a record's "&" or "<" stays
text, never XML). An uploaded template is refused, with a Vietnamese message next to the
file field, when it is too large, is not a Word package (or unpacks to too much), does not
parse as a template, or uses a value the document does not have (contexts.VARIABLES).
"""

import io
import zipfile
from pathlib import Path

from flask import current_app
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from app.core.attachments import AttachmentError
from app.documents import contexts

DEFAULTS = Path(__file__).resolve().parent / "templates_docx"
MAX_TEMPLATE_BYTES = 2 * 1024 * 1024  # a template is text and a few styles
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_PARTS = 300


def default_template(kind: str) -> bytes:
    return (DEFAULTS / f"{kind}.docx").read_bytes()


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True)


def render(source: bytes, context: dict) -> bytes:
    """The filled document's bytes."""
    from docxtpl import DocxTemplate  # python-docx and lxml: when a document is drafted

    template = DocxTemplate(io.BytesIO(source))
    template.render(context, jinja_env=_environment())
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def template_limit() -> int:
    """The largest template accepted, in bytes (setting DOCUMENT_TEMPLATE_MAX_BYTES)."""
    return current_app.config.get("DOCUMENT_TEMPLATE_MAX_BYTES", MAX_TEMPLATE_BYTES)


def check_template(kind: str, data: bytes) -> None:
    """Raise AttachmentError (422, next to `file`) unless `data` is a usable template."""
    limit = template_limit()
    if len(data) > limit:
        raise AttachmentError(f"Tệp mẫu vượt quá dung lượng cho phép ({limit // 1024} KB).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
            names = {part.filename for part in parts}
    except zipfile.BadZipFile:
        raise AttachmentError("Tệp mẫu không phải tệp Word (.docx) hợp lệ.") from None
    if "word/document.xml" not in names:
        raise AttachmentError("Tệp mẫu không phải tệp Word (.docx) hợp lệ.")
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise AttachmentError("Tệp mẫu có nội dung quá lớn sau khi giải nén.")
    try:
        from docxtpl import DocxTemplate

        used = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(_environment())
    except TemplateError as error:
        raise AttachmentError(f"Mẫu có lỗi cú pháp: {error.message}.") from None
    except Exception:  # any failure to read the package is a bad file
        raise AttachmentError("Không đọc được nội dung tệp mẫu Word.") from None
    unknown = sorted(used - contexts.variables(kind))
    if unknown:
        raise AttachmentError(
            "Mẫu dùng giá trị không có trong văn bản này: "
            + ", ".join(unknown)
            + ". Xem danh sách giá trị được dùng bên dưới."
        )
