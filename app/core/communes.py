"""Commune reference data from the `vietnam-provinces` package (2025 two-level units), and
the land-border communes listed in data/border_communes.csv (sources in its last column and
in docs/decisions.md)."""

import csv
from pathlib import Path

from app.core import audit
from app.core.concurrency import check_version
from app.core.models import AuditEntry, Commune
from app.core.text import fold
from app.extensions import db


def load_communes() -> tuple[int, int]:
    """Insert or refresh every commune from the package; border flags are kept.

    Returns (created, updated). Idempotent: a second run changes nothing.
    """
    from vietnam_provinces import Province, Ward  # 0.17 s to import: only when used

    provinces = {int(p.code): p.name for p in Province.iter_all()}
    existing = {c.code: c for c in db.session.scalars(db.select(Commune))}
    created = updated = 0
    new_rows = []
    for ward in Ward.iter_all():
        code = f"{int(ward.code):05d}"
        values = {
            "name": ward.name,
            "name_folded": fold(ward.name),
            "division_type": ward.division_type.value,
            "province_code": int(ward.province_code),
            "province_name": provinces.get(int(ward.province_code), ""),
        }
        current = existing.get(code)
        if current is None:
            new_rows.append({"code": code, "is_border": False, "version": 1, **values})
            created += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            updated += 1
    if new_rows:
        db.session.execute(db.insert(Commune), new_rows)
    db.session.flush()
    return created, updated


BORDER_LIST = Path(__file__).parent / "data" / "border_communes.csv"
BORDER_FLAG = "commune.border_flag"  # an administrator marked or unmarked the commune
BORDER_LISTED = "commune.border_listed"  # the repository's list marked it


def border_list() -> list[dict]:
    """The listed border communes: code, name, former_district, border, source."""
    with BORDER_LIST.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def mark_border_communes() -> int:
    """Mark the listed communes as border communes, except those whose flag an
    administrator has already set (their choice stands: marking never undoes it), and never
    unmark anything. Audited per commune; returns how many were marked. Idempotent."""
    listed = {row["code"]: row for row in border_list()}
    set_by_admin = set(
        db.session.scalars(
            db.select(AuditEntry.object_id).where(
                AuditEntry.action == BORDER_FLAG, AuditEntry.object_id.in_(listed)
            )
        )
    )
    marked = 0
    for commune in db.session.scalars(db.select(Commune).where(Commune.code.in_(listed))):
        if commune.is_border or commune.code in set_by_admin:
            continue
        commune.is_border = True
        row = listed[commune.code]
        audit.record(
            BORDER_LISTED,
            commune,
            object_id=commune.code,
            summary=f"Đánh dấu xã biên giới theo danh sách ({row['border']}): {commune.label}",
            changes={"is_border": [False, True]},
        )
        marked += 1
    db.session.flush()
    return marked


def province_choices() -> list[tuple[int, str]]:
    from vietnam_provinces import Province

    return sorted(((int(p.code), p.name) for p in Province.iter_all()), key=lambda p: fold(p[1]))


def set_border_flag(commune: Commune, is_border: bool, version: int | None) -> bool:
    """Mark or unmark a border commune (audited). Returns whether anything changed."""
    check_version(commune, version)
    if commune.is_border == is_border:
        return False
    commune.is_border = is_border
    db.session.flush()
    audit.record(
        BORDER_FLAG,
        commune,
        object_id=commune.code,
        summary=f"{'Đánh dấu' if is_border else 'Bỏ đánh dấu'} xã biên giới: {commune.label}",
        changes={"is_border": [not is_border, is_border]},
    )
    return True
