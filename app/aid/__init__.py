"""Aid items: the dossier, the procedure from receipt to decision, and the follow-up."""


def init_app(app) -> None:
    """Register what the aid domain adds to shared pages: the readers of its attachments
    and its lines on the home page. Idempotent (tests build several apps in one process)."""
    from app.aid import services
    from app.core.permissions import ATTACHMENT_READERS
    from app.core.views import INBOX_PROVIDERS

    # Opinions, decisions, reports and the dossier's files belong to the registry every
    # signed-in user may read.
    for owner_type in ("opinion", services.DECISION_FILES, "aid_report", "aid_item"):
        ATTACHMENT_READERS[owner_type] = _read_with_the_registry
    if services.inbox_counts not in INBOX_PROVIDERS:
        INBOX_PROVIDERS.append(services.inbox_counts)


def _read_with_the_registry(user, _owner_id) -> bool:
    from app.core import permissions as rules

    return rules.read_registry.allows(user)
