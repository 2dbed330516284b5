"""`flask backup create|verify|restore`: a backup restored into a fresh database finds the
same records and attachment files (SQLite; PostgreSQL when TEST_DATABASE_URL is set, with
its own databases `<name>_bk_src` and `<name>_bk_dst`)."""

import io
import json
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app import create_app
from app.core import backup
from app.extensions import db
from tests.conftest import _test_database_url, build_app, reset_database

PDF = b"%PDF-1.4 registry backup test\n"
PNG = b"\x89PNG\r\n\x1a\n backup test image"
# Tables and the columns that identify their rows, compared between source and restore.
COMPARED = {
    "organization": "code",
    "aid_item": "code",
    "delegation": "code",
    "user": "username",
    "attachment": "sha256",
}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A registry with the demo records and two attachment files."""
    from app.auth.models import User
    from app.core.attachments import store
    from app.demo_records import build_workbook
    from app.transfer.importer import import_workbook

    root = tmp_path_factory.mktemp("backup")
    app = build_app(_test_database_url(root, "_bk_src"), str(root / "uploads-src"))
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        report = import_workbook(build_workbook(), "du-lieu-mau.xlsx", admin)
        assert report.ok, report.errors[:5]
        db.session.commit()
        with app.test_request_context():
            store(FileStorage(io.BytesIO(PDF), "Quyết định.pdf"), "aid_item", 1, admin)
            store(FileStorage(io.BytesIO(PNG), "ảnh.png"), "delegation", 1, admin)
            db.session.commit()
    yield app, root
    with app.app_context():
        db.engine.dispose()


def snapshot(app) -> dict:
    """Row counts of every table and the identifying values of the main ones."""
    with app.app_context():
        with db.engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            counts = {
                t: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(t))) for t in tables
            }
            values = {
                t: sorted(conn.scalars(sa.select(sa.column(c)).select_from(sa.table(t))))
                for t, c in COMPARED.items()
            }
        db.engine.dispose()
    return {"counts": counts, "values": values}


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["backup", *args])
    return result


@pytest.fixture(scope="module")
def archive(source):
    app, root = source
    path = root / "registry-test.tar.gz"
    result = run(app, "create", str(path))
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.strip() == str(path)
    assert "Đã sao lưu" in result.stderr
    return path


def fresh_app(root: Path, suffix: str):
    url = _test_database_url(root, suffix)
    reset_database(url)  # an empty database: no tables at all
    return create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(root / suffix)}
    )


def test_archive_holds_manifest_database_and_files(source, archive):
    app, _root = source
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "manifest.json"
    member = manifest["database"]["member"]
    assert member in names
    assert member == (
        "database.sqlite3"
        if "sqlite" in app.config["SQLALCHEMY_DATABASE_URI"]
        else "database.pgdump"
    )
    uploads = [n for n in names if n.startswith("uploads/")]
    assert len(uploads) == 2 == manifest["uploads"]["files"]
    assert set(manifest["members"]) == set(names) - {"manifest.json"}
    assert manifest["counts"] == snapshot(app)["counts"]
    assert manifest["counts"]["aid_item"] > 0 and manifest["counts"]["attachment"] == 2
    assert manifest["attachments"]["missing_files"] == []
    assert manifest["database"]["alembic_revision"]


def test_verify_accepts_the_archive(source, archive):
    app, _root = source
    result = run(app, "verify", str(archive))
    assert result.exit_code == 0, result.output + result.stderr
    assert "Hợp lệ" in result.stdout


def test_restore_into_a_fresh_database_finds_the_same_records_and_files(source, archive):
    app, root = source
    target = fresh_app(root, "_bk_dst")
    result = run(target, "restore", str(archive))
    assert result.exit_code == 0, result.output + result.stderr
    assert snapshot(target) == snapshot(app)
    restored = sorted(p for p in Path(target.config["UPLOAD_DIR"]).rglob("*") if p.is_file())
    assert sorted(p.read_bytes() for p in restored) == sorted([PDF, PNG])
    with target.app_context():
        from app.core.attachments import file_path
        from app.core.models import Attachment

        for attachment in db.session.scalars(sa.select(Attachment)):
            assert file_path(attachment).read_bytes() in (PDF, PNG)
        db.engine.dispose()

    # A second restore would overwrite data: refused without --force.
    result = run(target, "restore", str(archive))
    assert result.exit_code == 1
    assert "--force" in result.stderr
    result = run(target, "restore", str(archive), "--force")
    assert result.exit_code == 0, result.output + result.stderr
    assert snapshot(target) == snapshot(app)


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with change(name, data) -> data applied to every member."""
    with tarfile.open(archive) as tar, tarfile.open(target, "w:gz") as out:
        for info in tar:
            data = change(info.name, tar.extractfile(info).read())
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def test_verify_and_restore_refuse_a_damaged_archive(source, archive, tmp_path):
    app, root = source

    def damage(name, data):
        return data + b"!" if name.startswith("uploads/") and data.startswith(b"%PDF") else data

    damaged = rewrite(archive, tmp_path / "damaged.tar.gz", damage)
    result = run(app, "verify", str(damaged))
    assert result.exit_code == 1
    assert "sha256" in result.stderr

    target = fresh_app(root, "_bk_dst")
    result = run(target, "restore", str(damaged))
    assert result.exit_code == 1 and "không hợp lệ" in result.stderr
    with target.app_context():
        assert sa.inspect(db.engine).get_table_names() == []  # nothing written
        db.engine.dispose()

    (tmp_path / "not-a-backup.tar.gz").write_bytes(b"nothing")
    result = run(app, "verify", str(tmp_path / "not-a-backup.tar.gz"))
    assert result.exit_code == 1 and "Không mở được" in result.stderr


def test_verify_finds_a_database_that_does_not_match_its_manifest(source, archive, tmp_path):
    app, _root = source

    def recount(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["counts"]["aid_item"] += 1
        manifest["attachments"]["missing_files"] = ["0" * 64]
        return json.dumps(manifest).encode()

    changed = rewrite(archive, tmp_path / "changed.tar.gz", recount)
    result = run(app, "verify", str(changed))
    assert result.exit_code == 1
    assert "thiếu ngay khi sao lưu" in result.stderr
    if "sqlite" in app.config["SQLALCHEMY_DATABASE_URI"]:
        assert "Số dòng" in result.stderr


def test_create_into_a_folder_keeps_the_newest(source, tmp_path):
    app, _root = source
    folder = tmp_path / "backups"
    folder.mkdir()
    for name in ("registry-20240101-000000.tar.gz", "registry-20240102-000000.tar.gz"):
        (folder / name).write_bytes(b"old")
    result = run(app, "create", str(folder), "--keep", "2")
    assert result.exit_code == 0, result.output + result.stderr
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 2 and kept[0] == "registry-20240102-000000.tar.gz"
    assert kept[1].startswith("registry-2") and kept[1] == Path(result.stdout.strip()).name
    assert backup.verify(folder / kept[1])[1] == []
