"""Use cases for logins, users and agencies. Services flush; the view commits once."""

from datetime import UTC, datetime

from flask import current_app
from werkzeug.security import check_password_hash

from app.auth import throttle
from app.auth.models import (
    KIND_DUTY,
    Agency,
    AgencyDuty,
    AgencyKind,
    AgencyName,
    AuthAudit,
    Duty,
    Role,
    User,
    new_session_token,
)
from app.auth.names import forget_former_names
from app.core import audit
from app.core.concurrency import check_version
from app.core.dates import today_vn
from app.core.errors import DomainError, FieldError
from app.extensions import db

USER_FIELDS = ("username", "full_name", "email", "agency_id", "role", "active")
AGENCY_FIELDS = ("name", "short_name", "code", "parent_id", "kind", "active")
GENERIC_LOGIN_ERROR = "Tên đăng nhập hoặc mật khẩu không đúng."


class LoginError(DomainError):
    status = 401


class LoginLocked(LoginError):
    """Too many failed attempts: the same message for known and unknown names."""

    status = 429


def locked_message() -> str:
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    return (
        "Đăng nhập sai quá nhiều lần nên tạm thời bị khóa. "
        f"Vui lòng thử lại sau {minutes} phút hoặc liên hệ quản trị hệ thống."
    )


def authenticate(username: str, password: str) -> User:
    """Return the user or raise LoginError (generic) / LoginLocked; all audited."""
    username = (username or "").strip().lower()[:80]
    ip = audit.client_ip()
    account_locked = throttle.account_locked_until(username) is not None
    address_locked = throttle.address_locked_until(ip) is not None
    user = db.session.scalar(db.select(User).where(User.username == username))
    password_hash = user.password_hash if user is not None else None
    # Nothing is written yet: end this read-only transaction so the slow password hash runs
    # outside any (on SQLite a login's first query takes the write lock; logins at the same
    # moment would otherwise queue behind each other's hashing). The writes below are saved
    # by the view's single commit, as usual.
    db.session.commit()
    if account_locked:
        audit.record(
            AuthAudit.LOGIN_LOCKED,
            username=username,
            object_type="user",
            summary="Đăng nhập bị từ chối: tài khoản đang tạm khóa",
        )
        raise LoginLocked(locked_message())
    if password_hash is None:
        password_ok = throttle.check_unknown_user_password(password)
    else:
        password_ok = check_password_hash(password_hash, password)
    if password_ok and user.is_active:
        throttle.clear_account(username)
        # A plain UPDATE, not the versioned one: the same account signing in twice at once
        # is not a conflicting edit of the user (it raised StaleDataError on PostgreSQL;
        # tests/test_concurrency.py).
        db.session.execute(
            db.update(User).where(User.id == user.id).values(last_login_at=datetime.now(UTC))
        )
        audit.record(AuthAudit.LOGIN, user, user=user, summary="Đăng nhập")
        return user
    _record_failure(user, username, ip, address_locked)
    if address_locked:
        raise LoginLocked(locked_message())
    raise LoginError(GENERIC_LOGIN_ERROR)


def _account_entry(action: str, user: User | None, username: str, summary: str) -> None:
    """An audit entry about the account a login named (known or not)."""
    audit.record(
        action,
        user=user,
        username=username,
        object_type="user",
        object_id=user.id if user else None,
        summary=summary,
    )


def _record_failure(user: User | None, username: str, ip: str | None, address_locked: bool):
    reason = "unknown" if user is None else ("inactive" if not user.is_active else "password")
    if address_locked:
        reason += ", address locked"
    throttle.record_failure(username, ip)
    _account_entry(AuthAudit.LOGIN_FAILED, user, username, f"Đăng nhập không thành công ({reason})")
    # The failure that starts a lock is audited once, so administrators see it begin.
    if throttle.account_locked_until(username):
        summary = f"Tài khoản {username} tạm khóa do đăng nhập sai nhiều lần"
        _account_entry(AuthAudit.ACCOUNT_LOCKED, user, username, summary)
    if not address_locked and throttle.address_locked_until(ip):
        audit.record(
            AuthAudit.ADDRESS_LOCKED,
            username=username,
            summary=f"Địa chỉ {ip} tạm khóa do đăng nhập sai nhiều lần",
        )


def record_logout(user: User) -> None:
    """Logging out ends every session and remember-me cookie of the user."""
    # A plain UPDATE, not the versioned one: two tabs logging out at once are not a
    # conflicting edit of the user (StaleDataError on PostgreSQL).
    db.session.execute(
        db.update(User).where(User.id == user.id).values(session_token=new_session_token())
    )
    audit.record(AuthAudit.LOGOUT, user, user=user, summary="Đăng xuất (kết thúc mọi phiên)")


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise FieldError("current_password", "Mật khẩu hiện tại không đúng.")
    user.set_password(new)
    user.end_sessions()
    audit.record(
        AuthAudit.PASSWORD_CHANGED,
        user,
        user=user,
        summary="Đổi mật khẩu (kết thúc mọi phiên khác)",
    )


def end_sessions(user: User, reason: str = "quản trị yêu cầu") -> None:
    """End every session and remember-me cookie of the user at once."""
    user.end_sessions()
    db.session.flush()
    audit.record(
        AuthAudit.SESSIONS_ENDED,
        user,
        summary=f"Kết thúc mọi phiên đăng nhập của {user.username} ({reason})",
    )


def unlock_login(user: User) -> int:
    """An administrator lifts the account's login lock (the failures are forgotten)."""
    cleared = throttle.clear_account(user.username)
    audit.record(
        AuthAudit.LOGIN_UNLOCKED,
        user,
        summary=f"Mở khóa đăng nhập cho {user.username} ({cleared} lần sai được bỏ qua)",
    )
    return cleared


def login_locked_until(user: User):
    return throttle.account_locked_until(user.username)


def _username_taken(username: str, except_id: int | None = None) -> bool:
    query = db.select(User.id).where(User.username == username)
    if except_id:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def _created(record, fields: tuple, action: str, summary: str):
    """A new user or agency added and flushed, audited with every field."""
    db.session.add(record)
    db.session.flush()
    audit.record(
        action, record, summary=summary, changes=audit.diff({}, audit.snapshot(record, fields))
    )
    return record


def _changed(record, fields: tuple, data: dict) -> dict:
    """Apply the form's fields to the record; the changes, for the audit entry."""
    before = audit.snapshot(record, fields)
    for field in fields:
        setattr(record, field, data[field])
    return audit.diff(before, audit.snapshot(record, fields))


def create_user(data: dict, password: str) -> User:
    if _username_taken(data["username"]):
        raise FieldError("username", f"Tên đăng nhập '{data['username']}' đã được dùng.")
    if not password:
        raise FieldError("password", "Vui lòng đặt mật khẩu cho người dùng mới.")
    user = User(**{k: data[k] for k in USER_FIELDS if k in data})
    user.set_password(password)
    return _created(user, USER_FIELDS, AuthAudit.USER_CREATE, f"Tạo người dùng {user.username}")


def update_user(user: User, data: dict, version: int | None, password: str | None) -> User:
    check_version(user, version)
    if _username_taken(data["username"], except_id=user.id):
        raise FieldError("username", f"Tên đăng nhập '{data['username']}' đã được dùng.")
    changes = _changed(user, USER_FIELDS, data)
    if password:
        user.set_password(password)
        changes["password"] = ["***", "***"]
    if changes:
        db.session.flush()
        audit.record(
            AuthAudit.USER_UPDATE, user, summary=f"Sửa người dùng {user.username}", changes=changes
        )
    if password or changes.get("active") == [True, False]:
        end_sessions(user, "đổi mật khẩu" if password else "ngừng hoạt động")
    return user


def create_agency(data: dict) -> Agency:
    """A new agency; `data["duties"]` (optional) the duties it holds."""
    if db.session.scalar(db.select(Agency.id).where(Agency.name == data["name"])):
        raise FieldError("name", f"Đã có cơ quan tên '{data['name']}'.")
    _code_is_free(data.get("code"))
    _check_parent(None, data.get("parent_id"))
    agency = Agency(**{k: data.get(k) for k in AGENCY_FIELDS})
    agency.set_duties(_duties(data.get("duties", ())))
    fields = (*AGENCY_FIELDS, "duties_text")
    return _created(agency, fields, AuthAudit.AGENCY_CREATE, f"Tạo cơ quan {agency.name}")


def update_agency(agency: Agency, data: dict, version: int | None) -> Agency:
    check_version(agency, version)
    duplicate = db.session.scalar(
        db.select(Agency.id).where(Agency.name == data["name"], Agency.id != agency.id)
    )
    if duplicate:
        raise FieldError("name", f"Đã có cơ quan tên '{data['name']}'.")
    _code_is_free(data.get("code"), agency.id)
    _check_parent(agency, data.get("parent_id"))
    # Callers that do not send a code or a parent keep them.
    data = {"code": agency.code, "parent_id": agency.parent_id, **data}
    before = agency.duties_text
    duties = _duties(data["duties"]) if "duties" in data else set(agency.duties)
    # A deactivated agency holds its duties for nobody: checked like their removal.
    _check_last_duty_holder(agency, duties if data.get("active", agency.active) else set())
    if data["name"] != agency.name:  # keep the former name with the days it was used
        today = today_vn()
        since = agency.former_names[-1].used_until if agency.former_names else None
        agency.former_names.append(AgencyName(name=agency.name, used_from=since, used_until=today))
        forget_former_names()
    changes = _changed(agency, AGENCY_FIELDS, data)
    if "duties" in data:
        agency.set_duties(duties)
        if agency.duties_text != before:
            changes["duties_text"] = [before, agency.duties_text]
    if changes:
        db.session.flush()
        audit.record(
            AuthAudit.AGENCY_UPDATE, agency, summary=f"Sửa cơ quan {agency.name}", changes=changes
        )
    return agency


def set_agency_duties(agency: Agency, duties, *, user=None, username=None) -> Agency:
    """The agency holds exactly `duties` (the `flask agencies duties` command), audited
    under the operator (`user`, or a plain `username` such as 'cli')."""
    duties = _duties(duties)
    _check_last_duty_holder(agency, duties)
    before = agency.duties_text
    agency.set_duties(duties)
    if agency.duties_text != before:
        db.session.flush()
        audit.record(
            AuthAudit.AGENCY_UPDATE,
            agency,
            user=user,
            username=username,
            summary=f"Đặt nhiệm vụ của cơ quan {agency.name}",
            changes={"duties_text": [before, agency.duties_text]},
        )
    return agency


def _check_parent(agency: Agency | None, parent_id: int | None) -> None:
    """A parent exists, and is neither the agency itself nor one of its descendants."""
    if not parent_id:
        return
    parent = db.session.get(Agency, parent_id)
    if parent is None:
        raise FieldError("parent_id", "Cơ quan cấp trên không tồn tại.")
    if agency is not None and (parent.id == agency.id or agency in parent.ancestors()):
        raise FieldError(
            "parent_id",
            "Cơ quan cấp trên không được là chính cơ quan này hoặc đơn vị trực thuộc nó.",
        )


def _code_is_free(code: str | None, agency_id: int | None = None) -> None:
    if not code:
        return
    query = db.select(Agency.id).where(Agency.code == code)
    if agency_id is not None:
        query = query.where(Agency.id != agency_id)
    if db.session.scalar(query) is not None:
        raise FieldError("code", f"Mã cơ quan '{code}' đã được dùng.")


def _waiting_for(duty: Duty) -> int:
    """Records that wait in the inbox of the holders of `duty` (aid focal, police)."""
    if duty == Duty.AID_FOCAL:
        from app.aid.services.queries import dossiers_in_procedure

        return dossiers_in_procedure()
    from app.delegations.services.queries import waiting_for_police

    return waiting_for_police()


KEPT_DUTIES = (Duty.AID_FOCAL, Duty.POLICE)  # someone must hold them while records wait


def _check_last_duty_holder(agency: Agency, duties: set[Duty]) -> None:
    """Refuse to take away the last aid focal or police duty of the province while records
    wait in its inbox (they would wait for nobody)."""
    for duty in KEPT_DUTIES:
        if duty in duties or not agency.has(duty):
            continue
        others = db.select(Agency.id).where(
            Agency.id != agency.id,
            Agency.active.is_(True),
            Agency.duty_rows.any(AgencyDuty.duty == duty),
        )
        if db.session.scalar(others.limit(1)) is not None:
            continue
        if waiting := _waiting_for(duty):
            raise FieldError(
                "duties",
                f"Không thể bỏ nhiệm vụ “{duty.label}”: {agency.name} là cơ quan duy nhất "
                f"giữ nhiệm vụ này và còn {waiting} hồ sơ đang chờ xử lý. Hãy giao nhiệm vụ "
                "cho cơ quan khác trước.",
            )


def _duties(keys) -> set[Duty]:
    try:
        return Duty.parse(keys)
    except ValueError as error:
        raise FieldError("duties", str(error)) from None


def ensure_agency(
    name: str, kind: AgencyKind, short_name: str | None = None, duties=None, code=None
) -> Agency:
    """The agency of that name, created if missing with the duties given (by default the
    duty matching its kind)."""
    agency = db.session.scalar(db.select(Agency).where(Agency.name == name))
    if agency is None:
        agency = create_agency(
            {
                "name": name,
                "short_name": short_name,
                "code": code,
                "kind": kind,
                "active": True,
                "duties": duties if duties is not None else [KIND_DUTY[AgencyKind(kind)]],
            }
        )
    return agency


def ensure_user(username: str, full_name: str, agency: Agency, role: Role, password: str) -> User:
    user = db.session.scalar(db.select(User).where(User.username == username))
    if user is None:
        user = create_user(
            {
                "username": username,
                "full_name": full_name,
                "email": None,
                "agency_id": agency.id,
                "role": role,
                "active": True,
            },
            password,
        )
    return user


# Where agencies are referenced: (table, column). A merge moves every reference.
AGENCY_REFERENCES = (
    ("agency", "parent_id"),  # its divisions now belong to the remaining agency
    ("user", "agency_id"),
    ("budget_line", "agency_id"),  # its yearly budgets (refused if both have one a year)
    ("opinion", "agency_id"),
    ("delegation", "author_agency_id"),
    ("delegation", "host_agency_id"),
    ("delegation_review", "agency_id"),
    ("mobilisation_contact", "agency_id"),  # the agency that recorded it
    ("mobilisation_proposal", "agency_id"),
    ("notification", "agency_id"),  # its notifications (read marks are per user)
    ("training_course", "organiser_agency_id"),  # the courses it organised
    ("training_attendance", "agency_id"),  # its trainees (folded first where both sent some)
    ("plan_report_agency", "agency_id"),  # the plan reports it is asked in (once each)
    ("plan_contribution", "agency_id"),  # its texts (folded first where both wrote an item)
)


def _cancel_duplicate_requests(source: Agency, target: Agency) -> int:
    """An open opinion request to `source` on an item where `target` has one open too would
    be asked twice of the remaining agency: it is cancelled (answered ones move as they are,
    they are history). Returns how many."""
    opinion = db.metadata.tables["opinion"]

    def open_of(agency_id):
        return db.and_(
            opinion.c.agency_id == agency_id,
            opinion.c.verdict.is_(None),
            opinion.c.cancelled_at.is_(None),
        )

    asked_of_target = db.select(opinion.c.aid_item_id).where(open_of(target.id))
    result = db.session.execute(
        db.update(opinion)
        .where(open_of(source.id), opinion.c.aid_item_id.in_(asked_of_target.scalar_subquery()))
        .values(cancelled_at=datetime.now(UTC), version=opinion.c.version + 1)
    )
    return result.rowcount


def merge_agencies(source: Agency, target: Agency, *, user=None, username=None) -> dict:
    """Merge `source` into `target` after a reorganisation: its users, the opinions asked
    of it (an open request both were asked is then asked once), the delegations it lodged
    or hosts and its reviews move to `target`, which also takes its duties; `source` is
    deactivated (kept, nothing is deleted). Audited on both.
    Returns {"table.column": rows moved}."""
    if source.id == target.id:
        raise FieldError("target_id", "Không thể gộp một cơ quan vào chính nó.")
    if not target.active:
        raise FieldError("target_id", f"{target.name} đã ngừng hoạt động.")
    if source in target.ancestors():
        raise FieldError(
            "target_id", f"Không thể gộp vào {target.name}: đó là đơn vị trực thuộc {source.name}."
        )
    from app.budget.services import years_both_own  # the budget imports auth, not back

    if years := years_both_own(source.id, target.id):
        raise FieldError(
            "target_id",
            "Cả hai cơ quan đều có ngân sách đối ngoại nhân dân năm "
            f"{', '.join(map(str, years))}: hãy lưu trữ một trong hai trước khi gộp.",
        )
    from app.planreport.services import fold_for_merge  # the plan report imports auth
    from app.training.services import fold_attendance  # training imports auth, not back

    moved = {"opinion.cancelled": _cancel_duplicate_requests(source, target)}
    moved["plan_contribution.folded"] = fold_for_merge(
        source.id, target.id, user=user, username=username
    )
    moved["training_attendance.folded"] = fold_attendance(
        source.id, target.id, user=user, username=username
    )
    for table_name, column in AGENCY_REFERENCES:
        table = db.metadata.tables[table_name]
        values = {column: target.id}
        if "version" in table.c:  # an open form on a moved row is then stale
            values["version"] = table.c.version + 1
        result = db.session.execute(
            db.update(table).where(table.c[column] == source.id).values(**values)
        )
        moved[f"{table_name}.{column}"] = result.rowcount
    duties_before = target.duties_text
    target.set_duties(target.duties | source.duties)
    source.active = False
    db.session.flush()
    db.session.expire_all()  # moved rows were changed behind the identity map
    summary = f"Gộp cơ quan {source.name} vào {target.name}"
    changes = {"moved": moved, "duties_text": [duties_before, target.duties_text]}
    for agency in (source, target):
        audit.record(
            AuthAudit.AGENCY_MERGE,
            agency,
            user=user,
            username=username,
            summary=summary,
            changes=changes,
        )
    return moved
