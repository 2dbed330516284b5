"""House conventions that a review would otherwise have to catch by eye."""

import re
from pathlib import Path

import pytest

from app.aid.states import AidStatus
from app.delegations.states import DelegationStatus

ROOT = Path(__file__).resolve().parent.parent
STATE_MODULES = {ROOT / "app/aid/states.py", ROOT / "app/delegations/states.py"}
STATUS_KEYS = sorted({*AidStatus.labels(), *DelegationStatus.labels()})
STATUS_LITERAL = re.compile(r"""(['"])(""" + "|".join(STATUS_KEYS) + r""")\1""")


def _sources():
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path not in STATE_MODULES:
            yield path
    yield from sorted((ROOT / "templates").rglob("*.html"))


def test_status_values_live_only_in_the_states_modules():
    """Statuses and their groups are named once (app/aid/states.py, app/delegations/states.py)."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in STATUS_LITERAL.finditer(line)
    ]
    assert found == [], "status literals outside the states modules:\n" + "\n".join(found)


@pytest.mark.parametrize("path", sorted((ROOT / "app").rglob("*.py")), ids=str)
def test_modules_are_short_or_say_why(path):
    """No module over 500 lines unless its docstring starts by saying it is one job."""
    text = path.read_text(encoding="utf-8")
    if text.count("\n") <= 500:
        return
    head = text.lstrip()[:400].lower()
    assert "one job" in head, f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines"


def test_no_private_audit_helpers_outside_core():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if "app/core/" not in str(path) and re.search(r"audit\._\w", path.read_text("utf-8"))
    ]
    assert offenders == []
