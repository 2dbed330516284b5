"""The dossier checklist's writes: a document ticked as received (or not), by hand or
with the file attached as that document. Writes only; the view commits once."""

from app.aid.checklist import DossierDocument
from app.aid.services.common import saved
from app.aid.states import AidAudit
from app.aid.workflow import AID_WORKFLOW
from app.core.concurrency import check_version
from app.core.errors import FieldError


def _known(document: str) -> DossierDocument:
    try:
        return DossierDocument(document)
    except ValueError:
        raise FieldError("document", "Thành phần hồ sơ không hợp lệ.") from None


def mark_document(
    item, document: str, received: bool, file_id: int | None = None, *, user, version=None
) -> None:
    """Tick the document as received (with the file attached as it, if any) or untick it;
    audited with the list before and after. Nothing changes: nothing is written."""
    AID_WORKFLOW.require(item, "attach", user)
    if version is not None:
        check_version(item, version)
    label = _known(document).label
    before = list(item.dossier_documents or [])
    after = [key for key in before if key != document] + ([document] if received else [])
    files = {key: list(ids) for key, ids in (item.dossier_files or {}).items()}
    if file_id is not None:
        files.setdefault(document, []).append(file_id)
    changes = {}
    if sorted(after) != sorted(before):
        item.dossier_documents = after
        changes["dossier_documents"] = [before, after]
    if files != (item.dossier_files or {}):
        changes["dossier_files"] = [item.dossier_files, files]
        item.dossier_files = files
    if not changes:
        return
    state = "đã nhận" if received else "chưa nhận"
    summary = f"Hồ sơ {item.code}: {label} – {state}"
    saved(item, AidAudit.DOSSIER_DOCUMENT, user=user, summary=summary, changes=changes)
