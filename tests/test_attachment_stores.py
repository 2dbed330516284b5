"""Attachment stores (issue 15, item 8): the database store and the S3 store (boto3 against
moto's server mode on a loopback port, never a real network) store, find and stream an
attachment's bytes, and backups carry them whichever store is configured."""

import io
import json
import os
import socket
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.core import attachments, backup, stores
from app.core.permissions import ATTACHMENT_READERS
from app.core.stores import AttachmentBlob
from app.extensions import db as _db
from tests.conftest import _test_database_url, build_app, reset_database

# A PDF over two chunks, so the stores' chunking is exercised.
BIG = b"%PDF-1.7\n" + bytes(range(256)) * (stores.CHUNK * 2 // 256 + 10)
SMALL = b"%PDF-1.4 small store test\n"


def _upload(app, officer, data: bytes, name: str = "Quyết định số 7.pdf"):
    with app.test_request_context():
        stored = attachments.store(
            FileStorage(io.BytesIO(data), filename=name), "test_owner", 7, officer
        )
        _db.session.commit()
    return stored


@pytest.fixture
def readable():
    ATTACHMENT_READERS["test_owner"] = lambda user, owner_id: True
    yield
    del ATTACHMENT_READERS["test_owner"]


def test_database_store_keeps_chunks_in_the_transaction_and_streams_them(
    app, db, login, user, monkeypatch, readable
):
    monkeypatch.setitem(app.config, "ATTACHMENT_STORE", "database")
    officer = user("planning.officer")
    stored = _upload(app, officer, BIG)
    chunks = db.session.scalars(
        sa.select(AttachmentBlob.seq).where(AttachmentBlob.sha256 == stored.sha256)
    ).all()
    assert sorted(chunks) == [0, 1, 2]  # 2 MiB + a little: three 1 MiB chunks
    assert not list(Path(app.config["UPLOAD_DIR"]).rglob(stored.sha256))  # not a file
    again = _upload(app, officer, BIG, "copy.pdf")  # the same content: no second copy
    assert again.sha256 == stored.sha256
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttachmentBlob)) == 3

    response = login("admin").get(f"/tep/{stored.id}")
    assert response.status_code == 200
    assert response.data == BIG and response.content_length == len(BIG)
    assert "filename*=UTF-8''Quy%E1%BA%BFt" in response.headers["Content-Disposition"]
    assert response.mimetype == "application/pdf"

    # An upload whose transaction is rolled back leaves no bytes behind.
    with app.test_request_context():
        lost = attachments.store(
            FileStorage(io.BytesIO(SMALL), filename="a.pdf"), "test_owner", 8, officer
        )
        sha = lost.sha256
        _db.session.rollback()
        assert not stores.store_for().exists(sha)


def test_an_unknown_store_is_refused(app):
    with pytest.raises(stores.StoreError, match="ATTACHMENT_STORE"):
        stores.make_store({"ATTACHMENT_STORE": "ftp", "UPLOAD_DIR": "unused"})
    with pytest.raises(stores.StoreError, match="S3_BUCKET"):
        stores.make_store({"ATTACHMENT_STORE": "s3", "UPLOAD_DIR": "unused"})


# --- S3 through moto's server ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 on a free loopback port, with fake credentials in the environment (boto3
    reads them as in production)."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE"):
            patch.delenv(name, raising=False)
        yield f"http://127.0.0.1:{port}"
    server.stop()


def _bucket(endpoint: str, name: str) -> dict:
    import boto3

    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    return {
        "ATTACHMENT_STORE": "s3",
        "S3_BUCKET": name,
        "S3_ENDPOINT_URL": endpoint,
        "S3_PREFIX": "registry/",
    }


def test_s3_store_puts_finds_and_streams_objects(app, db, login, user, s3_server, readable):
    settings = _bucket(s3_server, "registry-files")
    for key, value in settings.items():
        app.config[key] = value
    try:
        stored = _upload(app, user("planning.officer"), BIG)
        store = stores.store_for(app)
        assert isinstance(store, stores.S3Store)
        head = store.client.head_object(Bucket="registry-files", Key=store.key(stored.sha256))
        assert head["ContentLength"] == len(BIG)
        assert store.key(stored.sha256).startswith(f"registry/{stored.sha256[:2]}/")
        assert not store.exists("0" * 64)
        assert not list(Path(app.config["UPLOAD_DIR"]).rglob(stored.sha256))
        chunks = list(store.chunks(stored.sha256))
        assert len(chunks) >= 2 and b"".join(chunks) == BIG  # streamed, not read whole

        response = login("admin").get(f"/tep/{stored.id}")
        assert response.status_code == 200 and response.data == BIG
        with app.test_request_context():
            assert attachments.read(stored) == BIG
    finally:
        for key in settings:
            app.config.pop(key)
        app.config["ATTACHMENT_STORE"] = "local"


# --- Backups whichever store ------------------------------------------------------------------


def _source(tmp_path, suffix: str, **config):
    from app.auth.models import User

    app = build_app(_test_database_url(tmp_path, suffix), str(tmp_path / f"up{suffix}"), **config)
    with app.app_context():
        admin = _db.session.scalar(sa.select(User).where(User.username == "admin"))
        with app.test_request_context():
            attachments.store(FileStorage(io.BytesIO(BIG), "lớn.pdf"), "aid_item", 1, admin)
            attachments.store(FileStorage(io.BytesIO(SMALL), "nhỏ.pdf"), "aid_item", 1, admin)
            _db.session.commit()
    return app


def _target(tmp_path, suffix: str, **config):
    from app import create_app

    url = _test_database_url(tmp_path, suffix)
    reset_database(url)
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(tmp_path / f"up{suffix}"),
            **config,
        }
    )


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["backup", *args])
    assert result.exit_code == 0, result.output + result.stderr
    return result


def _contents(app) -> list[bytes]:
    from app.core.models import Attachment

    with app.app_context():
        found = sorted(attachments.read(a) for a in _db.session.scalars(sa.select(Attachment)))
        _db.engine.dispose()
    return found


def _members(path):
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        return manifest, [n for n in tar.getnames() if n.startswith("uploads/")]


def test_backup_of_the_database_store_holds_the_bytes_in_the_dump(tmp_path):
    app = _source(tmp_path, "_dbs_src", ATTACHMENT_STORE="database")
    archive = tmp_path / "db-store.tar.gz"
    _run(app, "create", str(archive))
    manifest, uploads = _members(archive)
    assert uploads == []  # the bytes are rows of the database copy
    assert manifest["attachments"]["store"] == "database"
    assert manifest["attachments"]["missing_files"] == []
    assert manifest["counts"]["attachment_blob"] == 4  # three chunks and one
    _run(app, "verify", str(archive))

    target = _target(tmp_path, "_dbs_dst", ATTACHMENT_STORE="database")
    _run(target, "restore", str(archive))
    assert _contents(target) == sorted([BIG, SMALL])
    with app.app_context():
        _db.engine.dispose()


def test_backup_of_the_s3_store_holds_its_objects_and_restores_into_a_bucket(tmp_path, s3_server):
    app = _source(tmp_path, "_s3_src", **_bucket(s3_server, "backup-source"))
    archive = tmp_path / "s3-store.tar.gz"
    _run(app, "create", str(archive))
    manifest, uploads = _members(archive)
    assert manifest["attachments"]["store"] == "s3"
    assert manifest["attachments"]["missing_files"] == []
    assert len(uploads) == 2 and manifest["uploads"]["files"] == 2
    assert not list((tmp_path / "up_s3_src").rglob("*.pdf"))
    _run(app, "verify", str(archive))

    target = _target(tmp_path, "_s3_dst", **_bucket(s3_server, "backup-target"))
    _run(target, "restore", str(archive))
    assert _contents(target) == sorted([BIG, SMALL])  # read from the new bucket

    # And the same archive into the database store: moving stores is a backup and a restore.
    into_db = _target(tmp_path, "_s3_db", ATTACHMENT_STORE="database")
    _run(into_db, "restore", str(archive))
    assert _contents(into_db) == sorted([BIG, SMALL])
    with app.app_context():
        _db.engine.dispose()


def test_s3_backup_reports_an_object_missing_from_the_bucket(tmp_path, s3_server):
    app = _source(tmp_path, "_s3_miss", **_bucket(s3_server, "backup-missing"))
    with app.app_context():
        store = stores.store_for(app)
        sha = backup.hashlib.sha256(SMALL).hexdigest()
        store.client.delete_object(Bucket="backup-missing", Key=store.key(sha))
        _db.engine.dispose()
    archive = tmp_path / "missing.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", "create", str(archive)])
    assert result.exit_code == 0, result.output
    manifest, uploads = _members(archive)
    assert manifest["attachments"]["missing_files"] == [sha]
    assert len(uploads) == 1
    assert "không tìm thấy" in result.stderr


def test_moto_is_reached_on_loopback_only(s3_server):
    assert s3_server.startswith("http://127.0.0.1:")
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"


def _doctor_store_line(app) -> str:
    result = app.test_cli_runner().invoke(args=["doctor"])
    return next(line for line in result.output.splitlines() if "] store" in line)


def test_doctor_checks_the_chosen_store(app, db, s3_server, monkeypatch):
    """`flask doctor` reads the store it will use: the blob table, the bucket."""
    assert _doctor_store_line(app).startswith("[OK")
    monkeypatch.setitem(app.config, "ATTACHMENT_STORE", "database")
    line = _doctor_store_line(app)
    assert line.startswith("[OK") and "attachment_blob" in line
    config = _bucket(s3_server, "doctor-bucket")
    for key, value in config.items():
        monkeypatch.setitem(app.config, key, value)
    assert _doctor_store_line(app).startswith("[OK")
    monkeypatch.setitem(app.config, "S3_BUCKET", "no-such-bucket")
    line = _doctor_store_line(app)
    assert line.startswith("[FAIL]") and "no-such-bucket" in line
