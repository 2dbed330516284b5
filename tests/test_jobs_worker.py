"""The job worker as ./scripts/run and production start it: a separate huey_consumer process
runs the jobs the web app queued (HUEY_IMMEDIATE=0), so a job goes on without its request
or browser; a worker stopped in the middle of a job leaves the job saying so."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from huey.storage import SqliteStorage

from app.auth.models import User
from app.extensions import db
from app.transfer import jobs, views
from tests.test_transfer_import import small_file

ROOT = Path(__file__).resolve().parent.parent


def test_a_separate_worker_process_runs_a_queued_check(app, tmp_path, monkeypatch):
    """What the web page does on upload (stage the file, create the job, queue it), then a
    real worker process, started as scripts/worker starts it, runs the check."""
    queue = tmp_path / "huey.db"
    jobs_dir = tmp_path / "jobs"
    monkeypatch.setattr(jobs.huey, "_immediate", False)
    monkeypatch.setattr(jobs.huey, "storage", SqliteStorage("registry", filename=str(queue)))
    monkeypatch.setitem(app.config, "JOBS_DIR", str(jobs_dir))
    with app.app_context():
        owner = db.session.scalar(sa.select(User).where(User.username == "planning.officer"))
        db.session.remove()
        token = views._stage(small_file(), "so-lieu.xlsx")
        job = jobs.create(jobs.CHECK, owner, filename="so-lieu.xlsx", token=token)
        jobs.start(job)  # queued, not run: this process is the web app
        assert jobs.load(job["id"])["state"] == jobs.QUEUED
    assert jobs.huey.pending_count() == 1

    env = {
        **os.environ,
        "APP_ENV": "development",
        "HUEY_IMMEDIATE": "0",
        "HUEY_DB": str(queue),
        "JOBS_DIR": str(jobs_dir),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
    }
    consumer = Path(sys.executable).parent / "huey_consumer"
    worker = subprocess.Popen(
        [str(consumer), "app.transfer.jobs.huey", "--workers", "1", "--worker-type", "thread"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        with app.app_context():
            while jobs.load(job["id"])["state"] in (jobs.QUEUED, jobs.RUNNING):
                assert worker.poll() is None, worker.stdout.read().decode()
                assert time.monotonic() < deadline, "the worker did not run the job"
                time.sleep(0.2)
            done = jobs.load(job["id"])
            result = jobs.load_result(done)
        assert done["state"] == jobs.DONE
        assert result["ok"] and result["errors"] == []
    finally:
        worker.send_signal(signal.SIGINT)  # graceful, as scripts/run stops it
        try:
            code = worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
            pytest.fail("the worker did not stop on SIGINT")
    assert code == 0


def test_a_job_interrupted_by_stopping_the_worker_says_so(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "JOBS_DIR", str(tmp_path))
    monkeypatch.setattr(jobs, "_worker_app", lambda: app)
    with app.app_context():
        job = jobs.create(jobs.IMPORT, SimpleNamespace(id=1), filename="a.xlsx", token="x")
        job["state"] = jobs.RUNNING
        jobs.save(job)
        finished = jobs.create(jobs.CHECK, SimpleNamespace(id=1), filename="b.xlsx", token="y")
        finished["state"] = jobs.DONE
        jobs.save(finished)
    # What huey's consumer does for the tasks in flight when it stops at once (SIGTERM).
    for one in (job, finished):
        jobs.huey._emit("interrupted", SimpleNamespace(args=(one["id"],), id="t"))
    with app.app_context():
        interrupted = jobs.load(job["id"])
        assert interrupted["state"] == jobs.FAILED
        assert interrupted["message"] == jobs.INTERRUPTED_MESSAGE
        assert "Việc bị dừng giữa chừng" in interrupted["message"]
        assert jobs.load(finished["id"])["state"] == jobs.DONE  # a finished job stays done


@pytest.mark.parametrize(
    ("config", "environment", "immediate"),
    [
        ({"APP_ENV": "development"}, None, True),  # flask run, gunicorn, scripts/run's server
        ({"APP_ENV": "development"}, "0", False),  # ./scripts/run with its worker
        ({"APP_ENV": "production"}, None, False),  # production: the worker runs them
        ({"APP_ENV": "production"}, "1", True),
        ({"APP_ENV": "production", "TESTING": True}, None, True),
        ({"APP_ENV": "production", "HUEY_IMMEDIATE": "yes"}, "0", True),  # config first
    ],
)
def test_jobs_run_in_the_request_unless_a_worker_is_configured(
    config, environment, immediate, monkeypatch
):
    if environment is None:
        monkeypatch.delenv("HUEY_IMMEDIATE", raising=False)
    else:
        monkeypatch.setenv("HUEY_IMMEDIATE", environment)
    assert jobs.immediate_for(config) is immediate
