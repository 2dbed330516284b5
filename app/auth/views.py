"""Login, logout, own password; administrators manage users and agencies."""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import selectinload

from app.auth import services, throttle
from app.auth.forms import (
    AgencyForm,
    ChangePasswordForm,
    LoginForm,
    MergeAgencyForm,
    UserForm,
)
from app.auth.models import Agency, AgencyDuty, AgencyKind, Duty, Role, User
from app.core import permissions as rules
from app.core.errors import FieldError
from app.core.forms import choices
from app.core.listing import apply_sort, arg_int, paginate
from app.core.permissions import requires
from app.core.text import fold
from app.core.web import (
    form_action,
    form_page,
    render_invalid,
    run_form_service,
    safe_next,
    text_of,
)
from app.extensions import db

bp = Blueprint("auth", __name__)


def _start_session(user: User, remember: bool) -> None:
    """A fresh session at login: nothing (CSRF token included) carries over from before."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(user, remember=remember)


def _has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@bp.route("/dang-nhap", methods=["GET", "POST"])
@requires(rules.anyone)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except services.LoginError as error:
            db.session.commit()  # the failed attempt is counted and audited
            form.form_errors.append(error.message)
            return render_template("auth/login.html", form=form), error.status
        db.session.commit()
        _start_session(user, remember=form.remember.data)
        return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    if form.is_submitted():
        return render_invalid("auth/login.html", form)
    return render_template("auth/login.html", form=form)


@bp.route("/dang-xuat", methods=["POST"])
@requires(rules.signed_in)
def logout():
    services.record_logout(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
@requires(rules.signed_in)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        done = run_form_service(
            form,
            lambda: (
                services.change_password(user, form.current_password.data, form.new_password.data)
                or True
            ),
        )
        if done:
            db.session.commit()
            # Every other session ended; this one goes on with the new token.
            login_user(user, remember=_has_remember_cookie())
            flash("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.", "success")
            return redirect(url_for("core.home"))
    if form.is_submitted():
        return render_invalid("auth/change_password.html", form)
    return render_template("auth/change_password.html", form=form)


# --- Administration of users ---------------------------------------------------------------


def _agency_pairs(include_inactive_id: int | None = None) -> list[tuple[int, str]]:
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.name)).all()
    return [
        (a.id, a.name if a.active else f"{a.name} (ngừng hoạt động)")
        for a in agencies
        if a.active or a.id == include_inactive_id
    ]


def _user_data(form: UserForm) -> dict:
    return {
        "username": form.username.data,
        "full_name": form.full_name.data.strip(),
        "email": text_of(form.email),
        "agency_id": form.agency_id.data,
        "role": Role(form.role.data),
        "active": form.active.data,
    }


@bp.route("/quan-tri/nguoi-dung")
@requires(rules.administer)
def users():
    query = db.select(User).join(User.agency)
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(
            db.or_(
                User.username.contains(q.lower(), autoescape=True),
                User.full_name_folded.contains(fold(q), autoescape=True),
            )
        )
    if agency_id := arg_int("agency"):
        query = query.where(User.agency_id == agency_id)
    if (role := request.args.get("role")) and role in Role._value2member_map_:
        query = query.where(User.role == Role(role))
    status = request.args.get("status", "")
    if status == "active":
        query = query.where(User.active.is_(True))
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    query, sort = apply_sort(
        query,
        {
            "username": User.username,
            "name": User.full_name,
            "agency": Agency.name,
            "login": User.last_login_at,
        },
        "username",
    )
    page = paginate(query)
    return render_template(
        "auth/users.html",
        page=page,
        locked=throttle.locked_accounts([user.username for user in page.items]),
        sort=sort,
        agencies=_agency_pairs(),
        roles=Role,
        q=q,
    )


@bp.route("/quan-tri/nguoi-dung/moi", methods=["GET", "POST"])
@requires(rules.administer)
def user_new():
    form = UserForm()
    form.agency_id.choices = choices(_agency_pairs())
    return form_page(
        form,
        "auth/user_form.html",
        save=lambda: services.create_user(_user_data(form), form.password.data),
        success=lambda user: f"Đã tạo người dùng {user.username}.",
        redirect_to=url_for("auth.users"),
        user=None,
    )


@bp.route("/quan-tri/nguoi-dung/<int:user_id>", methods=["GET", "POST"])
@requires(rules.administer)
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.agency_id.choices = choices(_agency_pairs(include_inactive_id=user.agency_id))
    if request.method == "GET":
        form.role.data = user.role.value
        form.version.data = user.version
    # The steps of form_page() written out: an administrator who changed their own password
    # is signed in again with the new session token, after the commit.
    if form.validate_on_submit():
        saved = run_form_service(
            form,
            lambda: services.update_user(
                user, _user_data(form), form.version_number(), form.password.data
            ),
        )
        if saved:
            db.session.commit()
            if user.id == current_user.id and user.is_active:
                login_user(user, remember=_has_remember_cookie())  # own password changed
            flash(f"Đã lưu người dùng {user.username}.", "success")
            return redirect(url_for("auth.users"))
    context = {"user": user, "locked_until": services.login_locked_until(user)}
    if form.is_submitted():
        return render_invalid("auth/user_form.html", form, **context)
    return render_template("auth/user_form.html", form=form, **context)


def _user_action(user_id: int, service, message: str):
    """A button on the user's page: the service, one commit, back to the page."""
    user = db.get_or_404(User, user_id)
    service(user)
    db.session.commit()
    flash(message.format(username=user.username), "success")
    return redirect(url_for("auth.user_edit", user_id=user.id))


@bp.route("/quan-tri/nguoi-dung/<int:user_id>/ket-thuc-phien", methods=["POST"])
@requires(rules.administer)
def user_end_sessions(user_id: int):
    message = "Đã kết thúc mọi phiên đăng nhập của {username}."
    return _user_action(user_id, services.end_sessions, message)


@bp.route("/quan-tri/nguoi-dung/<int:user_id>/mo-khoa", methods=["POST"])
@requires(rules.administer)
def user_unlock(user_id: int):
    return _user_action(user_id, services.unlock_login, "Đã mở khóa đăng nhập cho {username}.")


# --- Administration of agencies ------------------------------------------------------------


def _agency_data(form: AgencyForm) -> dict:
    return {
        "name": form.name.data.strip(),
        "short_name": text_of(form.short_name),
        "code": text_of(form.code),
        "parent_id": form.parent_id.data or None,
        "kind": AgencyKind(form.kind.data),
        "active": form.active.data,
        "duties": form.duties.data or [],
    }


@bp.route("/quan-tri/co-quan")
@requires(rules.administer)
def agencies():
    user_count = (
        db.select(db.func.count(User.id)).where(User.agency_id == Agency.id).scalar_subquery()
    )
    query = db.select(Agency, user_count.label("user_count")).options(
        selectinload(Agency.duty_rows), selectinload(Agency.parent)
    )
    if (kind := request.args.get("kind")) and kind in AgencyKind._value2member_map_:
        query = query.where(Agency.kind == AgencyKind(kind))
    if (duty := request.args.get("duty")) and duty in Duty._value2member_map_:
        query = query.where(Agency.duty_rows.any(AgencyDuty.duty == Duty(duty)))
    query, sort = apply_sort(query, {"name": Agency.name, "kind": Agency.kind}, "name")
    rows = db.session.execute(query).all()
    return render_template(
        "auth/agencies.html", rows=rows, kinds=AgencyKind, duties=Duty, sort=sort
    )


def _agency_page(agency: Agency | None):
    """The agency's form: a new agency, or a change to `agency` (with its version)."""
    form = AgencyForm(obj=agency)
    others = db.select(Agency.id, Agency.name).order_by(Agency.name)
    if agency is not None:
        others = others.where(Agency.id != agency.id)
    form.parent_id.choices = choices([(0, "— Không có —"), *db.session.execute(others).all()])
    if agency is not None and request.method == "GET":
        form.parent_id.data = agency.parent_id or 0
        form.kind.data = agency.kind.value
        form.duties.data = agency.duty_keys
        form.version.data = agency.version

    def save():
        if agency is None:
            return services.create_agency(_agency_data(form))
        return services.update_agency(agency, _agency_data(form), form.version_number())

    return form_page(
        form,
        "auth/agency_form.html",
        save=save,
        success=lambda saved: f"Đã {'tạo' if agency is None else 'lưu'} cơ quan {saved.name}.",
        redirect_to=url_for("auth.agencies"),
        agency=agency,
        duties=Duty,
        merge_form=_merge_form(agency) if agency is not None and agency.active else None,
    )


def _merge_form(agency: Agency) -> MergeAgencyForm:
    form = MergeAgencyForm()
    others = db.session.execute(
        db.select(Agency.id, Agency.name)
        .where(Agency.active.is_(True), Agency.id != agency.id)
        .order_by(Agency.name)
    ).all()
    form.target_id.choices = choices([(0, "— Chọn cơ quan —"), *others])
    return form


@bp.route("/quan-tri/co-quan/<int:agency_id>/gop", methods=["POST"])
@requires(rules.administer)
def agency_merge(agency_id: int):
    """Merge this agency into another (users, opinions, delegations, reviews, duties)."""
    source = db.get_or_404(Agency, agency_id)
    form = _merge_form(source)

    def merge():
        target = db.session.get(Agency, form.target_id.data)
        if target is None:
            raise FieldError("target_id", "Vui lòng chọn cơ quan còn lại sau khi gộp.")
        name = target.name
        moved = services.merge_agencies(source, target, user=current_user)
        return name, sum(moved.values())

    return form_action(
        form,
        save=merge,
        success=lambda result: f"Đã gộp vào {result[0]} ({result[1]} bản ghi được chuyển).",
        back=url_for("auth.agency_edit", agency_id=agency_id),
    )


@bp.route("/quan-tri/co-quan/moi", methods=["GET", "POST"])
@requires(rules.administer)
def agency_new():
    return _agency_page(None)


@bp.route("/quan-tri/co-quan/<int:agency_id>", methods=["GET", "POST"])
@requires(rules.administer)
def agency_edit(agency_id: int):
    return _agency_page(db.get_or_404(Agency, agency_id))
