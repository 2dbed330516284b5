"""Workflows as data: a transition table (state, action) -> (new state, who may, guard).

Each domain builds one `Workflow` from its table; `apply()` is the only way a record changes
state: it checks the table, the permission rule and the guard, runs the step's effect,
sets the state, stores who/when/comment as a step row and writes the audit entry, all in
the caller's transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass
class Workflow:
    noun: str  # "khoản viện trợ", for messages
    audit_prefix: str  # "aid"
    transitions: dict[tuple[str, str], Transition]
    state_labels: dict[str, str]
    step_model: type
    step_owner_field: str  # the step's foreign key to the record

    @property
    def actions(self) -> dict[str, Action]:
        return {t.action.key: t.action for t in self.transitions.values()}

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

    def available_actions(self, record, user) -> tuple[list[Action], list[tuple[Action, str]]]:
        """(actions the user may take now, [(action, why it must wait)])."""
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

    def apply(self, record, action: str, user, comment: str | None = None, effect=None):
        """Check and perform one step; `effect` records the step's own data."""
        transition = self.transition_for(record, action)
        transition.action.rule.require(user, record)
        if record.is_archived:
            raise DomainError(f"{self.noun.capitalize()} đã lưu trữ, không thể xử lý tiếp.")
        if transition.guard and (reason := transition.guard(record)):
            raise DomainError(reason)
        if effect:
            effect()
        old_status = record.status
        new_status = transition.target or old_status
        record.status = new_status
        step = self._add_step(record, action, old_status, new_status, user, comment)
        db.session.flush()
        summary = f"{transition.action.label}: {record.code}" + (f" – {comment}" if comment else "")
        audit.record(
            f"{self.audit_prefix}.{action}",
            record,
            user=user,
            summary=summary,
            changes={"status": [old_status, new_status]} if old_status != new_status else None,
        )
        return step
