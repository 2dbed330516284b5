"""gunicorn.conf.py: read by gunicorn started in the repository's root (the README's command,
scripts/load, the concurrency tests); each worker freezes what it built at start-up."""

import gc
import re
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_worker_hook_freezes_the_start_up_objects():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()


def test_gunicorn_in_the_root_reads_the_file():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "--print-config", "app:create_app()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert re.search(r"^config\s+= \./gunicorn\.conf\.py$", result.stdout, re.M), (
        result.stdout[-2000:],
        result.stderr[-2000:],
    )
    assert re.search(r"^post_worker_init\s+= <post_worker_init\(\)>$", result.stdout, re.M)
