"""Backups of the registry: the database and the attachment files in one .tar.gz.

An archive holds `manifest.json` (format, time, database kind, schema revision, rows per
table, sha256 and size of every other member), the database (`database.sqlite3`, a copy
made with SQLite's online backup API, or `database.pgdump`, `pg_dump -Fc`) and the files
of UPLOAD_DIR under `uploads/`. The database is copied first, then the files: attachment
files are written before their rows are committed and never deleted, so every row in the
copy finds its file.

Whichever attachment store is configured (app/core/stores.py), the archive holds the bytes:
the local store's folder as above; the database store's chunks are rows of the dump itself
(`attachment_blob`); the S3 store's objects of every attachment in the dump are downloaded
into `uploads/` with the local layout. A restore writes `uploads/` into the configured store
(files into UPLOAD_DIR, objects into the bucket, rows into `attachment_blob`), so an archive
made with one store restores into another.

Used by `flask backup create|verify|restore` (app/backup_cli.py).
"""

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from app.core import backup_stores

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
UPLOADS = "uploads"
PG_BIN_DIRS = tuple(f"/usr/lib/postgresql/{v}/bin" for v in (17, 16, 15))
CHUNK = 1024 * 1024
HASH_NAME = re.compile(r"^[0-9a-f]{64}$")  # attachment files are named by their sha256


class BackupError(Exception):
    """The backup cannot be made, is damaged, or may not be restored here (message in
    Vietnamese, for the operator)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def backend(url: str) -> str:
    name = sa.engine.make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Không hỗ trợ sao lưu cơ sở dữ liệu loại {name}.")
    return name


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: from PG_BIN when set, else PATH, else Debian's server folders."""
    if folder := os.environ.get("PG_BIN"):
        folders = [folder]
    elif found := shutil.which(name):
        return found
    else:
        folders = list(PG_BIN_DIRS)
    for folder in folders:
        if (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    raise BackupError(f"Không tìm thấy {name} (cài postgresql-client hoặc đặt PG_BIN).")


def _libpq(url: str) -> tuple[str, dict]:
    """A libpq URL without the password, and an environment carrying it."""
    parsed = sa.engine.make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict | None = None) -> str:
    # The commands are ours (pg_dump / pg_restore with our arguments), never user input.
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} lỗi: {result.stderr.strip()[-2000:]}")
    return result.stdout


def _sqlite_path(url: str) -> Path:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite phải là một tệp.")
    return Path(database)


# --- What a database holds ----------------------------------------------------------------


def _counts(conn) -> tuple[dict, str | None, list[str]]:
    """Rows per table, the Alembic revision and the attachment hashes, read in one
    transaction (`conn` is a SQLAlchemy connection)."""
    tables = sorted(sa.inspect(conn).get_table_names())
    counts = {t: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(t))) for t in tables}
    revision = None
    if "alembic_version" in tables:
        revision = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    hashes = []
    if "attachment" in tables:
        # Those whose bytes are not rows of the database itself (the database store).
        held = "SELECT sha256 FROM attachment_blob WHERE seq = 0"
        query = "SELECT DISTINCT sha256 FROM attachment"
        if "attachment_blob" in tables:
            query += f" WHERE sha256 NOT IN ({held})"
        hashes = list(conn.scalars(sa.text(query)))
    return counts, revision, hashes


def _sqlite_counts(path: Path):
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return _counts(conn)
    finally:
        engine.dispose()


def database_has_rows(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
            return any(
                conn.scalar(sa.select(sa.literal(1)).select_from(sa.table(t)).limit(1))
                for t in tables
            )
    finally:
        engine.dispose()


# --- Create -------------------------------------------------------------------------------


def _dump_sqlite(url: str, target: Path):
    source = sqlite3.connect(_sqlite_path(url))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: a consistent snapshot, writers keep working (WAL)
    finally:
        copy.close()
        source.close()
    return _sqlite_counts(target)


def _dump_postgres(url: str, target: Path):
    """pg_dump inside a snapshot shared with the counting transaction, so the manifest's
    counts are those of the dump even while users keep writing."""
    conninfo, env = _libpq(url)
    engine = sa.create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
            _run(
                [
                    pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    f"--dbname={conninfo}",
                ],
                env,
            )
            result = _counts(conn)
            conn.rollback()
            return result
    finally:
        engine.dispose()


def _upload_files(upload_dir: Path) -> list[Path]:
    if not upload_dir.is_dir():
        return []
    # A *.part file is an upload that never finished (see app.core.attachments.store).
    return sorted(
        p
        for p in upload_dir.rglob("*")
        if p.is_file() and not p.is_symlink() and p.suffix != ".part"
    )


def create(url: str, upload_dir: Path, destination: Path, store=None) -> dict:
    """Write the archive to `destination` (via a temporary name) and return its manifest.

    `store`: the attachment store (app/core/stores.py); None or a local one: the files of
    `upload_dir`; the database store: none (its bytes are in the dump); another (S3): its
    objects of the dump's attachments."""
    kind = backend(url)
    store_kind = getattr(store, "kind", "local")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="registry-backup-") as tmp:
        member = SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER
        dump = Path(tmp) / member
        dumper = _dump_sqlite if kind == "sqlite" else _dump_postgres
        counts, revision, hashes = dumper(url, dump)
        if store_kind == "database":
            upload_dir = Path(tmp) / UPLOADS  # nothing: the bytes are rows of the dump
        elif store_kind != "local":
            upload_dir = backup_stores.fetch_objects(store, hashes, Path(tmp) / UPLOADS)
        files = _upload_files(upload_dir)
        entries = {member: {"sha256": sha256_file(dump), "size": dump.stat().st_size}}
        for path in files:
            name = str(PurePosixPath(UPLOADS, *path.relative_to(upload_dir).parts))
            entries[name] = {"sha256": sha256_file(path), "size": path.stat().st_size}
        stored = {p.name for p in files}
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {"backend": kind, "member": member, "alembic_revision": revision},
            "counts": counts,
            "attachments": {
                "store": store_kind,
                "rows_distinct_files": len(hashes),
                "missing_files": sorted(set(hashes) - stored),
            },
            "uploads": {"files": len(files), "bytes": sum(p.stat().st_size for p in files)},
            "members": entries,
        }
        partial = destination.with_name(destination.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o644
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=member, recursive=False)
            for path in files:
                name = str(PurePosixPath(UPLOADS, *path.relative_to(upload_dir).parts))
                archive.add(path, arcname=name, recursive=False)
        partial.replace(destination)
    return manifest


# --- Verify -------------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == str(path)


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, AttributeError, ValueError) as error:
        raise BackupError(f"Không đọc được {MANIFEST}: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Định dạng bản sao lưu không hỗ trợ: {manifest.get('format')!r}.")
    return manifest


@contextmanager
def opened(path: Path):
    try:
        with tarfile.open(path, "r:gz") as archive:
            yield archive
    except (OSError, tarfile.TarError, EOFError) as error:
        raise BackupError(f"Không mở được tệp sao lưu {path}: {error}") from error


def _member_sha256(archive: tarfile.TarFile, info: tarfile.TarInfo, copy_to: Path | None) -> str:
    """The member's sha256, read once; the bytes are also written to `copy_to` if given."""
    digest = hashlib.sha256()
    with archive.extractfile(info) as source, ExitStack() as stack:
        copy = stack.enter_context(open(copy_to, "wb")) if copy_to else None
        while block := source.read(CHUNK):
            digest.update(block)
            if copy:
                copy.write(block)
    return digest.hexdigest()


def verify(path: Path, workdir: Path | None = None) -> tuple[dict, list[str]]:
    """(manifest, problems): checksums of every member, then the database itself
    (SQLite: integrity_check and counts; PostgreSQL: pg_restore --list). The database
    member is left in `workdir` when given (restore uses it)."""
    problems = []
    with opened(path) as archive, tempfile.TemporaryDirectory() as tmp:
        manifest = read_manifest(archive)
        expected = manifest["members"]
        seen = set()
        database = manifest["database"]["member"]
        for info in archive:
            if info.name == MANIFEST:
                continue
            if not _safe_name(info.name) or not info.isfile():
                problems.append(f"Thành phần không hợp lệ: {info.name}")
                continue
            seen.add(info.name)
            want = expected.get(info.name)
            if want is None:
                problems.append(f"Thành phần không có trong manifest: {info.name}")
                continue
            copy_to = Path(workdir or tmp) / database if info.name == database else None
            if (
                _member_sha256(archive, info, copy_to) != want["sha256"]
                or info.size != want["size"]
            ):
                problems.append(f"Sai mã kiểm tra (sha256) hoặc kích thước: {info.name}")
            name = PurePosixPath(info.name).name
            if (
                info.name.startswith(f"{UPLOADS}/")
                and HASH_NAME.match(name)
                and name != want["sha256"]
            ):
                problems.append(f"Tệp đính kèm không khớp tên (sha256): {info.name}")
        problems += [f"Thiếu thành phần: {name}" for name in sorted(set(expected) - seen)]
        if database in seen:
            problems += _check_database(Path(workdir or tmp) / database, manifest)
        missing = manifest["attachments"]["missing_files"]
        if missing:
            problems.append(f"{len(missing)} tệp đính kèm thiếu ngay khi sao lưu: {missing[:5]}")
    return manifest, problems


def _check_database(dump: Path, manifest: dict) -> list[str]:
    if manifest["database"]["backend"] == "postgresql":
        try:
            _run([pg_tool("pg_restore"), "--list", str(dump)])
        except BackupError as error:
            return [str(error)]
        return []
    try:
        conn = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        return [f"Tệp cơ sở dữ liệu hỏng: {error}"]
    if result != [("ok",)]:
        return [f"PRAGMA integrity_check: {result[:5]}"]
    counts, _revision, hashes = _sqlite_counts(dump)
    problems = []
    if counts != manifest["counts"]:
        problems.append("Số dòng trong cơ sở dữ liệu khác với manifest.")
    stored = {PurePosixPath(n).name for n in manifest["members"] if n.startswith(f"{UPLOADS}/")}
    if lost := set(hashes) - stored:
        problems.append(f"{len(lost)} tệp đính kèm không có trong bản sao lưu.")
    return problems


# --- Restore ------------------------------------------------------------------------------


def restore(path: Path, url: str, upload_dir: Path, force: bool = False, store=None) -> dict:
    """Restore the archive into the database at `url` and `upload_dir` (or `store`, the
    configured attachment store, when it is not the local one).

    Refuses a damaged archive, another kind of database, and a database that has rows
    (or an upload folder that has files) unless `force`. Stop the web server first.
    """
    kind = backend(url)
    store_kind = getattr(store, "kind", "local")
    with tempfile.TemporaryDirectory(prefix="registry-restore-") as tmp:
        manifest, problems = verify(path, workdir=Path(tmp))
        if problems:
            raise BackupError("Bản sao lưu không hợp lệ:\n  " + "\n  ".join(problems))
        if manifest["database"]["backend"] != kind:
            raise BackupError(
                f"Bản sao lưu của {manifest['database']['backend']} không khôi phục được "
                f"vào {kind}."
            )
        files_there = store_kind == "local" and _upload_files(upload_dir)
        if not force and (database_has_rows(url) or files_there):
            raise BackupError(
                "Cơ sở dữ liệu (hoặc thư mục tệp đính kèm) đích đã có dữ liệu. "
                "Dùng --force để ghi đè."
            )
        dump = Path(tmp) / manifest["database"]["member"]
        if kind == "sqlite":
            _restore_sqlite(dump, url)
        else:
            _restore_postgres(dump, url)
        if store_kind == "local":
            _restore_uploads(path, upload_dir)
        else:
            backup_stores.restore_objects(opened(path), url, store)
    return manifest


def _restore_sqlite(dump: Path, url: str) -> None:
    target = _sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)  # replaces every page of the target, WAL file included
    finally:
        destination.close()
        source.close()


_OWN_FUNCTIONS = """
SELECT p.oid::regprocedure::text FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = current_schema() AND NOT EXISTS (
    SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
    AND d.deptype = 'e'
)"""


def _restore_postgres(dump: Path, url: str) -> None:
    # Existing tables go first (their rows were accepted with --force, or they are empty),
    # so the dump's schema is restored as it was, in one transaction.
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for table in sa.inspect(conn).get_table_names():
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
            # The schema's own functions (the statistics' trigger functions) too, or the
            # dump's CREATE FUNCTION fails; an extension's (pg_trgm) stay with it.
            for function in conn.scalars(sa.text(_OWN_FUNCTIONS)).all():
                conn.execute(sa.text(f"DROP FUNCTION IF EXISTS {function} CASCADE"))
    finally:
        engine.dispose()
    conninfo, env = _libpq(url)
    _run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env,
    )


def _restore_uploads(path: Path, upload_dir: Path) -> None:
    upload_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"{UPLOADS}/"
    with opened(path) as archive:
        for info in archive:
            if not info.name.startswith(prefix) or not info.isfile():
                continue
            target = upload_dir / PurePosixPath(info.name[len(prefix) :])
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(info) as source, open(target, "wb") as handle:
                shutil.copyfileobj(source, handle, CHUNK)


def prune(folder: Path, keep: int, pattern: str = "registry-*.tar.gz") -> list[Path]:
    """Delete all but the `keep` newest archives named like ours in `folder`."""
    archives = sorted(folder.glob(pattern), key=lambda p: p.name, reverse=True)
    removed = archives[keep:]
    for old in removed:
        old.unlink()
    return removed
