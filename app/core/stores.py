"""Where attachment bytes live: one small interface, three stores (issue 15, item 8).

ATTACHMENT_STORE chooses the store:
- `local` (the default): files under UPLOAD_DIR, `aa/bb/<sha256>` (one machine, or a folder
  every server mounts);
- `database`: rows of `attachment_blob` in the registry's own database, 1 MiB chunks by
  (sha256, seq), written in the same transaction as the attachment's row; every server
  that reaches the database reaches the bytes, and the database's backup holds them;
- `s3`: an S3-compatible object store through boto3 (S3_BUCKET, S3_ENDPOINT_URL, S3_PREFIX;
  credentials from boto3's own chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ...).

Every store is addressed by the content's sha256 only: `put(sha256, data)` (once per
content; a second put of the same bytes is a no-op), `exists(sha256)`, `chunks(sha256)`
(an iterator of blocks, so a large file is never held whole) and `read(sha256)`.
`store_for(app)` gives the app's store (one per app, made on first use).
"""

from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

CHUNK = 1024 * 1024
KINDS = ("local", "database", "s3")


class StoreError(RuntimeError):
    """The configured store cannot be used (a setting missing, an unknown kind)."""


class AttachmentBlob(db.Model):
    """One chunk of an attachment's bytes in the database store (ATTACHMENT_STORE=database).

    Chunk 0 exists for every stored content (an empty file is never stored); a content's
    chunks are read in `seq` order."""

    __tablename__ = "attachment_blob"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


class Store:
    kind = ""

    def put(self, sha256: str, data: bytes) -> None:
        raise NotImplementedError

    def exists(self, sha256: str) -> bool:
        raise NotImplementedError

    def chunks(self, sha256: str) -> Iterator[bytes]:
        raise NotImplementedError

    def read(self, sha256: str) -> bytes:
        return b"".join(self.chunks(sha256))

    def check(self) -> str:
        """What `flask doctor` reports: raise StoreError when the store cannot be used."""
        raise NotImplementedError


class LocalStore(Store):
    """Files under a folder by content hash (written atomically: `.part`, then renamed)."""

    kind = "local"

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def path(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, data: bytes) -> None:
        path = self.path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # a crash never leaves a half-written file under the hash

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def chunks(self, sha256: str) -> Iterator[bytes]:
        with open(self.path(sha256), "rb") as handle:
            while block := handle.read(CHUNK):
                yield block

    def check(self) -> str:
        return f"attachments in the folder {self.folder} (one server, or a shared folder)."


class DatabaseStore(Store):
    """Chunks in `attachment_blob`, through the request's session: a put is part of the
    transaction that adds the attachment row (a rolled-back upload leaves no bytes)."""

    kind = "database"

    def put(self, sha256: str, data: bytes) -> None:
        if self.exists(sha256):
            return
        rows = [
            {"sha256": sha256, "seq": seq, "data": data[start : start + CHUNK]}
            for seq, start in enumerate(range(0, len(data), CHUNK))
        ]
        insert = _insert_ignoring_duplicates(AttachmentBlob.__table__)
        db.session.execute(insert, rows)  # the same content uploaded at once elsewhere: kept

    def exists(self, sha256: str) -> bool:
        found = db.session.scalar(
            sa.select(AttachmentBlob.seq).where(
                AttachmentBlob.sha256 == sha256, AttachmentBlob.seq == 0
            )
        )
        return found is not None

    def chunks(self, sha256: str) -> Iterator[bytes]:
        # One chunk per query: memory stays at one chunk however large the file.
        seq = 0
        while True:
            block = db.session.scalar(
                sa.select(AttachmentBlob.data).where(
                    AttachmentBlob.sha256 == sha256, AttachmentBlob.seq == seq
                )
            )
            if block is None:
                return
            yield bytes(block)
            seq += 1

    def check(self) -> str:
        try:
            db.session.execute(sa.select(AttachmentBlob.seq).limit(1)).all()
        except sa.exc.SQLAlchemyError as error:
            db.session.rollback()
            raise StoreError(f"table attachment_blob unreadable: {type(error).__name__}") from error
        return "attachments in the database (table attachment_blob)."


def _insert_ignoring_duplicates(table):
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the registry runs on these two
        return sa.insert(table)
    return insert(table).on_conflict_do_nothing()


class S3Store(Store):
    """Objects `<S3_PREFIX><aa>/<bb>/<sha256>` in one bucket of an S3-compatible store."""

    kind = "s3"

    def __init__(self, bucket: str, endpoint_url: str | None = None, prefix: str = "", **client):
        import boto3  # only where the S3 store is chosen

        if not bucket:
            raise StoreError("ATTACHMENT_STORE=s3 needs S3_BUCKET.")
        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, **client)

    def key(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def put(self, sha256: str, data: bytes) -> None:
        if not self.exists(sha256):
            self.client.put_object(Bucket=self.bucket, Key=self.key(sha256), Body=data)

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def chunks(self, sha256: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def check(self) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as error:
            raise StoreError(f"bucket {self.bucket} not reachable: {error}") from error
        return f"attachments in the bucket {self.bucket}."


def make_store(config) -> Store:
    kind = (config.get("ATTACHMENT_STORE") or "local").strip().lower()
    if kind == "local":
        return LocalStore(config["UPLOAD_DIR"])
    if kind == "database":
        return DatabaseStore()
    if kind == "s3":
        client = {}
        if config.get("S3_REGION"):
            client["region_name"] = config["S3_REGION"]
        return S3Store(
            config.get("S3_BUCKET") or "",
            config.get("S3_ENDPOINT_URL"),
            config.get("S3_PREFIX") or "",
            **client,
        )
    raise StoreError(f"ATTACHMENT_STORE must be one of {', '.join(KINDS)}, not {kind!r}.")


def store_for(app: Flask | None = None) -> Store:
    """The app's store, made once per app and configuration (tests may switch it)."""
    app = app or current_app._get_current_object()
    config = app.config
    signature = (
        config.get("ATTACHMENT_STORE"),
        config.get("UPLOAD_DIR"),
        config.get("S3_BUCKET"),
        config.get("S3_ENDPOINT_URL"),
        config.get("S3_PREFIX"),
    )
    cached = app.extensions.get("attachment_store")
    if cached is None or cached[0] != signature:
        cached = (signature, make_store(config))
        app.extensions["attachment_store"] = cached
    return cached[1]
