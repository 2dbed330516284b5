"""The load test's scenario (issue 10, item 12: scripts/load runs scripts/locustfile.py
against gunicorn -w 4; figures in docs/performance.md): 80 % reads and 20 % writes, and
every request it makes is answered as the load test counts a success (a read 200, a write
302). Were a form to change under it, the load figures would count errors instead.

locust monkey-patches the whole process with gevent when imported, so the scenario runs in
a child process (this file run as a script), on its own SQLite database, with Flask's test
client standing in for locust's HTTP client."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_load_scenario_reads_80_percent_and_every_request_succeeds(tmp_path):
    done = subprocess.run(
        [sys.executable, __file__, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "scenario ok" in done.stdout


# --- The child process --------------------------------------------------------------------


class _Response:
    def __init__(self, response):
        self.status_code = response.status_code
        self.headers = response.headers
        self.text = response.get_data(as_text=True)
        self.failed = None

    def failure(self, message):
        self.failed = message

    def success(self):
        self.failed = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _Client:
    """locust's HttpSession as the scenario uses it, over Flask's test client; records
    every request with how the load test would count it."""

    def __init__(self, flask_client):
        self.flask = flask_client
        self.seen = []

    def get(self, url, name=None):
        response = _Response(self.flask.get(url))
        self.seen.append(("GET", name or url, response.status_code, response.status_code == 200))
        return response

    def post(self, url, data=None, name=None, allow_redirects=False, catch_response=False):
        response = _Response(self.flask.post(url, data=data))
        self.seen.append(("POST", name or url, response.status_code, None))
        return _Recorded(response, self.seen)


class _Recorded(_Response):
    def __init__(self, response, seen):
        self.__dict__.update(response.__dict__)
        self.seen = seen

    def __exit__(self, *exc):
        method, name, status, _ = self.seen[-1]
        self.seen[-1] = (method, name, status, self.failed is None)
        return False


def _run(work: Path) -> None:
    import random

    from flask_migrate import upgrade

    import scripts.locustfile as scenario
    from app import create_app, demo
    from app.core.communes import load_communes
    from app.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'registry.db'}",
            "UPLOAD_DIR": str(work / "uploads"),
            "JOBS_DIR": str(work / "jobs"),
        }
    )
    with app.app_context():
        upgrade()
        load_communes()
        demo.load(records=False)
        db.session.commit()
        db.session.remove()

    # The mix: the weights of the read tasks against the write task.
    weights = {
        name: getattr(function, "locust_task_weight", None)
        for name, function in vars(scenario.Officer).items()
    }
    weights = {name: weight for name, weight in weights.items() if weight}
    reads = sum(w for name, w in weights.items() if name != "write")
    assert weights["write"] / (reads + weights["write"]) == 0.2, weights

    # Each account of the scenario: sign in, then every read task and each of its writes.
    random.seed(2025)
    behaviour = {
        name: function for name, function in vars(scenario.Officer).items() if callable(function)
    }
    Officer = type("Officer", (), behaviour)
    seen = []
    for account in scenario.ACCOUNTS:
        user = Officer()
        user.client = _Client(app.test_client())
        user.on_start()
        assert user.username == account
        writes = scenario.WRITES[account.split(".")[0]]  # by agency, as the scenario picks
        if "donor" in writes or "aid_draft" in writes:
            user.new_donor()  # the draft aid item needs a donor in the list
        for name in weights:
            if name != "write":
                getattr(user, name)()
        for kind in writes:
            getattr(user, f"new_{kind}")()
        seen += [(account, *request) for request in user.client.seen]
    failed = [request for request in seen if not request[-1]]
    assert not failed, failed
    writes = {name for _account, method, name, _status, _ok in seen if method == "POST"}
    assert {"/to-chuc/moi", "/vien-tro/moi", "/doan/[id]/thanh-vien/moi"} <= writes, writes
    print(f"scenario ok: {len(seen)} requests, {len(writes)} kinds of write")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    _run(Path(sys.argv[1]))
