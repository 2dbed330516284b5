"""Start-up without the heavy libraries (issue 15, item 7): creating the application and
running `flask --help` import neither pandas, numpy, openpyxl, python-docx, huey, Alembic
(Flask-Migrate, app.extensions.LazyMigrate) nor holidays; they are imported by the pages,
commands and exports that use them (app.core.lazy). Measured
start-up times are in the notes of issue 15 (a bound on time is not robust on a shared
2-core machine)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "openpyxl", "docx", "docxtpl", "huey", "alembic", "holidays")
REPORT = "import sys; print('HEAVY:' + ','.join(m for m in {heavy!r} if m in sys.modules))"


def run(code: str, tmp_path) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'startup.db'}",
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


def test_flask_help_imports_no_heavy_library(tmp_path):
    code = (
        "import sys\n"
        "from flask.cli import main\n"
        "sys.argv = ['flask', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n" + REPORT.format(heavy=HEAVY)
    )
    assert run(code, tmp_path) == ""


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
