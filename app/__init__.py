"""The registry of foreign non-governmental aid and foreign delegations."""

import gc
import logging
from contextlib import contextmanager

import click
from flask.cli import ScriptInfo


def _started_by_flask_command() -> bool:
    """Whether the `flask` command line is loading the application (its ScriptInfo is in
    the current click context), not a test, a script or the WSGI server."""
    context = click.get_current_context(silent=True)
    return context is not None and context.find_object(ScriptInfo) is not None


@contextmanager
def _collector_paused():
    """The garbage collector off for a while, then as it was. Start-up creates hundreds of
    thousands of objects that live as long as the process: walking them again and again
    while they are made cost about 0.15 s of `flask --help` (issue 15 item 7)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# A `flask` command imports this package, then calls create_app(): the collector stays
# off from here until create_app() has set the start-up's objects aside (gc.freeze).
_COMMAND_PAUSED_COLLECTOR = _started_by_flask_command() and gc.isenabled()
if _COMMAND_PAUSED_COLLECTOR:
    gc.disable()

from flask import Flask  # noqa: E402 - imported with the collector paused
from werkzeug.routing import Rule  # noqa: E402

from app.config import BASE_DIR, apply_proxy_fix, load_config  # noqa: E402
from app.extensions import babel, bootstrap, csrf, db, login_manager, migrate  # noqa: E402


class _Rule(Rule):
    """A URL rule whose URL builders (Python code Werkzeug generates and compiles, about
    0.5 ms a rule) are made at the rule's first url_for rather than when it is added:
    start-up adds ~150 rules, a command or a page builds the URLs of a few."""

    def _compile_builder(self, append_unknown: bool = True):
        make = super()._compile_builder
        name = "_build_unknown" if append_unknown else "_build"

        def lazy_builder(rule, /, **values):
            real = make(append_unknown).__get__(rule, None)
            setattr(rule, name, real)
            return real(**values)

        return lazy_builder


class _Flask(Flask):
    url_rule_class = _Rule


def create_app(config: dict | None = None) -> Flask:
    """The application. While it is built the garbage collector pauses (_collector_paused).
    When a `flask` command builds it (issue 15 item 7, docs/performance.md), the start-up's
    objects are set aside from the collector for good (gc.freeze, as gunicorn.conf.py does
    for a worker): the command's own objects are collected as before, and the exit of the
    interpreter no longer walks the start-up's (0.25 s); and the database engines are made
    at their first use (psycopg, 0.3 s)."""
    global _COMMAND_PAUSED_COLLECTOR
    with _collector_paused():
        app = _build(config)
    if _started_by_flask_command():
        gc.freeze()
        if _COMMAND_PAUSED_COLLECTOR:
            _COMMAND_PAUSED_COLLECTOR = False
            gc.enable()
    else:  # the web server, tests and scripts: the engines made now, as always
        db.make_engines(app)
    return app


def _build(config: dict | None) -> Flask:
    app = _Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder="static",
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_mapping(load_config(config))
    apply_proxy_fix(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        (BASE_DIR / "instance").mkdir(exist_ok=True)

    _import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    babel.init_app(app)
    bootstrap.init_app(app)
    _init_login(app)

    from app.core import errors, headers, permissions, transactions

    permissions.init_app(app)
    headers.init_app(app)
    errors.register_error_handlers(app)
    _register_template_helpers(app)
    _register_blueprints(app)
    _init_domains(app)
    transactions.init_app(app)

    from app.stats import nudge

    nudge.init_app(app)

    from app import backup_cli, cli

    cli.init_app(app)
    backup_cli.init_app(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def _import_models() -> None:
    """Every domain's models, so metadata (and Alembic) sees all tables."""
    import app.aid.models
    import app.associations.models
    import app.auth.models
    import app.budget.models
    import app.core.models
    import app.delegations.models
    import app.documents.models
    import app.mobilisation.models
    import app.notifications.models
    import app.orgs.models
    import app.planreport.models
    import app.stats.revisions
    import app.stats.shared
    import app.training.models  # noqa: F401


def _init_login(app: Flask) -> None:
    from sqlalchemy.orm import joinedload

    from app.auth.models import Agency, User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_token: str):
        # The session holds the user's session token, not the id (see User.get_id).
        # One query: the user, its agency and the agency's duties (read by every rule).
        user = (
            db.session.execute(
                db.select(User)
                .options(joinedload(User.agency).joinedload(Agency.duty_rows))
                .where(User.session_token == session_token)
            )
            .unique()
            .scalar_one_or_none()
        )
        return user if user is not None and user.is_active else None


def _register_template_helpers(app: Flask) -> None:
    from app.aid.models import AidStatus
    from app.auth.names import agency_name_on
    from app.core import dates, listing, money
    from app.core.countries import country_name
    from app.delegations.models import DelegationStatus

    app.jinja_env.filters.update(
        date=dates.format_date,
        datetime=dates.format_datetime,
        vnd=money.format_vnd,
        usd=money.format_usd,
        money=money.format_money,
        number=money.format_number,
        country=country_name,
        name_on=agency_name_on,  # {{ record.agency|name_on(record.day) }}
        aid_status=lambda key: AidStatus(key).label if key else "",
        delegation_status=lambda key: DelegationStatus(key).label if key else "",
    )
    from app.core.workflow import may

    app.jinja_env.globals.update(url_with=listing.url_with, may=may)


def _init_domains(app: Flask) -> None:
    """Each domain registers its attachment readers and home-page lines itself."""
    from app import (
        aid,
        associations,
        budget,
        delegations,
        documents,
        mobilisation,
        notifications,
        planreport,
        training,
    )

    for domain in (
        aid,
        delegations,
        associations,
        training,
        budget,
        mobilisation,
        planreport,
        documents,
        notifications,
    ):
        domain.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.aid.views import bp as aid_bp
    from app.auth.settings import bp as auth_bp  # the auth views and the settings page
    from app.core.help import bp as help_bp
    from app.core.views import bp as core_bp
    from app.delegations.views import bp as delegations_bp
    from app.orgs.views import bp as orgs_bp
    from app.stats.views import bp as stats_bp
    from app.transfer.views import bp as transfer_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(orgs_bp)
    app.register_blueprint(aid_bp)
    app.register_blueprint(delegations_bp)
    app.register_blueprint(transfer_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(help_bp)

    # People-to-people diplomacy work (issue 13) and officials' daily tools (issue 14).
    from app.associations.views import bp as associations_bp
    from app.budget.views import bp as budget_bp
    from app.documents.views import bp as documents_bp
    from app.mobilisation.views import bp as mobilisation_bp
    from app.notifications.views import bp as notifications_bp
    from app.planreport.views import bp as planreport_bp
    from app.training.views import bp as training_bp

    for blueprint in (
        associations_bp,
        training_bp,
        budget_bp,
        mobilisation_bp,
        planreport_bp,
        documents_bp,
        notifications_bp,
    ):
        app.register_blueprint(blueprint)
