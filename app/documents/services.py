"""Use cases of the documents domain: draft a document from a record, mark it sent (the copy
kept as the record's attachment and the notice task waiting for it closed, together), and
manage the templates' versions. Writes only flush; the view commits once."""

import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from app.core import attachments, audit, validation
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.dates import format_date, today_vn
from app.core.errors import DomainError, FieldError
from app.documents import contexts, render
from app.documents.models import DocumentTemplate, GeneratedDocument
from app.documents.states import (
    AID_ITEM,
    DRAFT_FILES,
    OFFERED_IN,
    OWNER_OF,
    PLAN_REPORT,
    YEAR,
    DocumentAudit,
)
from app.documents.states import DocumentKind as K
from app.extensions import db

TEMPLATE_FILES = "document_template"

RULES = {
    K.AID_OPINION_REQUEST: rules.draft_aid_document,
    K.AID_APPRAISAL_REPORT: rules.draft_aid_document,
    K.AID_APPROVAL_DRAFT: rules.draft_aid_document,
    K.AID_REFUSAL_LETTER: rules.draft_aid_document,
    K.AID_DECISION_NOTICE: rules.draft_aid_document,
    K.DELEGATION_REPLY: rules.draft_delegation_reply,
    K.DELEGATION_BORDER_NOTICE: rules.draft_delegation_document,
    K.DELEGATION_RECEPTION_LIST: rules.draft_delegation_document,
    K.ANNUAL_AID_REPORT: rules.draft_annual_report,
    K.PLAN_REPORT: rules.draft_plan_report,
}


@dataclass
class Draft:
    document: GeneratedDocument
    data: bytes
    filename: str


# --- Records and what they offer --------------------------------------------------------------


def load_record(owner_type: str, owner_id: int):
    """The record a document belongs to (the year itself for the annual report), or None."""
    if owner_type == YEAR:
        return owner_id
    if owner_type == AID_ITEM:
        from app.aid.models import AidItem

        return db.session.get(AidItem, owner_id)
    if owner_type == PLAN_REPORT:
        from app.planreport.models import PlanReport

        return db.session.get(PlanReport, owner_id)
    from app.delegations.models import Delegation

    return db.session.get(Delegation, owner_id)


def _label_of(record) -> str:
    return str(record) if isinstance(record, int) else record.code


def why_not_offered(kind: str, record) -> str | None:
    """Why the document is not drafted at the record's step now (None: it is)."""
    kind = K(kind)
    if OWNER_OF[kind] == YEAR:
        return None
    if record.is_archived:
        return "Hồ sơ đã lưu trữ, không soạn thêm văn bản."
    if record.status not in OFFERED_IN[kind]:
        return f"Không soạn “{kind.label}” khi hồ sơ đang ở trạng thái “{record.status_label}”."
    if kind == K.DELEGATION_BORDER_NOTICE and not record.is_border_area:
        return "Đoàn không đến khu vực biên giới."
    return None


def may_draft(kind: str, record, user) -> bool:
    return RULES[K(kind)].allows(user, record) and why_not_offered(kind, record) is None


def offered_kinds(owner_type: str, record, user) -> list:
    """The documents the user may draft from the record now, in the table's order."""
    return [kind for kind in K if OWNER_OF[kind] == owner_type and may_draft(kind, record, user)]


def documents_of(owner_type: str, owner_id: int) -> list[GeneratedDocument]:
    """The record's documents, newest first (one query)."""
    return db.session.scalars(
        sa.select(GeneratedDocument)
        .where(GeneratedDocument.owner_type == owner_type, GeneratedDocument.owner_id == owner_id)
        .order_by(GeneratedDocument.id.desc())
    ).all()


# --- Templates ------------------------------------------------------------------------------


def active_template(kind: str) -> DocumentTemplate | None:
    return db.session.scalar(
        sa.select(DocumentTemplate).where(
            DocumentTemplate.kind == K(kind).value, DocumentTemplate.active.is_(True)
        )
    )


def template_source(kind: str) -> tuple[bytes, int]:
    """The active template's bytes and version (0: the committed default)."""
    active = active_template(kind)
    if active is None:
        return render.default_template(K(kind).value), 0
    return attachments.read(active.attachment), active.version


def template_versions(kind: str) -> list[DocumentTemplate]:
    return db.session.scalars(
        sa.select(DocumentTemplate)
        .where(DocumentTemplate.kind == K(kind).value)
        .order_by(DocumentTemplate.version.desc())
    ).all()


def upload_template(kind: str, file, note: str | None = None, *, user) -> DocumentTemplate:
    """A new version of the kind's template, made the active one; the older ones stay."""
    rules.manage_document_templates.require(user)
    kind = K(kind)
    if file is None or not getattr(file, "filename", ""):
        raise FieldError("file", "Chưa chọn tệp mẫu.")
    if not file.filename.lower().endswith(".docx"):
        raise FieldError("file", "Mẫu văn bản phải là tệp Word (.docx).")
    data = file.read(render.template_limit() + 1)  # enough to know it is too large
    render.check_template(kind.value, data)
    stored = attachments.store(
        FileStorage(io.BytesIO(data), filename=file.filename), TEMPLATE_FILES, 0, user
    )
    latest = db.session.scalar(
        sa.select(sa.func.max(DocumentTemplate.version)).where(DocumentTemplate.kind == kind.value)
    )
    _deactivate(kind)
    template = DocumentTemplate(
        kind=kind.value,
        version=(latest or 0) + 1,
        attachment_id=stored.id,
        note=note or None,
        uploaded_by_id=user.id,
        active=True,
    )
    db.session.add(template)
    db.session.flush()
    stored.owner_id = template.id
    audit.record(
        DocumentAudit.TEMPLATE_UPLOAD,
        template,
        user=user,
        summary=f"Tải lên mẫu “{kind.label}” phiên bản {template.version}",
    )
    return template


def _deactivate(kind) -> None:
    for row in db.session.scalars(
        sa.select(DocumentTemplate).where(
            DocumentTemplate.kind == K(kind).value, DocumentTemplate.active.is_(True)
        )
    ):
        row.active = False
    db.session.flush()


def activate_template(kind: str, version: int, *, user) -> None:
    """Use an uploaded version again, or the committed default (version 0)."""
    rules.manage_document_templates.require(user)
    kind = K(kind)
    chosen = None
    if version:
        chosen = db.session.scalar(
            sa.select(DocumentTemplate).where(
                DocumentTemplate.kind == kind.value, DocumentTemplate.version == version
            )
        )
        if chosen is None:
            raise DomainError("Không có phiên bản mẫu này.")
    _deactivate(kind)
    if chosen is not None:
        chosen.active = True
    shown = f"phiên bản {version}" if version else "mẫu mặc định"
    audit.record(
        DocumentAudit.TEMPLATE_ACTIVATE,
        user=user,
        object_type=TEMPLATE_FILES,
        object_id=chosen.id if chosen else None,
        summary=f"Dùng {shown} cho “{kind.label}”",
    )


# --- Drafting and sending -------------------------------------------------------------------


def generate(kind: str, record, *, user, day: date | None = None) -> Draft:
    """Draft the document from the record, keep the draft file and say who and when."""
    kind = K(kind)
    RULES[kind].require(user, record)
    if reason := why_not_offered(kind, record):
        raise DomainError(reason)
    day = day or today_vn()
    context = contexts.build(kind, record, user.agency, day)
    source, version = template_source(kind)
    data = render.render(source, context)
    owner_type = OWNER_OF[kind]
    document = GeneratedDocument(
        kind=kind.value,
        owner_type=owner_type,
        owner_id=record if owner_type == YEAR else record.id,
        drafted_on=day,
        generated_by_id=user.id,
        template_version=version,
    )
    db.session.add(document)
    db.session.flush()
    filename = secure_filename(f"{kind.value}_{_label_of(record)}_{day:%Y%m%d}.docx")
    draft = attachments.store(
        FileStorage(io.BytesIO(data), filename=filename), DRAFT_FILES, document.id, user
    )
    document.draft_attachment_id = draft.id
    audit.record(
        DocumentAudit.GENERATE,
        document,
        user=user,
        summary=f"Soạn “{kind.label}” – {_label_of(record)} (mẫu phiên bản {version})",
    )
    return Draft(document, data, filename)


def mark_sent(
    document: GeneratedDocument,
    sent_on: date | None,
    document_number: str | None,
    *,
    user,
    version: int | None,
) -> GeneratedDocument:
    """The document was sent: its date and number, the file kept as an attachment of the
    record, and the notice task waiting for it closed, all in the caller's one commit."""
    kind = K(document.kind)
    record = load_record(document.owner_type, document.owner_id)
    RULES[kind].require(user, record)
    check_version(document, version)
    validation.raise_all(
        validation.collect(
            (_given, sent_on, "sent_on", "Vui lòng nhập ngày gửi."),
            (_given, document_number, "document_number", "Vui lòng nhập số văn bản."),
            (validation.not_future, sent_on, "sent_on", "Ngày gửi"),
            (
                validation.not_before,
                sent_on,
                document.drafted_on,
                "sent_on",
                "Ngày gửi",
                f"ngày soạn thảo ({format_date(document.drafted_on)})",
            ),
        )
    )
    require_unsent(document)
    draft = document.draft_attachment
    kept = attachments.store(
        FileStorage(io.BytesIO(attachments.read(draft)), filename=draft.filename),
        document.owner_type,
        document.owner_id,
        user,
        note=f"{kind.label}, số {document_number}, gửi ngày {format_date(sent_on)}"[:500],
    )
    document.sent_on, document.document_number = sent_on, document_number
    document.sent_by_id, document.attachment_id = user.id, kept.id
    closed = _close_waiting_task(kind, record, sent_on, document_number, user)
    audit.record(
        DocumentAudit.SENT,
        document,
        user=user,
        summary=f"Đã gửi “{kind.label}” số {document_number} – {_label_of(record)}"
        + (f"; {closed}" if closed else ""),
        changes={
            "sent_on": [None, sent_on.isoformat()],
            "document_number": [None, document_number],
        },
    )
    return document


def require_unsent(document: GeneratedDocument) -> None:
    """A document is marked sent once (409)."""
    if document.is_sent:
        raise DomainError(f"Văn bản đã được ghi nhận gửi ngày {format_date(document.sent_on)}.")


def _given(value, field: str, message: str) -> None:
    if not value:
        raise FieldError(field, message)


def _close_waiting_task(kind, record, sent_on, number, user) -> str | None:
    """The notice to the donor after an approval (aid notice task), or the delegation's
    notice to police and border guard: recorded as done by this sending."""
    if kind == K.AID_DECISION_NOTICE:
        from app.aid.notices import AidNotice
        from app.aid.services.notices import complete_notice
        from app.aid.states import NoticeKind

        task = db.session.scalar(
            sa.select(AidNotice)
            .where(
                AidNotice.aid_item_id == record.id,
                AidNotice.kind == NoticeKind.NHA_TAI_TRO.value,
                AidNotice.done_on.is_(None),
            )
            .order_by(AidNotice.id)
            .limit(1)
        )
        if task is None:
            return None
        _as_sent_on(complete_notice, task, sent_on, number, user=user, version=task.version)
        return f"hoàn thành việc “{task.label}”"
    if kind == K.DELEGATION_BORDER_NOTICE and record.border_notice_on is None:
        from app.delegations.services.reviews import record_border_notice

        _as_sent_on(record_border_notice, record, sent_on, user=user)
        return "ghi nhận thông báo Công an, Bộ đội Biên phòng"
    return None


def _as_sent_on(service, *args, **kwargs) -> None:
    """A closing service's date error belongs next to this form's "sent_on" field."""
    try:
        service(*args, **kwargs)
    except FieldError as error:
        raise FieldError("sent_on", " ".join(error.errors.values())) from None
