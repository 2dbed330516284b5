"""Attachments: size and type limits, the attachment rows, and their bytes in the store
chosen by ATTACHMENT_STORE (app/core/stores.py: a local folder, the database or S3), always
by content hash. Every reader and writer of attachment bytes goes through here."""

import hashlib
import mimetypes
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, current_app, send_file, stream_with_context
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from app.core import audit, stores
from app.core.errors import FieldError
from app.core.models import Attachment
from app.extensions import db


class AttachmentError(FieldError):
    """A file that may not be stored; shown next to the form's `file` field."""

    def __init__(self, message: str, field: str = "file"):
        super().__init__(field, message)


# What the first bytes of each accepted type look like (a renamed .exe is refused).
SIGNATURES = {
    "pdf": (b"%PDF",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG",),
}


def _path_for(sha256: str) -> Path:
    return stores.LocalStore(current_app.config["UPLOAD_DIR"]).path(sha256)


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def check_upload(file: FileStorage) -> None:
    """Raise AttachmentError with a Vietnamese message if the file may not be stored."""
    if file is None or not file.filename:
        raise AttachmentError("Chưa chọn tệp.")
    allowed = current_app.config["ATTACHMENT_EXTENSIONS"]
    if _extension(file.filename) not in allowed:
        raise AttachmentError(
            f"Loại tệp không được chấp nhận. Các loại được phép: {', '.join(sorted(allowed))}."
        )


def store(file: FileStorage, owner_type: str, owner_id: int, user, note: str | None = None):
    """Save the bytes (once per content) and add an Attachment row; caller commits."""
    check_upload(file)
    data = file.read()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if not data:
        raise AttachmentError("Tệp rỗng, không có nội dung.")
    extension = _extension(file.filename)
    signatures = SIGNATURES.get(extension)
    if signatures and not data.startswith(signatures):
        raise AttachmentError(f"Nội dung tệp không phải tệp .{extension} hợp lệ.")
    if extension == "csv" and b"\x00" in data[:4096]:
        raise AttachmentError("Nội dung tệp không phải tệp .csv dạng văn bản.")
    if len(data) > limit:
        raise AttachmentError(f"Tệp vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).")
    sha256 = hashlib.sha256(data).hexdigest()
    stores.store_for().put(sha256, data)  # once per content; before the row is committed
    filename = file.filename.replace("/", "_").replace("\\", "_").strip() or secure_filename(
        file.filename
    )
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    attachment = Attachment(
        owner_type=owner_type,
        owner_id=owner_id,
        filename=filename[:255],
        content_type=content_type,
        size=len(data),
        sha256=sha256,
        note=note,
        uploaded_by_id=user.id if user else None,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        "attachment.add",
        attachment,
        summary=f"Đính kèm tệp {attachment.filename} vào {owner_type} #{owner_id}",
    )
    return attachment


def store_if_sent(file: FileStorage | None, owner_type: str, owner_id: int, user):
    """The file of a form's optional file field, stored if one was chosen (else None)."""
    if file is None or not getattr(file, "filename", ""):
        return None
    return store(file, owner_type, owner_id, user)


def file_path(attachment: Attachment) -> Path:
    """Where the local store keeps the file (ATTACHMENT_STORE=local only; others: read())."""
    return _path_for(attachment.sha256)


def exists(attachment: Attachment) -> bool:
    return stores.store_for().exists(attachment.sha256)


def read(attachment: Attachment) -> bytes:
    """The whole file (small files: templates, drafts); downloads stream with send()."""
    return stores.store_for().read(attachment.sha256)


def chunks(attachment: Attachment) -> Iterator[bytes]:
    return stores.store_for().chunks(attachment.sha256)


def _disposition(filename: str) -> dict:
    """filename= (ASCII) and filename*= (UTF-8) as send_file writes them."""
    try:
        filename.encode("ascii")
        return {"filename": filename}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
        return {"filename": simple, "filename*": f"UTF-8''{quote(filename, safe='!#$&+^`|~')}"}


def send(attachment: Attachment) -> Response:
    """The download of an attachment (404 if its bytes are missing), streamed from the store:
    a local file through send_file (ranges, conditional requests), others block by block."""
    store = stores.store_for()
    if not store.exists(attachment.sha256):
        abort(404)
    if isinstance(store, stores.LocalStore):
        return send_file(
            store.path(attachment.sha256),
            mimetype=attachment.content_type,
            as_attachment=True,
            download_name=attachment.filename,
        )
    response = Response(
        stream_with_context(store.chunks(attachment.sha256)),
        mimetype=attachment.content_type,
        direct_passthrough=True,
    )
    response.headers.set("Content-Disposition", "attachment", **_disposition(attachment.filename))
    response.content_length = attachment.size
    return response


def list_for(owner_type: str, owner_id: int) -> list[Attachment]:
    return db.session.scalars(
        db.select(Attachment)
        .where(
            Attachment.owner_type == owner_type,
            Attachment.owner_id == owner_id,
            Attachment.archived_at.is_(None),
        )
        .order_by(Attachment.created_at)
    ).all()


def by_owner(owner_type: str, owner_ids: list[int]) -> dict[int, list[Attachment]]:
    """The live attachments of several records of one type, in one query."""
    if not owner_ids:
        return {}
    found: dict[int, list[Attachment]] = {}
    for attachment in db.session.scalars(
        db.select(Attachment)
        .where(
            Attachment.owner_type == owner_type,
            Attachment.owner_id.in_(owner_ids),
            Attachment.archived_at.is_(None),
        )
        .order_by(Attachment.created_at, Attachment.id)
    ):
        found.setdefault(attachment.owner_id, []).append(attachment)
    return found


def by_owners(owners: dict[str, list[int]]) -> dict[str, dict[int, list[Attachment]]]:
    """by_owner() for several owner types at once, in one query: {type: {id: [files]}}
    (every type asked is a key, empty when none of its records has a file)."""
    found: dict[str, dict[int, list[Attachment]]] = {kind: {} for kind in owners}
    asked = [
        db.and_(Attachment.owner_type == kind, Attachment.owner_id.in_(ids))
        for kind, ids in owners.items()
        if ids
    ]
    if not asked:
        return found
    for attachment in db.session.scalars(
        db.select(Attachment)
        .where(db.or_(*asked), Attachment.archived_at.is_(None))
        .order_by(Attachment.created_at, Attachment.id)
    ):
        found[attachment.owner_type].setdefault(attachment.owner_id, []).append(attachment)
    return found
