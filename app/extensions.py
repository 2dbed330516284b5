"""Flask extensions, created unbound and initialised in create_app()."""

import threading

import click
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# SQLite connection settings and write transactions (listeners registered on import).
from app.core import transactions  # noqa: F401

# Stable constraint names, so Alembic can alter them on SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class _MigrateOnFirstUse:
    """Flask-Migrate's settings of one app, made real when a migration first needs them.

    Importing Flask-Migrate imports Alembic, about a quarter of the application's start-up
    (issue 15: `flask` commands in under 0.7 s); only `flask db …`, the tests and the
    generator run migrations. Stands in `app.extensions["migrate"]` until an attribute is
    asked for, then sets up the real Flask-Migrate and answers from it."""

    def __init__(self, app, database, directory: str, options: dict):
        self.directory = directory
        self._setup = (app, database, options)
        self._real = None

    def __getattr__(self, name):
        if self._real is None:
            from flask_migrate import Migrate

            app, database, options = self._setup
            Migrate(**options).init_app(app, database, directory=self.directory)
            self._real = app.extensions["migrate"]
        return getattr(self._real, name)


class _DbCommands(click.Group):
    """`flask db`: stands for Flask-Migrate's command group in the command list and hands
    it the command line when a `db` command runs (its options, callback and commands)."""

    def make_context(self, info_name, args, parent=None, **extra):
        from flask_migrate.cli import db as group

        return group.make_context(info_name, args, parent=parent, **extra)


class LazyMigrate:
    """Migrate(...) whose Alembic is imported on first use (see _MigrateOnFirstUse)."""

    def __init__(self, **options):
        self.options = options

    def init_app(self, app, database, directory: str) -> None:
        app.extensions["migrate"] = _MigrateOnFirstUse(app, database, directory, self.options)
        app.cli.add_command(_DbCommands("db", help="Perform database migrations."))


class _EngineToMake:
    """An engine Flask-SQLAlchemy's init_app asked for, not made yet."""

    def __init__(self, make):
        self.make = make

    def dispose(self) -> None:  # init_app called again: nothing to dispose of yet
        pass


class LazyEngineSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy whose engines may be created when first used (`db.engines`, through
    which `db.engine`, `db.session` and Flask-Migrate reach them) rather than in init_app:
    creating a PostgreSQL engine imports psycopg and SQLAlchemy's dialect for it (about
    0.3 s, issue 15 item 7), which `flask --help` and the start of most commands never
    need. create_app() makes them at once (make_engines) except for a `flask` command.
    Same engines, same options."""

    _making = threading.Lock()

    def _make_engine(self, bind_key, options, app):
        make = super()._make_engine
        if app.config.get("SQLALCHEMY_RECORD_QUERIES"):  # init_app listens to the engines
            return make(bind_key, options, app)
        return _EngineToMake(lambda: make(bind_key, options, app))

    @staticmethod
    def _made(engines: dict) -> dict:
        if any(isinstance(engine, _EngineToMake) for engine in engines.values()):
            with LazyEngineSQLAlchemy._making:
                for key, engine in list(engines.items()):
                    if isinstance(engine, _EngineToMake):
                        engines[key] = engine.make()
        return engines

    @property
    def engines(self):
        return self._made(super().engines)

    def make_engines(self, app) -> None:
        """Create the application's engines now, as Flask-SQLAlchemy's init_app does."""
        self._made(self._app_engines[app])


db = LazyEngineSQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = LazyMigrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
