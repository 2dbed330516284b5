"""What the reviewers reviewed is what is approved.

A delegation's `revision` counts the changes of its reviewed content (members, dates,
itinerary, border communes) made after a review or a border permit. Each review and permit
keeps the revision it was given on; one given on an earlier revision must be confirmed
("Giữ nguyên ý kiến") or revised before approval. Each change writes `DelegationChange`
lines (what changed, with a version without personal data for masked viewers) and an
audit entry.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.core import audit
from app.core.countries import country_name
from app.core.dates import VN_TZ
from app.core.errors import StaleObjectError
from app.core.models import AuditEntry
from app.delegations import workflow
from app.delegations.models import (
    BorderPermit,
    Delegation,
    DelegationChange,
    PassportType,
    Review,
    ReviewerKind,
    Sex,
)
from app.delegations.states import DelegationAudit
from app.extensions import db

PERSONAL = ("birth_date", "passport_number")  # never shown to masked viewers
MEMBER_LABELS = {
    "full_name": "họ và tên",
    "sex": "giới tính",
    "birth_date": "ngày sinh",
    "nationality": "quốc tịch",
    "passport_number": "số hộ chiếu",
    "passport_type": "loại hộ chiếu",
    "passport_expiry": "hạn hộ chiếu",
    "position": "chức vụ",
    "organization_name": "cơ quan, tổ chức",
    "is_head": "trưởng đoàn",
}
DATE_LABELS = {"start_on": "ngày bắt đầu", "end_on": "ngày kết thúc"}
HIDDEN = "(đã thay đổi)"
# Told to whoever saves a change that re-opens the reviews.
LOOK_AGAIN = "Các cơ quan đã cho ý kiến sẽ phải xem lại hồ sơ."


@dataclass(frozen=True)
class Line:
    text: str
    masked: str | None = None  # the line without personal data, when it shows some


DATE_FIELDS = ("birth_date", "passport_expiry", "start_on", "end_on")


def _shown(name: str, value) -> str:
    if name in DATE_FIELDS and isinstance(value, str) and value:
        value = date.fromisoformat(value)  # audit snapshots keep dates as ISO text
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if name == "sex":
        return Sex(value).label
    if name == "passport_type":
        return PassportType(value).label
    if name == "nationality":
        return country_name(value) or value
    return str(value)


def member_change_line(name: str, before: dict, after: dict) -> Line | None:
    """ "Sửa thành viên A: chức vụ X → Y; số hộ chiếu M1 → M2" (masked: "số hộ chiếu (đã
    thay đổi)"), or None when nothing changed."""
    full, masked = [], []
    for field, label in MEMBER_LABELS.items():
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        part = f"{label} {_shown(field, old)} → {_shown(field, new)}"
        full.append(part)
        masked.append(f"{label} {HIDDEN}" if field in PERSONAL else part)
    if not full:
        return None
    head = f"Sửa thành viên {name}: "
    text, hidden = head + "; ".join(full), head + "; ".join(masked)
    return Line(text[:500], hidden[:500] if hidden != text else None)


def date_lines(before: dict, after: dict) -> list[Line]:
    """ "Đổi ngày kết thúc 05/03/2027 → 07/03/2027"."""
    return [
        Line(f"Đổi {label} {_shown(f, before[f])} → {_shown(f, after[f])}")
        for f, label in DATE_LABELS.items()
        if before.get(f) != after.get(f)
    ]


def stop_text(stop) -> str:
    commune = stop.commune
    parts = [
        f"{stop.day:%d/%m/%Y}" if stop.day else "",
        f"{commune.name}{' (xã biên giới)' if commune.is_border else ''}" if commune else "",
        stop.place or "",
        stop.activity or "",
    ]
    return ", ".join(p for p in parts if p)


def itinerary_lines(before: list[str], after: list[str], border: tuple[bool, bool]) -> list[Line]:
    """Stops added and dropped (as multisets of their descriptions), and the border area."""
    lines = []
    rest = list(before)
    for text in after:
        if text in rest:
            rest.remove(text)
        else:
            lines.append(Line(f"Thêm điểm lịch trình: {text}"[:500]))
    lines += [Line(f"Bỏ điểm lịch trình: {text}"[:500]) for text in rest]
    if border[0] != border[1]:
        entered = "Đoàn vào khu vực biên giới"
        lines.append(Line(entered if border[1] else "Đoàn không còn vào khu vực biên giới"))
    return lines


def look_again_note(delegation: Delegation, revision_before: int) -> str:
    """ " Các cơ quan … xem lại hồ sơ." when a save made a new revision, else ""."""
    return f" {LOOK_AGAIN}" if (delegation.revision or 0) > (revision_before or 0) else ""


def _reviewed(delegation: Delegation) -> bool:
    """Whether someone already reviewed this delegation: a review or a live permit."""
    if delegation.reviews:
        return True
    permit = db.select(BorderPermit.id).where(
        BorderPermit.delegation_id == delegation.id, BorderPermit.archived_at.is_(None)
    )
    return db.session.scalar(permit.limit(1)) is not None


def note_changes(delegation: Delegation, lines: list[Line], *, user) -> None:
    """After a review, a change of the reviewed content makes a new revision: its lines are
    kept and audited (without personal data); the reviews and permits given before are now
    on an earlier version. Before any review nothing is noted (the audit has the edit)."""
    lines = [line for line in lines if line]
    if not lines or not _reviewed(delegation):
        return
    old = delegation.revision or 0
    delegation.revision = old + 1
    for line in lines:
        db.session.add(
            DelegationChange(
                delegation_id=delegation.id,
                revision=delegation.revision,
                changed_by_id=getattr(user, "id", None),  # None: the command line
                text=line.text,
                masked_text=line.masked,
            )
        )
    db.session.flush()
    masked = "; ".join(line.masked or line.text for line in lines)
    audit.record(
        DelegationAudit.REVIEWS_REOPENED,
        delegation,
        user=user,
        username=None if user else "cli",
        summary=(
            f"Hồ sơ đoàn {delegation.code} thay đổi sau khi đã có ý kiến: các ý kiến đã cho "
            f"trở thành ý kiến trên phiên bản trước"
        ),
        changes={"phien_ban": [old, delegation.revision], "thay_doi": [None, masked]},
    )


def _since_revisions(delegation: Delegation, permits: list[BorderPermit]) -> dict[str, int]:
    """{reviewer kind or "permit": revision} of each review and live permit given on an
    earlier version (the permit: the oldest such permit)."""
    given = {r.reviewer_kind: r.given_on_revision for r in delegation.outdated_reviews}
    old_permits = [
        p.given_on_revision
        for p in permits
        if not p.is_archived and p.given_on_revision < delegation.revision
    ]
    if old_permits:
        given["permit"] = min(old_permits)
    return given


def _changes_after(delegation: Delegation, revision: int) -> list[DelegationChange]:
    return db.session.scalars(
        db.select(DelegationChange)
        .where(
            DelegationChange.delegation_id == delegation.id,
            DelegationChange.revision > revision,
        )
        .order_by(DelegationChange.id)
    ).all()


def changes_since(delegation: Delegation, permits: list[BorderPermit]) -> dict:
    """{reviewer kind or "permit": [DelegationChange]}: what changed since each review and
    live permit given on an earlier version, in one query."""
    given = _since_revisions(delegation, permits)
    if not given:
        return {}
    rows = _changes_after(delegation, min(given.values()))
    return {key: [c for c in rows if c.revision > since] for key, since in given.items()}


# --- What each confirmation covered (the record page) ---------------------------------------

CONFIRMED_BY = {
    **{f"{DelegationAudit.REVIEW_CONFIRM}_{kind}": str(kind) for kind in ReviewerKind},
    DelegationAudit.BORDER_PERMIT_CONFIRM: "permit",
}
# A review given again replaces what was confirmed of the previous one.
REVIEWED_AGAIN = {f"{DelegationAudit.REVIEW}_{kind}": str(kind) for kind in ReviewerKind}


@dataclass
class Confirmation:
    """A reviewer kept its review or permit ("Giữ nguyên"): when (Vietnam date), who, the
    note, and the changes (DelegationChange rows) it covered."""

    at: datetime
    on: date
    by: str
    agency: object
    comment: str | None
    revisions: tuple[int | None, int | None] = (None, None)  # (from, to], None: unknown
    changes: list | None = None  # set by review_history


def _utc(moment: datetime) -> datetime:
    """Stored moments are UTC; SQLite gives them back without their zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _vn_day(moment: datetime) -> date:
    return _utc(moment).astimezone(ZoneInfo(VN_TZ)).date()


def _comment(entry: AuditEntry, code: str) -> str | None:
    """The note of a confirmation: kept in its changes; older entries only have it at the
    end of their summary ("… (đoàn CODE). note")."""
    changes = entry.changes or {}
    if "ghi_chu" in changes:
        return changes["ghi_chu"][1]
    _head, found, note = (entry.summary or "").partition(f"(đoàn {code}). ")
    return (note or None) if found else None


def _confirmations(delegation: Delegation) -> dict[str, list[Confirmation]]:
    """{reviewer kind or "permit": [Confirmation]} from the audit log, in one query."""
    entries = db.session.scalars(
        db.select(AuditEntry)
        .where(
            AuditEntry.object_type == Delegation.__tablename__,
            AuditEntry.object_id == str(delegation.id),
            AuditEntry.action.in_([*CONFIRMED_BY, *REVIEWED_AGAIN]),
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    found: dict[str, list[Confirmation]] = {}
    for entry in entries:
        if entry.action in REVIEWED_AGAIN:
            found.pop(REVIEWED_AGAIN[entry.action], None)
            continue
        user = entry.user
        revisions = (entry.changes or {}).get("phien_ban") or (None, None)
        found.setdefault(CONFIRMED_BY[entry.action], []).append(
            Confirmation(
                at=entry.at,
                on=_vn_day(entry.at),
                by=user.full_name if user else (entry.username or ""),
                agency=user.agency if user else None,
                comment=_comment(entry, delegation.code),
                revisions=(revisions[0], revisions[1]),
            )
        )
    return found


def review_history(delegation: Delegation, permits: list[BorderPermit]) -> tuple[dict, dict]:
    """(since, confirmed) for the record page: what changed since each review or permit
    given on an earlier version (as changes_since), and each confirmation with the changes
    it covered. Two queries in all (the audit entries, the change lines), however many
    confirmations and changes."""
    given = _since_revisions(delegation, permits)
    confirmed = _confirmations(delegation)
    lows = [*given.values()]
    for items in confirmed.values():
        lows += [c.revisions[0] if c.revisions[0] is not None else 0 for c in items]
    rows = _changes_after(delegation, min(lows)) if lows else []
    since = {key: [c for c in rows if c.revision > low] for key, low in given.items()}
    for items in confirmed.values():
        previous = 0
        for item in items:
            low, high = item.revisions
            if high is None:  # an entry written before the revisions were kept
                low = previous
                at = _utc(item.at)
                high = max((c.revision for c in rows if _utc(c.changed_at) <= at), default=low)
            item.changes = [c for c in rows if low < c.revision <= high]
            previous = high
    return since, confirmed


def _confirm_changes(old: int, new: int, comment: str | None) -> dict:
    """A confirmation's audit changes: the revisions it covers and its note (the record
    page shows both, see review_history)."""
    changes = {"phien_ban": [old, new]}
    if comment:
        changes["ghi_chu"] = [None, comment[:1000]]
    return changes


def _seen(delegation: Delegation, revision: int | None) -> None:
    """A confirmation covers the changes the reviewer saw: refused (409) when the
    delegation changed again since (`revision` is what the page showed)."""
    if revision is not None and revision != delegation.revision:
        raise StaleObjectError(
            "Hồ sơ đoàn vừa thay đổi thêm sau khi bạn mở trang: vui lòng xem lại các thay "
            "đổi rồi xác nhận."
        )


def confirm_review(
    delegation: Delegation,
    kind: str,
    comment: str | None = None,
    *,
    user,
    revision: int | None = None,
):
    """The reviewer keeps its review given on an earlier version ("Giữ nguyên ý kiến")."""
    workflow.require(delegation, workflow.confirm_action(kind), user)
    _seen(delegation, revision)
    review: Review = delegation.review_by(kind)
    old = review.given_on_revision
    review.given_on_revision = delegation.revision
    summary = f"Giữ nguyên {review.kind_label.lower()}: {review.verdict_label}"
    summary = f"{summary} (đoàn {delegation.code})"
    if comment:
        summary = f"{summary}. {comment}"
    db.session.flush()
    audit.record(
        f"{DelegationAudit.REVIEW_CONFIRM}_{kind}",
        delegation,
        user=user,
        summary=summary[:500],
        changes=_confirm_changes(old, delegation.revision, comment),
    )
    return review


def confirm_border_permit(
    delegation: Delegation, comment: str | None = None, *, user, revision: int | None = None
):
    """The police keep the border permit issued on an earlier version."""
    workflow.require(delegation, "confirm_border_permit", user)
    _seen(delegation, revision)
    permits = workflow.outdated_permits(delegation)
    old = min(p.given_on_revision for p in permits)
    for permit in permits:
        permit.given_on_revision = delegation.revision
    numbers = ", ".join(p.number for p in permits)
    summary = f"Giữ nguyên giấy phép vào khu vực biên giới số {numbers} (đoàn {delegation.code})"
    if comment:
        summary = f"{summary}. {comment}"
    db.session.flush()
    audit.record(
        DelegationAudit.BORDER_PERMIT_CONFIRM,
        delegation,
        user=user,
        summary=summary[:500],
        changes=_confirm_changes(old, delegation.revision, comment),
    )
    return permits
