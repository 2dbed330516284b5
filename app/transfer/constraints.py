"""The database's own constraints, checked row by row before anything is written.

The reader checks what the spec says; the tables add their own rules (NOT NULL columns
that the spec treats as optional, String lengths, numeric sizes, unique keys). A value that
would break one becomes an error on its row (sheet, Excel row, column label, Vietnamese
message) instead of an IntegrityError and a 500 half-way through the import.
"""

from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from app.aid.models import AidItem, Disbursement
from app.core.text import fold
from app.delegations.models import Delegation, DelegationMember, ItineraryStop
from app.orgs.models import Organization
from app.transfer.fields import (
    BOOL_FIELDS,
    DELEGATION_FIELDS,
    DISBURSEMENT_FIELDS,
    ITEM_FIELDS,
    MEMBER_FIELDS,
    ORG_FIELDS,
)
from app.transfer.fields_diplomacy import DIPLOMACY_TARGETS
from app.transfer.issues import ReadResult, Row
from app.transfer.schema import SHEETS

# sheet key -> (model, {column key: field}); keyed sheets update records that exist.
TARGETS = {
    "ToChuc": (Organization, ORG_FIELDS),
    "VienTro": (AidItem, ITEM_FIELDS),
    "GiaiNgan": (Disbursement, DISBURSEMENT_FIELDS),
    "Doan": (Delegation, DELEGATION_FIELDS),
    "ThanhVien": (DelegationMember, MEMBER_FIELDS),
    **DIPLOMACY_TARGETS,
}
_BIGINT = 2**63


def check_constraints(result: ReadResult, known: Mapping[str, Iterable[str]]) -> None:
    """Append an error for each value the tables would refuse. `known` holds the codes of
    the records the registry has (an update may not empty a NOT NULL field, which a new
    record fills with the column's default)."""
    for sheet_key, rows in result.sheets.items():
        model, mapping = TARGETS[sheet_key]
        sheet = SHEETS[sheet_key]
        present = result.columns.get(sheet_key, frozenset())
        columns = [
            (key, column, _checked(column))
            for key, name in mapping.items()
            if key in present and name not in BOOL_FIELDS
            for column in (model.__table__.c[name],)
        ]
        existing = set(known.get(sheet_key, ())) if sheet.key_column else set()
        for row in rows:
            updating = row.values.get(sheet.key_column) in existing if sheet.key_column else False
            values = row.values
            for key, column, checked in columns:
                value = values.get(key)
                if (column.nullable if value is None else not checked) or key in row.invalid:
                    continue  # nothing _broken could refuse, or already reported
                message = _broken(column, value, updating)
                if message and not (sheet.column(key).required and message == _EMPTY):
                    result.error(sheet_key, row.excel_row, sheet.column(key).label, message)
        if sheet_key == "ThanhVien" and "ho_ten" in present:
            _check_folded_names(result, rows)
        if sheet_key == "Doan" and "lich_trinh" in present:
            _check_itineraries(result, rows)


_EMPTY = "Không được để trống (sổ đăng ký bắt buộc có giá trị này)."


def _checked(column: sa.Column) -> bool:
    """Whether _broken checks a value of this column's type (length, digits, size)."""
    kind = column.type
    return (
        (isinstance(kind, sa.String) and bool(kind.length))
        or (isinstance(kind, sa.Numeric) and kind.precision is not None)
        or isinstance(kind, sa.BigInteger)
    )


def _broken(column: sa.Column, value, updating: bool) -> str | None:
    """The Vietnamese reason `value` cannot be stored in `column`, or None."""
    if value is None:
        has_default = column.default is not None or column.server_default is not None
        if not column.nullable and (updating or not has_default):
            return _EMPTY
        return None
    kind = column.type
    too_long = isinstance(value, str) and isinstance(kind, sa.String) and kind.length
    if too_long and len(value) > kind.length:
        return f"Dài quá {kind.length} ký tự (có {len(value)} ký tự)."
    if isinstance(kind, sa.Numeric) and kind.precision is not None:
        digits = kind.precision - (kind.scale or 0)
        if abs(value) >= 10**digits:
            return f"Số quá lớn (phần nguyên tối đa {digits} chữ số)."
    if isinstance(kind, sa.BigInteger) and abs(int(value)) >= _BIGINT:
        return "Số quá lớn."
    return None


def _check_folded_names(result: ReadResult, rows: list[Row]) -> None:
    """A member's name is also stored folded (for search), which may be longer."""
    limit = DelegationMember.__table__.c.name_folded.type.length
    label = SHEETS["ThanhVien"].column("ho_ten").label
    for row in rows:
        name = row.values.get("ho_ten")
        if name and "ho_ten" not in row.invalid and len(fold(name)) > limit:
            result.error("ThanhVien", row.excel_row, label, f"Dài quá {limit} ký tự.")


def _check_itineraries(result: ReadResult, rows: list[Row]) -> None:
    """Each itinerary line's place and activity fit their columns."""
    table = ItineraryStop.__table__.c
    label = SHEETS["Doan"].column("lich_trinh").label
    limits = ((2, "Địa điểm", table.place.type.length), (3, "Nội dung", table.activity.type.length))
    for row in rows:
        text = row.values.get("lich_trinh")
        if not text:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            parts = [p.strip() for p in line.split("|")]
            for index, what, limit in limits:
                if len(parts) > index and len(parts[index]) > limit:
                    result.error(
                        "Doan",
                        row.excel_row,
                        label,
                        f"Dòng {number} của lịch trình: {what.lower()} dài quá {limit} ký tự.",
                    )
