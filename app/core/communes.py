"""Commune reference data from the `vietnam-provinces` package (2025 two-level units)."""

from vietnam_provinces import Province, Ward

from app.core import audit
from app.core.concurrency import check_version
from app.core.models import Commune
from app.core.text import fold
from app.extensions import db


def load_communes() -> tuple[int, int]:
    """Insert or refresh every commune from the package; border flags are kept.

    Returns (created, updated). Idempotent: a second run changes nothing.
    """
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


def province_choices() -> list[tuple[int, str]]:
    return sorted(((int(p.code), p.name) for p in Province.iter_all()), key=lambda p: fold(p[1]))


def set_border_flag(commune: Commune, is_border: bool, version: int | None) -> bool:
    """Mark or unmark a border commune (audited). Returns whether anything changed."""
    check_version(commune, version)
    if commune.is_border == is_border:
        return False
    commune.is_border = is_border
    db.session.flush()
    audit.record(
        "commune.border_flag",
        commune,
        object_id=commune.code,
        summary=f"{'Đánh dấu' if is_border else 'Bỏ đánh dấu'} xã biên giới: {commune.label}",
        changes={"is_border": [not is_border, is_border]},
    )
    return True
