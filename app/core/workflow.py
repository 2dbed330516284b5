"""Workflows as data: one table per domain of what may be done to a record, in which state,
by whom, and on what condition.

Two kinds of rows share the table:
- a `Transition` moves the record to a new state (or keeps it, e.g. an amendment): it
  writes a step row (who, when, comment) and an audit entry with the state change;
- an `Entry` records something on the record without changing its state (a disbursement,
  a review, a border permit...): the service writes its own row and audit entry.

`with workflow.step(record, action, user, comment) as step:` checks the row on entry (state,
permission rule, archived, guard), lets the service record the step's own data, and on a
clean exit writes the state, the step row and the audit entry. An exception inside the
block writes nothing (the view rolls the transaction back). `may()` answers "may this user
do X to this record now" for the service, the view and the template alike (`may(record,
"x")` in Jinja).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from app.core import audit
from app.core.errors import DomainError
from app.core.permissions import Rule
from app.extensions import db


@dataclass(frozen=True)
class Action:
    key: str
    label: str  # the button
    rule: Rule
    style: str = "primary"


@dataclass(frozen=True)
class Transition:
    action: Action
    target: str | None  # None: the record keeps its state (e.g. an amendment)
    guard: Callable | None = None  # (record) -> why not, in Vietnamese, or None
    # A guard saying the step does not apply to this kind of record (rather than "not
    # yet"): the button is hidden instead of shown as waiting.
    hide_when_blocked: bool = False


@dataclass(frozen=True)
class Entry:
    """Something recorded on a record, in the given states, without changing its state."""

    action: Action
    states: frozenset[str]
    guard: Callable | None = None
    # Message when the record is in another state ("{state}" is replaced by its label).
    wrong_state: str = ""


@dataclass
class Step:
    """What the block of `workflow.step()` may add to the step's audit entry."""

    transition: Transition
    changes: dict = field(default_factory=dict)
    row: object | None = None  # the step row, once written


# Every workflow by the model class it governs, for the `may()` template helper.
WORKFLOWS: dict[type, "Workflow"] = {}


@dataclass
class Workflow:
    model: type
    noun: str  # "khoản viện trợ", for messages
    audit_prefix: str  # "aid"
    transitions: dict[tuple[str, str], Transition]
    state_labels: dict[str, str]
    step_model: type
    step_owner_field: str  # the step's foreign key to the record
    entries: dict[str, Entry] = field(default_factory=dict)

    def __post_init__(self):
        WORKFLOWS[self.model] = self

    @property
    def actions(self) -> dict[str, Action]:
        found = {t.action.key: t.action for t in self.transitions.values()}
        found.update({key: entry.action for key, entry in self.entries.items()})
        return found

    # --- Questions ---------------------------------------------------------------------

    def transition_for(self, record, action: str) -> Transition:
        """The transition of `action` from the record's state, or a 409 DomainError."""
        found = self.transitions.get((record.status, action))
        if found is None:
            known = self.actions.get(action)
            label = known.label if known else action
            raise DomainError(
                f"Không thể thực hiện “{label}” khi {self.noun} đang ở trạng thái "
                f"“{self.state_labels[record.status]}”."
            )
        return found

    def why_not(self, record, action: str, user) -> str | None:
        """None when the user may do `action` to the record now, else the reason."""
        try:
            self.require(record, action, user)
        except DomainError as refusal:
            return refusal.message
        return None

    def may(self, record, action: str, user) -> bool:
        return self.why_not(record, action, user) is None

    def require(self, record, action: str, user) -> Transition | Entry:
        """Check one row of the table; raise PermissionDenied (403) or DomainError (409)."""
        entry = self.entries.get(action)
        if entry is not None:
            entry.action.rule.require(user, record)
            if record.is_archived:
                raise DomainError(f"{self.noun.capitalize()} đã lưu trữ, không thể xử lý tiếp.")
            if record.status not in entry.states:
                state = self.state_labels[record.status]
                raise DomainError(
                    entry.wrong_state.format(state=state)
                    or f"Không thể thực hiện “{entry.action.label}” khi {self.noun} đang ở "
                    f"trạng thái “{state}”."
                )
            if entry.guard and (reason := entry.guard(record)):
                raise DomainError(reason)
            return entry
        transition = self.transition_for(record, action)
        transition.action.rule.require(user, record)
        if record.is_archived:
            raise DomainError(f"{self.noun.capitalize()} đã lưu trữ, không thể xử lý tiếp.")
        if transition.guard and (reason := transition.guard(record)):
            raise DomainError(reason)
        return transition

    def require_rule(self, record, action: str, user) -> None:
        """Only the permission rule of `action` (403). Services check it before the data,
        so a user who may not act hears that first; `step()` then checks the state."""
        self.actions[action].rule.require(user, record)

    def available_actions(self, record, user) -> tuple[list[Action], list[tuple[Action, str]]]:
        """State changes: (actions the user may take now, [(action, why it must wait)])."""
        if record.is_archived:
            return [], []
        ready, blocked = [], []
        for (state, _key), transition in self.transitions.items():
            if state != record.status or not transition.action.rule.allows(user, record):
                continue
            reason = transition.guard(record) if transition.guard else None
            if reason is None:
                ready.append(transition.action)
            elif not transition.hide_when_blocked:
                blocked.append((transition.action, reason))
        return ready, blocked

    def available_entries(self, record, user) -> list[Action]:
        """What the user may record on the record now, without changing its state."""
        return [
            entry.action
            for key, entry in self.entries.items()
            if self.why_not(record, key, user) is None
        ]

    # --- Doing ---------------------------------------------------------------------------

    def record_start(self, record, user, action: str = "create") -> None:
        """The first step of a new record (flushed, so the record has its id)."""
        db.session.flush()
        self._add_step(record, action, None, record.status, user, None)

    def _add_step(self, record, action, old_status, new_status, user, comment):
        step = self.step_model(
            action=action,
            from_status=old_status,
            to_status=new_status,
            user_id=user.id,
            comment=comment or None,
        )
        setattr(step, self.step_owner_field, record.id)
        db.session.add(step)
        return step

    @contextmanager
    def step(self, record, action: str, user, comment: str | None = None) -> Iterator[Step]:
        """Check, let the caller record the step's data, then write state, step and audit."""
        checked = self.require(record, action, user)
        if isinstance(checked, Entry):
            raise TypeError(f"{action} records an entry; use require(), not step()")
        current = Step(checked)
        yield current
        old_status = record.status
        new_status = checked.target or old_status
        record.status = new_status
        current.row = self._add_step(record, action, old_status, new_status, user, comment)
        db.session.flush()
        changes = dict(current.changes)
        if old_status != new_status:
            changes["status"] = [old_status, new_status]
        summary = f"{checked.action.label}: {record.code}" + (f" – {comment}" if comment else "")
        audit.record(
            f"{self.audit_prefix}.{action}",
            record,
            user=user,
            summary=summary,
            changes=changes or None,
        )


def may(record, action: str) -> bool:
    """Template helper: may the signed-in user do `action` to `record` now?"""
    from flask_login import current_user

    workflow = WORKFLOWS.get(type(record))
    return bool(workflow and workflow.may(record, action, current_user))
