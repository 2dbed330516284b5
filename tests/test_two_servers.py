"""Past one machine (issue 15, item 8): two gunicorn servers behind one round-robin proxy,
sharing one PostgreSQL, as scripts/two-servers starts them. Through the proxy's one
address: a user signed in is signed in on both servers, an attachment uploaded through one
downloads through the other (database store), and a job queued by one runs once on the
shared worker. PostgreSQL only (two servers cannot share a SQLite file across machines,
which is the point); its own database `<name>_two`."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import CSRF_RE, DEMO_PASSWORD, reset_database

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("TEST_DATABASE_URL", "")

if os.environ.get("REQUIRE_TWO_SERVERS") and not URL.startswith("postgresql"):
    raise pytest.UsageError("REQUIRE_TWO_SERVERS is set but TEST_DATABASE_URL is not PostgreSQL")

pytestmark = pytest.mark.skipif(
    not URL.startswith("postgresql"),
    reason="two app servers share one PostgreSQL: runs in the PostgreSQL pass "
    "(TEST_DATABASE_URL=postgresql+psycopg://…), as .ci/run does",
)


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies and CSRF tokens through the proxy; each response says its backend."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        # The proxy's loopback http:// address only.
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})  # noqa: S310
        try:
            response = self.opener.open(request, timeout=120)
        except urllib.error.HTTPError as error:  # 3xx/4xx: still a response
            response = error
        body = response.read()
        return response.status, response.headers, body

    def token(self, path: str) -> str:
        _status, _headers, body = self.request(path)
        match = CSRF_RE.search(body.decode())
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(self, path: str, fields: dict, form_page: str = "/doi-mat-khau"):
        fields = {"csrf_token": self.token(form_page), **fields}
        return self.request(path, urllib.parse.urlencode(fields).encode())

    def post_file(self, path: str, form_page: str, filename: str, content: bytes):
        boundary = uuid.uuid4().hex
        token = self.token(form_page)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + content
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request(path, b"".join(parts), headers)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    url = sa.engine.make_url(URL)
    url = url.set(database=f"{url.database}_two").render_as_string(hide_password=False)
    reset_database(url)
    folder = tmp_path_factory.mktemp("two-servers")
    proxy, port_a, port_b = _free_ports(3)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PROXY_PORT": str(proxy),
        "PORT_A": str(port_a),
        "PORT_B": str(port_b),
        "WORKERS": "1",
        "TWO_SERVERS_DIR": str(folder),
    }
    for name in ("TEST_DATABASE_URL", "UPLOAD_DIR", "HUEY_DB", "JOBS_DIR", "ATTACHMENT_STORE"):
        env.pop(name, None)
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "two-servers")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    deadline = time.monotonic() + 300
    try:
        for line in process.stdout:
            lines.append(line)
            if line.startswith("ready ") or time.monotonic() > deadline:
                break
        assert lines and lines[-1].startswith("ready "), "".join(lines)
        engine = sa.create_engine(url)
        yield {
            "base": f"http://127.0.0.1:{proxy}",
            "backends": {f"127.0.0.1:{port_a}", f"127.0.0.1:{port_b}"},
            "folder": folder,
            "engine": engine,
        }
        engine.dispose()
    finally:
        process.send_signal(signal.SIGTERM)  # the script stops its servers and worker
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def signed_in(two_servers):
    browser = Browser(two_servers["base"])
    status, headers, _body = browser.post(
        "/dang-nhap",
        {"username": "planning.officer", "password": DEMO_PASSWORD},
        form_page="/dang-nhap",
    )
    assert status == 302 and "/dang-nhap" not in headers["Location"]
    return browser


def test_a_user_signed_in_through_one_server_is_signed_in_on_both(two_servers, signed_in):
    served = []
    for _ in range(6):  # a page for signed-in users only, and light on the database
        status, headers, body = signed_in.request("/doi-mat-khau")
        assert status == 200, (status, headers.get("Location"))
        assert "Đăng xuất" in body.decode()
        served.append(headers["X-Backend"])
    assert set(served) == two_servers["backends"]  # both servers saw the same session

    # Each server's own access log has signed-in requests of the home page.
    folder = two_servers["folder"]
    for name in ("a", "b"):
        log = (folder / f"access-{name}.log").read_text()
        assert re.search(r'"GET /doi-mat-khau HTTP/1\.[01]" 200', log), name

    anonymous = Browser(two_servers["base"])
    status, headers, _body = anonymous.request("/doi-mat-khau")
    assert status == 302 and "/dang-nhap" in headers["Location"]


def test_an_attachment_uploaded_through_one_downloads_through_the_other(two_servers, signed_in):
    engine = two_servers["engine"]
    with engine.connect() as conn:
        item_id = conn.scalar(sa.text("SELECT min(id) FROM aid_item WHERE archived_at IS NULL"))
    content = b"%PDF-1.4 two servers " + uuid.uuid4().hex.encode() + b"\n" * 1000
    status, headers, _body = signed_in.post_file(
        f"/vien-tro/{item_id}/tep", "/doi-mat-khau", "Biên bản.pdf", content
    )
    assert status == 302, status
    uploaded_on = headers["X-Backend"]
    with engine.connect() as conn:
        attachment_id, sha = conn.execute(
            sa.text("SELECT id, sha256 FROM attachment ORDER BY id DESC LIMIT 1")
        ).one()
        blobs = conn.scalar(
            sa.text("SELECT count(*) FROM attachment_blob WHERE sha256 = :s"), {"s": sha}
        )
    assert blobs == 1  # the database store: nothing on either server's disk
    for _ in range(2):  # round robin: one of two consecutive requests is the other server
        status, headers, body = signed_in.request(f"/tep/{attachment_id}")
        if headers["X-Backend"] != uploaded_on:
            break
    assert headers["X-Backend"] != uploaded_on
    assert status == 200 and body == content
    assert "attachment" in headers["Content-Disposition"]


def test_a_job_queued_through_one_server_runs_once(two_servers, signed_in):
    engine = two_servers["engine"]
    status, headers, _body = signed_in.post("/du-lieu/xuat", {}, form_page="/du-lieu/")
    assert status in (302, 303), status
    job_page = urllib.parse.urlsplit(headers["Location"]).path
    queued_on = headers["X-Backend"]
    seen, deadline = set(), time.monotonic() + 180
    while time.monotonic() < deadline:
        status, headers, body = signed_in.request(job_page)
        assert status == 200, status
        seen.add(headers["X-Backend"])
        if 'data-testid="export-ready"' in body.decode() and len(seen) == 2:
            break
        time.sleep(1)
    assert 'data-testid="export-ready"' in body.decode(), body.decode()[-3000:]
    assert seen == two_servers["backends"]  # both servers read the job's state
    assert queued_on in seen
    time.sleep(3)  # a second run, if any, would have had time to write its audit entry
    with engine.connect() as conn:
        exports = conn.scalar(
            sa.text("SELECT count(*) FROM audit_entry WHERE action = 'transfer.export'")
        )
    assert exports == 1
    status, headers, body = signed_in.request(job_page.rstrip("/") + "/tep")
    assert status == 200 and body.startswith(b"PK")
    worker_log = (two_servers["folder"] / "worker.log").read_text()
    runs = re.findall(r"Executing app\.transfer\.jobs\.run_job: (\S+)", worker_log)
    assert len(set(runs)) == 1, worker_log[-3000:]  # one task, taken by the one worker
