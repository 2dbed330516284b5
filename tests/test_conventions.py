"""House conventions that a review would otherwise have to catch by eye."""

import ast
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


# --- Audit action names ------------------------------------------------------------------

# app.core.audit's writers and the position of their `action` argument.
AUDIT_WRITERS = {"record": 0, "entry_row": 0}


def _called_name(call: ast.Call) -> str | None:
    """`audit.record(...)` -> "record", `self.audit(...)` -> "audit", `saved(...)` -> "saved"."""
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in AUDIT_WRITERS and not (
            isinstance(func.value, ast.Name) and func.value.id == "audit"
        ):
            return None  # some other object's record(), not the audit log's
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _action_argument(call: ast.Call, writers: dict) -> ast.expr | None:
    """The expression passed as the action to an audit writer, if the call is to one."""
    name = _called_name(call)
    if name not in writers:
        return None
    position, keyword = writers[name]
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[position] if len(call.args) > position else None


def _audit_writers(trees: list[ast.Module]) -> dict:
    """The audit log's writers and every function that passes one of its parameters on to
    one as the action (saved, logged, ...), as name -> (position, parameter name)."""
    writers = {name: (position, "action") for name, position in AUDIT_WRITERS.items()}
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef) or function.name in writers:
                    continue
                params = [a.arg for a in function.args.posonlyargs + function.args.args]
                if params[:1] in (["self"], ["cls"]):
                    params = params[1:]
                keyword_only = [a.arg for a in function.args.kwonlyargs]
                for call in ast.walk(function):
                    given = isinstance(call, ast.Call) and _action_argument(call, writers)
                    if isinstance(given, ast.Name) and given.id in params + keyword_only:
                        position = params.index(given.id) if given.id in params else 999
                        writers[function.name] = (position, given.id)
                        grew = True
                        break
    return writers


def _literal_actions(sources: dict[str, str]) -> list[str]:
    """`file:line: action` for every audit action written as a string literal (or an
    f-string beginning with one) where an audit writer is called."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    writers = _audit_writers(list(trees.values()))
    found = []
    for name, tree in trees.items():
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            action = _action_argument(call, writers)
            literal = isinstance(action, ast.Constant) and isinstance(action.value, str)
            if isinstance(action, ast.JoinedStr) and action.values:
                literal = isinstance(action.values[0], ast.Constant)
            if literal:
                found.append((name, call.lineno, ast.unparse(action)))
    return [f"{name}:{line}: {action}" for name, line, action in sorted(found)]


def test_audit_actions_are_named_constants():
    """Outside app/core, an audit action is a domain's constant (AidAudit, DelegationAudit,
    OrgAudit, AuthAudit, TransferAudit), never a string written at the call."""
    sources = {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "app").rglob("*.py"))
        if "app/core/" not in str(path)
    }
    found = _literal_actions(sources)
    assert found == [], "audit actions written as literals:\n" + "\n".join(found)


def test_the_audit_action_check_sees_literals_and_wrappers():
    sample = """
from app.core import audit

def logged(record, action, summary, *, user):
    audit.record(action, record, user=user, summary=summary)

def _add(record, row, what, *, user):
    logged(record, what, "...", user=user)

def fine(record, user):
    logged(record, Audit.CREATE, "tạo", user=user)
    audit.record(Audit.EXPORT, record)
    record.record("not.audit")

def wrong(record, kind, user):
    audit.record("x.export", record)
    audit.entry_row(action="x.import", object_type="x", object_id=1, summary="")
    logged(record, "x.create", "tạo", user=user)
    _add(record, None, f"x.review_{kind}", user=user)
"""
    found = [line.split(": ", 1)[1] for line in _literal_actions({"sample.py": sample})]
    assert found == ["'x.export'", "'x.import'", "'x.create'", "f'x.review_{kind}'"]


def test_pandas_lives_in_stats_and_transfer_only():
    """DESIGN.md: pandas in app/stats and app/transfer only (the domains call their pure
    figures there)."""
    allowed = {ROOT / "app" / "stats", ROOT / "app" / "transfer"}
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        if any(folder in path.parents for folder in allowed):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name == "pandas" or name.startswith("pandas.") for name in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
