"""Delegations in (đoàn vào) and out (đoàn ra): the request, its members, the review by
foreign affairs and the police, border-area permits and notices, the visit report."""


def init_app(app) -> None:
    """Register what the delegations domain adds to shared pages: the readers of its visit
    report files and its lines on the home page (label, count, endpoint). Idempotent (tests
    build several apps in one process)."""
    from app.core.permissions import ATTACHMENT_READERS
    from app.core.views import INBOX_PROVIDERS
    from app.delegations import services

    ATTACHMENT_READERS["visit_report"] = _read_with_the_registry
    if services.inbox_counts not in INBOX_PROVIDERS:
        INBOX_PROVIDERS.append(services.inbox_counts)


def _read_with_the_registry(user, _owner_id) -> bool:
    from app.core import permissions as rules

    return rules.read_registry.allows(user)
