"""Official documents (DOCX) drafted from records, with replaceable templates (issue 14)."""


def init_app(app) -> None:
    """Register who reads the documents' files and the record pages' helper
    `record_documents(owner_type, record)`. Idempotent (tests build several apps)."""
    from app.core.permissions import ATTACHMENT_READERS
    from app.documents.states import DELEGATION, DRAFT_FILES, YEAR

    ATTACHMENT_READERS[DRAFT_FILES] = _read_draft
    ATTACHMENT_READERS[YEAR] = _read_registry
    ATTACHMENT_READERS.setdefault(DELEGATION, _read_delegation_file)
    app.jinja_env.globals["record_documents"] = record_documents


def record_documents(owner_type: str, record):
    """(the kinds the user may draft now, the record's documents, the kinds whose drafted
    documents the user may mark sent) for the partial templates/documents/_record_documents.html."""
    from flask_login import current_user

    from app.documents import services
    from app.documents.states import OWNER_OF

    owner_id = record if isinstance(record, int) else record.id
    offered = services.offered_kinds(owner_type, record, current_user)
    documents = services.documents_of(owner_type, owner_id)
    senders = {
        kind
        for kind, rule in services.RULES.items()
        if OWNER_OF[kind] == owner_type and rule.allows(current_user, record)
    }
    return offered, documents, senders


def _read_registry(user, _owner_id) -> bool:
    from app.core import permissions as rules

    return rules.read_registry.allows(user)


def _read_delegation_file(user, delegation_id) -> bool:
    from app.core import permissions as rules
    from app.delegations.models import Delegation
    from app.extensions import db

    delegation = db.session.get(Delegation, delegation_id)
    return delegation is not None and rules.read_delegations.allows(user, delegation)


def _read_plan_report_file(user, report_id) -> bool:
    from app.planreport import read_report_file

    return read_report_file(user, report_id)


def _read_draft(user, document_id) -> bool:
    """A draft file is read by whoever reads its record."""
    from app.documents.models import GeneratedDocument
    from app.documents.states import DELEGATION as OF_DELEGATION
    from app.documents.states import PLAN_REPORT as OF_PLAN_REPORT
    from app.extensions import db

    document = db.session.get(GeneratedDocument, document_id)
    if document is None:
        return False
    if document.owner_type == OF_DELEGATION:
        return _read_delegation_file(user, document.owner_id)
    if document.owner_type == OF_PLAN_REPORT:
        return _read_plan_report_file(user, document.owner_id)
    return _read_registry(user, document.owner_id)
