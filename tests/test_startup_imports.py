"""Start-up without the heavy libraries (issue 15, item 7): creating the application and
running `flask --help` import neither pandas, numpy, openpyxl, python-docx, huey, Alembic
(Flask-Migrate, app.extensions.LazyMigrate) nor holidays, read no country names (the
organisations' sort) and make no URL builders (app._Rule); they are imported or made by
the pages, commands and exports that use them (app.core.lazy). For a `flask` command the
database engines are made at first use (no psycopg for `flask --help`), and the start-up's
objects are set aside from the garbage collector (gc.freeze). Measured start-up times are
in docs/performance.md (a bound on time is not robust on a shared 2-core machine)."""

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "pandas",
    "numpy",
    "openpyxl",
    "docx",
    "docxtpl",
    "huey",
    "alembic",
    "holidays",
    "psycopg",
)
# The heavy modules imported, and "countries" once the countries' names have been read.
REPORT = (
    "import sys; from app.core.countries import _choices; "
    "print('HEAVY:' + ','.join([m for m in {heavy!r} if m in sys.modules]"
    " + ['countries'] * bool(_choices.cache_info().currsize)))"
)
# A PostgreSQL address where no server listens: starting must not need one.
NO_SERVER = "postgresql+psycopg://postgres@127.0.0.1:9/startup"


def run(code: str, tmp_path, url: str | None = None) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": url or f"sqlite:///{tmp_path / 'startup.db'}",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("HEAVY:")]
    assert lines, done.stdout[-2000:]
    return lines[-1].removeprefix("HEAVY:")


def test_creating_the_app_imports_no_heavy_library(tmp_path):
    code = "from app import create_app; create_app(); " + REPORT.format(heavy=HEAVY)
    assert run(code, tmp_path) == ""


FLASK_HELP = (
    "import gc, sys\n"
    "from flask.cli import main\n"
    "sys.argv = ['flask', '--help']\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_flask_help_imports_no_heavy_library(tmp_path, database):
    code = FLASK_HELP + REPORT.format(heavy=HEAVY)
    assert run(code, tmp_path, NO_SERVER if database == "postgresql" else None) == ""


ENGINE = (
    "import sys\n"
    "import click\n"
    "from flask.cli import ScriptInfo\n"
    "from sqlalchemy.engine import Engine\n"
    "from app import create_app\n"
    "from app.extensions import db\n"
    "{build}\n"
    "before = 'psycopg' in sys.modules\n"
    "with app.app_context():\n"
    "    engine = db.engine\n"
    "    same = db.engines[None] is engine and db.session.get_bind() is engine\n"
    "    seen = [before, 'psycopg' in sys.modules, isinstance(engine, Engine), same]\n"
    "    print('HEAVY:' + ' '.join(map(str, [*seen, engine.url.port])))\n"
)


def test_for_a_flask_command_the_engine_is_made_at_first_use_and_once(tmp_path):
    """psycopg comes with the first use of the engine (and the address is then read); the
    engine is made once and is SQLAlchemy's own."""
    build = (
        "with click.Context(click.Command('x'), obj=ScriptInfo(create_app=create_app)):\n"
        "    app = create_app()"
    )
    assert run(ENGINE.format(build=build), tmp_path, NO_SERVER) == "False True True True 9"


def test_otherwise_create_app_makes_the_engine(tmp_path):
    """The web server, tests and scripts: the engine is made by create_app(), as always."""
    build = "app = create_app()"
    assert run(ENGINE.format(build=build), tmp_path, NO_SERVER) == "True True True True 9"


def test_a_flask_command_sets_the_start_up_aside_from_the_garbage_collector(tmp_path):
    assert int(run(FLASK_HELP + "print('HEAVY:' + str(gc.get_freeze_count()))", tmp_path)) > 0


def test_create_app_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    """Tests and the WSGI server: nothing frozen, the collector on (or off) as before."""
    from app import create_app

    url = f"sqlite:///{tmp_path / 'gc.db'}"
    frozen = gc.get_freeze_count()
    create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    gc.disable()
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_url_builders_are_made_at_first_use_and_build_what_werkzeug_builds(tmp_path):
    """Every route's URL, through the builders made at first use, equals the URL a plain
    Werkzeug rule builds; before its first url_for a rule has no generated builder."""
    from werkzeug.routing import Map, Rule

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'u.db'}"})
    samples = {"IntegerConverter": 7, "UnicodeConverter": "ab-c", "PathConverter": "a/b c"}
    plain = Map(converters=app.url_map.converters)
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100
    assert {rule._build.__name__ for rule in rules} == {"lazy_builder"}
    for rule in rules:
        plain.add(Rule(rule.rule, endpoint=rule.endpoint, defaults=rule.defaults))
    ours, theirs = app.url_map.bind("localhost"), plain.bind("localhost")
    for rule in rules:
        values = {}
        for name, converter in rule._converters.items():
            kind = type(converter).__name__
            values[name] = sorted(converter.items)[0] if kind == "AnyConverter" else samples[kind]
        for extra, unknown in (({}, False), ({"q": "x y", "page": 2}, True)):
            arguments = {**values, **extra}
            built = ours.build(rule.endpoint, arguments, append_unknown=unknown)
            assert built == theirs.build(rule.endpoint, arguments, append_unknown=unknown)
    assert "lazy_builder" not in {rule._build.__name__ for rule in rules}
    assert "lazy_builder" not in {rule._build_unknown.__name__ for rule in rules}


@pytest.mark.parametrize(
    ("module", "heavy"),
    [("app.stats.services", "pandas"), ("app.core.xlsx", None), ("app.core.export", None)],
)
def test_the_heavy_libraries_come_with_the_modules_that_use_them(tmp_path, module, heavy):
    found = run(f"import {module}; " + REPORT.format(heavy=HEAVY), tmp_path)
    assert (heavy in found.split(",")) if heavy else found == ""


def test_flask_db_commands_still_run_through_the_deferred_flask_migrate(tmp_path):
    """`flask db upgrade` and `flask db -x … current` reach Flask-Migrate's own group (its
    options and commands), although start-up no longer imports it."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "FLASK_APP": "app"}
    flask = str(Path(sys.executable).parent / "flask")
    upgraded = subprocess.run(
        [flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    current = subprocess.run(
        [flask, "db", "-x", "note=1", "current"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert current.returncode == 0, current.stderr[-2000:]
    assert "(head)" in current.stdout
