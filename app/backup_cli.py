"""`flask backup create|verify|restore`: the database and the attachment files in one
archive (app/core/backup.py). Stop the web server before a restore."""

from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.config import INSTANCE_DIR
from app.core import backup, stores
from app.extensions import db

DEFAULT_FOLDER = INSTANCE_DIR / "backups"


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_cli)


@click.group("backup", cls=AppGroup, help="Backups of the database and attachment files.")
def backup_cli():
    pass


def _target(path: str | None) -> Path:
    """A file path: PATH itself, or a new timestamped name inside a folder."""
    folder = Path(path) if path else DEFAULT_FOLDER
    if path and not folder.is_dir() and path.endswith((".tar.gz", ".tgz")):
        return folder
    return folder / f"registry-{datetime.now():%Y%m%d-%H%M%S}.tar.gz"


def _summary(manifest: dict) -> str:
    counts = manifest["counts"]
    main = ", ".join(
        f"{table} {counts[table]}"
        for table in ("aid_item", "organization", "delegation", "user", "attachment")
        if table in counts
    )
    uploads = manifest["uploads"]
    return (
        f"{manifest['database']['backend']}, tạo lúc {manifest['created_at']}, "
        f"phiên bản CSDL {manifest['database']['alembic_revision']}; {main}; "
        f"{uploads['files']} tệp đính kèm ({uploads['bytes']:,} byte)"
    )


def _fail(error: backup.BackupError):
    raise click.ClickException(str(error)) from error


@backup_cli.command("create")
@click.argument("path", required=False)
@click.option(
    "--keep", type=click.IntRange(min=1), help="Then keep only the N newest archives there."
)
def create(path, keep):
    """Write a backup to PATH (a .tar.gz file or a folder; default instance/backups/)."""
    target = _target(path)
    try:
        manifest = backup.create(
            current_app.config["SQLALCHEMY_DATABASE_URI"],
            Path(current_app.config["UPLOAD_DIR"]),
            target,
            store=stores.store_for(current_app),
        )
    except backup.BackupError as error:
        _fail(error)
    click.echo(str(target))
    click.echo(f"Đã sao lưu: {_summary(manifest)}", err=True)
    if missing := manifest["attachments"]["missing_files"]:
        click.echo(f"Cảnh báo: {len(missing)} tệp đính kèm không tìm thấy.", err=True)
    if keep:
        for old in backup.prune(target.parent, keep):
            click.echo(f"Đã xoá bản cũ {old.name}", err=True)


@backup_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify(path):
    """Check a backup: checksums, the database file, the attachment files."""
    try:
        manifest, problems = backup.verify(Path(path))
    except backup.BackupError as error:
        _fail(error)
    if problems:
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(f"Bản sao lưu có {len(problems)} lỗi.")
    click.echo(f"Hợp lệ: {_summary(manifest)}")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite a database that already has data.")
def restore(path, force):
    """Restore a backup into the configured database and UPLOAD_DIR (server stopped)."""
    db.engine.dispose()  # no connection of ours may hold the old database
    try:
        manifest = backup.restore(
            Path(path),
            current_app.config["SQLALCHEMY_DATABASE_URI"],
            Path(current_app.config["UPLOAD_DIR"]),
            force=force,
            store=stores.store_for(current_app),
        )
    except backup.BackupError as error:
        _fail(error)
    click.echo(f"Đã khôi phục: {_summary(manifest)}")
    click.echo("Tiếp theo: flask db upgrade (nếu mã nguồn mới hơn bản sao lưu).", err=True)
