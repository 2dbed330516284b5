"""The attachment stores' part of a backup (app/core/backup.py): an S3 store's objects
copied into the archive's `uploads/`, and `uploads/` written back into a store other than
the local folder (the database store's `attachment_blob` rows, or the S3 bucket)."""

import re
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from app.core.stores import CHUNK

UPLOADS = "uploads"
HASH_NAME = re.compile(r"^[0-9a-f]{64}$")


def fetch_objects(store, hashes: list[str], folder: Path) -> Path:
    """The store's objects of `hashes` copied into `folder` with the local layout (one
    missing from the store is left out: the manifest reports it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for sha256 in hashes:
        if not store.exists(sha256):
            continue
        target = folder / sha256[:2] / sha256[2:4] / sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as handle:
            for block in store.chunks(sha256):
                handle.write(block)
    return folder


def restore_objects(opened_archive, url: str, store) -> int:
    """Each attachment file of the archive (named by its sha256) put into `store`; for the
    database store, as `attachment_blob` rows of the restored database at `url`. Returns
    how many files were written."""
    written = 0
    engine = sa.create_engine(url) if store.kind == "database" else None
    try:
        with opened_archive as archive:
            for info in archive:
                name = PurePosixPath(info.name).name
                if not (info.name.startswith(f"{UPLOADS}/") and info.isfile()):
                    continue
                if not HASH_NAME.match(name):
                    continue
                with archive.extractfile(info) as source:
                    data = source.read()
                if engine is not None:
                    _put_blob(engine, name, data)
                else:
                    store.put(name, data)
                written += 1
    finally:
        if engine is not None:
            engine.dispose()
    return written


def _put_blob(engine, sha256: str, data: bytes) -> None:
    table = sa.table("attachment_blob", *map(sa.column, ("sha256", "seq", "data")))
    with engine.begin() as conn:
        held = sa.select(table.c.seq).where(table.c.sha256 == sha256, table.c.seq == 0)
        if conn.scalar(held) is not None:
            return
        rows = [
            {"sha256": sha256, "seq": seq, "data": data[start : start + CHUNK]}
            for seq, start in enumerate(range(0, len(data), CHUNK))
        ]
        conn.execute(sa.insert(table), rows)
