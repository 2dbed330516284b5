"""Background jobs of the transfer page: checking an upload, importing it, exporting the
registry. They run on Huey, so that a large file outlasts neither the request nor the
browser: the page polls the job's state, which lives in small JSON files (no table, no
migration).

The worker also runs the statistics' warm-up (app.stats.services.warm): every minute, and a
few seconds after a commit that changed a table they read (app.stats.nudge).

Huey stores its queue in SQLite (HUEY_DB, default instance/huey.db) and a worker
(`scripts/worker`, i.e. huey_consumer app.transfer.jobs.huey; ./scripts/run starts one
beside the development server) runs the jobs. Without a worker the jobs run inside the
request (Huey's immediate mode): HUEY_IMMEDIATE=1, or HUEY_IMMEDIATE unset outside
production (plain `flask run`, gunicorn in development, tests). A worker is configured by
starting it with HUEY_IMMEDIATE=0 in the environment of both the worker and the web app.

A job is `<jobs dir>/<id>.json` (kind, owner, state, progress; JSON written atomically),
with its result beside it: `<id>.result.json` (the report, possibly long) or the exported
`<id>.xlsx`. The jobs dir is JOBS_DIR, or `jobs/` beside the uploads directory
(instance/jobs by default). Jobs older than KEEP_DAYS are removed when a new one starts.
"""

import json
import logging
import os
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from flask import Flask, current_app, has_app_context

from app.config import INSTANCE_DIR

log = logging.getLogger(__name__)

KEEP_DAYS = 7
STALE_AFTER = timedelta(minutes=10)
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes of one job
JOB_ID_RE = re.compile(r"^[0-9a-f]{32}$")
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
CHECK, IMPORT, EXPORT = "check", "import", "export"
FAILURE_MESSAGE = (
    "Có lỗi ngoài dự kiến khi xử lý; dữ liệu trong sổ đăng ký không bị thay đổi. "
    "Hãy thử lại, hoặc báo quản trị viên nếu lỗi lặp lại."
)
INTERRUPTED_MESSAGE = (
    "Việc bị dừng giữa chừng vì tiến trình xử lý nền đã tắt. Hãy thử lại "
    "(nhập lại cùng một tệp không tạo bản ghi trùng)."
)


def _flag(value) -> bool | None:
    """True/False from a setting ("1", "true", "0", ...), None when unset."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _immediate_by_default() -> bool:
    flag = _flag(os.environ.get("HUEY_IMMEDIATE"))
    if flag is not None:
        return flag
    return os.environ.get("APP_ENV", "development") != "production"


_QUEUE_FILE = Path(os.environ.get("HUEY_DB") or INSTANCE_DIR / "huey.db")
_configured: dict = {}  # the immediate flag init_app decided, for a queue made later


@cache
def _queue():
    """The Huey queue, the job task and the statistics' warm-up task (also periodic), made
    when first used: huey (and the storages it imports) stays out of the application's
    start-up (issue 15, item 7). The worker gets them through the module's `huey` attribute
    (huey_consumer app.transfer.jobs.huey)."""
    from huey import SqliteHuey, crontab
    from huey.signals import SIGNAL_INTERRUPTED

    if not _immediate_by_default():  # the queue's file is opened at once (the worker)
        _QUEUE_FILE.parent.mkdir(parents=True, exist_ok=True)
    queue = SqliteHuey(
        "registry",
        filename=str(_QUEUE_FILE),
        immediate=_configured.get("immediate", _immediate_by_default()),
        results=False,  # a job's outcome is its JSON file, readable from any process
    )
    task = queue.task(name="run_job")(_run_job)  # registered as app.transfer.jobs.run_job
    # Not a transfer job, but the worker's only other chore: the statistics kept for the
    # first view after a change (app.stats.services.warm); every worker process runs it.
    queue.periodic_task(crontab(minute="*"), name="warm_statistics")(_warm_statistics)
    warm_now = queue.task(name="warm_statistics_now")(_warm_statistics)  # app.stats.nudge
    queue.signal(SIGNAL_INTERRUPTED)(_interrupted)
    return queue, task, warm_now


def __getattr__(name: str):
    if name == "huey":
        return _queue()[0]
    if name == "run_job":
        return _queue()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def immediate_for(config) -> bool:
    """Whether an app with this config runs jobs inside its requests (Huey's immediate
    mode): HUEY_IMMEDIATE from the config or the environment, else yes outside production
    (development, tests), so that a server started alone serves every job."""
    flag = _flag(config.get("HUEY_IMMEDIATE"))
    if flag is None:
        flag = _flag(os.environ.get("HUEY_IMMEDIATE"))
    if flag is None:
        flag = bool(config.get("TESTING")) or config.get("APP_ENV") != "production"
    return flag


def init_app(app: Flask) -> None:
    """Immediate mode (jobs run in the request) unless a worker is configured."""
    flag = immediate_for(app.config)
    if not flag:
        _QUEUE_FILE.parent.mkdir(parents=True, exist_ok=True)
    _configured["immediate"] = flag
    if _queue.cache_info().currsize:
        _queue()[0].immediate = flag


# --- The job files ------------------------------------------------------------------------


def jobs_dir() -> Path:
    configured = current_app.config.get("JOBS_DIR") or os.environ.get("JOBS_DIR")
    path = Path(configured) if configured else Path(current_app.config["UPLOAD_DIR"]).parent
    path = path if configured else path / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def staging_dir() -> Path:
    """Uploaded files kept between the check and the import."""
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(job_id: str, suffix: str = ".json") -> Path:
    return jobs_dir() / f"{job_id}{suffix}"


def _write(path: Path, data) -> None:
    """Atomically: a reader sees the old or the new content, never half of it."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create(kind: str, user, **data) -> dict:
    """A new queued job of `user` (its owner: only they see it)."""
    prune()
    job = {
        "id": uuid.uuid4().hex,
        "kind": kind,
        "user_id": user.id,
        "state": QUEUED,
        "created_at": _now(),
        "updated_at": _now(),
        "progress": {"text": "Đang chờ xử lý", "step": 0, "steps": 1},
        **data,
    }
    save(job)
    return job


def save(job: dict) -> None:
    job["updated_at"] = _now()
    _write(_path(job["id"]), job)


def load(job_id: str) -> dict | None:
    if not JOB_ID_RE.match(job_id or ""):
        return None
    try:
        return json.loads(_path(job_id).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def load_result(job: dict) -> dict | None:
    try:
        return json.loads(_path(job["id"], ".result.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def waiting_too_long(job: dict) -> bool:
    """Queued or running without news for STALE_AFTER: the worker may not be running."""
    if job["state"] not in (QUEUED, RUNNING):
        return False
    updated = datetime.fromisoformat(job["updated_at"])
    return datetime.now(UTC) - updated > STALE_AFTER


def export_file(job: dict) -> Path:
    return _path(job["id"], ".xlsx")


def recent(user, limit: int = 10) -> list[dict]:
    """The user's latest jobs, newest first."""
    jobs = []
    for path in jobs_dir().glob("*.json"):
        if path.name.endswith(".result.json") or path.name.startswith("."):
            continue
        job = load(path.stem)
        if job is not None and job.get("user_id") == user.id:
            jobs.append(job)
    jobs.sort(key=lambda j: j["created_at"], reverse=True)
    return jobs[:limit]


def prune() -> None:
    """Remove the files of jobs, and the uploads, older than KEEP_DAYS (exports and uploads
    hold personal data)."""
    limit = time.time() - timedelta(days=KEEP_DAYS).total_seconds()
    for path in [*jobs_dir().iterdir(), *staging_dir().iterdir()]:
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


class Reporter:
    """Writes a job's progress (text, step of steps), at most every PROGRESS_INTERVAL."""

    def __init__(self, job: dict):
        self.job = job
        self.last = 0.0

    def __call__(self, text: str, step: int, steps: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL and step == self.job["progress"]["step"]:
            return
        self.last = now
        self.job["progress"] = {"text": text, "step": step, "steps": steps}
        save(self.job)


# --- Running ------------------------------------------------------------------------------


def start(job: dict) -> None:
    """Queue the job (run at once in immediate mode)."""
    _queue()[1](job["id"])


def _run_job(job_id: str) -> None:
    if has_app_context():  # immediate mode, inside the request
        run(job_id)
        return
    # In the worker, a writing request's context: on SQLite its transactions then take the
    # write lock first (app.core.transactions), so a job never fails on "database is locked"
    # because a web request wrote in the meantime.
    app = _worker_app()
    with app.app_context():
        job = load(job_id)
        remote = {"REMOTE_ADDR": (job or {}).get("ip") or ""}
        with app.test_request_context("/du-lieu/", method="POST", environ_base=remote):
            run(job_id)


def _interrupted(_signal, task, *_args) -> None:
    """The worker was stopped at once (SIGTERM, a second Ctrl+C) while running this job:
    its file says so, rather than "running" until it looks stale. An import commits once,
    at its end: all of it was written or nothing, and importing the file again is safe."""
    if not task.args:
        return
    with _worker_app().app_context():
        job = load(task.args[0])
        if job is not None and job["state"] in (QUEUED, RUNNING):
            job.update(state=FAILED, message=INTERRUPTED_MESSAGE)
            save(job)


@cache
def _worker_app() -> Flask:
    from app import create_app

    return create_app()


def warm_statistics_soon(delay: float) -> bool:
    """Queue the statistics' warm-up to run in `delay` seconds; False (nothing queued) when
    jobs run inside requests (no worker to run it: the next view computes)."""
    queue, _, warm_now = _queue()
    if queue.immediate:
        return False
    warm_now.schedule(delay=delay)
    return True


def _warm_statistics() -> None:
    with _worker_app().app_context():
        from app.extensions import db
        from app.stats.services import warm

        try:
            for year, seconds in warm().items():
                log.debug("statistics %s kept in %.2f s", year, seconds)
        finally:
            db.session.remove()


def run(job_id: str) -> None:
    """Run one job to its end; whatever happens, the job file says how it ended."""
    from app.extensions import db
    from app.transfer import tasks

    job = load(job_id)
    if job is None or job["state"] != QUEUED:
        return
    job["state"] = RUNNING
    save(job)
    try:
        result = tasks.RUNNERS[job["kind"]](job, Reporter(job))
    except Exception:
        db.session.rollback()
        log.exception("transfer job %s (%s) failed", job_id, job["kind"])
        job.update(state=FAILED, message=FAILURE_MESSAGE)
    else:
        if result is not None:
            _write(_path(job_id, ".result.json"), result)
        job.update(state=DONE)
    save(job)
