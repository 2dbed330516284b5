"""The checks between sheets and against the registry's codes: references, conditionally
required columns of new records, and the member rules that need the delegation."""

from collections.abc import Mapping
from datetime import date

from app.delegations import rules as member_rules
from app.transfer import schema
from app.transfer.issues import ReadResult, Row
from app.transfer.rules import conditional_requirements
from app.transfer.rules_diplomacy import (
    DIPLOMACY_REF_NAMES,
    DIPLOMACY_TARGETS,
    check_diplomacy_sheets,
)
from app.transfer.schema import SHEETS, Column, Sheet
from app.transfer.schema_diplomacy import AGENCIES

_REF_NAMES = {
    "ToChuc": "Tổ chức",
    "VienTro": "Khoản viện trợ",
    "Doan": "Đoàn",
    **DIPLOMACY_REF_NAMES,
}
# The keyed sheets other sheets refer to, and the registry's agencies.
_TARGETS = ("ToChuc", "VienTro", "Doan", *DIPLOMACY_TARGETS)


def validate_cross_sheet(
    result: ReadResult,
    known: Mapping[str, set[str]],
    known_directions: Mapping[str, str] | None = None,
    known_ends: Mapping[str, date] | None = None,
) -> None:
    """Append the errors between sheets and against the registry to `result.errors`.

    `known` holds the codes the registry already has: known["ToChuc"], known["VienTro"],
    known["Doan"] (record codes) and known["communes"] (5-digit commune codes); a missing
    entry counts as empty. `known_directions` maps the registry's delegation codes to
    "vao"/"ra" and `known_ends` to their end dates (the file's Doan sheet wins for a
    delegation it lists).

    Checks: every reference (VienTro.nha_tai_tro, Doan.to_chuc -> ToChuc; GiaiNgan and Doan
    .ma_vien_tro -> VienTro; ThanhVien.ma_doan -> Doan; dia_ban -> communes) exists in the
    file or the registry; a new record (code not in `known`) of a sheet that omits a
    conditionally required column still needs it; a foreign member of a `vao` delegation
    has a passport number, valid until the visit ends.
    """
    targets = {key: result.codes(key) | set(known.get(key, ())) for key in _TARGETS}
    targets[schema.COMMUNES] = set(known.get(schema.COMMUNES, ()))
    targets[AGENCIES] = set(known.get(AGENCIES, ()))
    for sheet_key, rows in result.sheets.items():
        sheet = SHEETS[sheet_key]
        present = result.columns.get(sheet_key, frozenset())
        ref_columns = [
            c for c in sheet.columns if c.kind in (schema.REF, schema.REFS) and c.key in present
        ]
        deferred = sheet.key_column is not None and any(
            k not in present for k in ("ty_gia", "so_quyet_dinh", "ngay_phe_duyet")
        )
        existing = set(known.get(sheet_key, ()))
        for row in rows:
            for column in ref_columns:
                _check_refs(result, sheet, row, column, targets[column.ref])
            code = row.get(sheet.key_column) if sheet.key_column else None
            if deferred and code and code not in existing:
                for key, message in conditional_requirements(sheet, row.values):
                    if key not in present:
                        result.error(sheet_key, row.excel_row, sheet.column(key).label, message)
    _check_members(result, known_directions or {}, known_ends or {})
    check_diplomacy_sheets(result, known)


def _check_refs(result: ReadResult, sheet: Sheet, row: Row, column: Column, target: set[str]):
    value = row.values.get(column.key)
    if value is None:
        return
    for code in value if isinstance(value, list) else (value,):
        if code in target:
            continue
        if column.ref == schema.COMMUNES:
            message = f"Mã xã '{code}' không có trong danh mục xã, phường."
        elif column.ref == AGENCIES:
            message = f"Cơ quan '{code}' không có trong danh sách cơ quan, đơn vị của hệ thống."
        else:
            message = (
                f"{_REF_NAMES[column.ref]} '{code}' không có trong trang {column.ref} "
                "của tệp cũng như trong sổ đăng ký."
            )
        result.error(sheet.key, row.excel_row, column.label, message)


def _check_members(
    result: ReadResult,
    known_directions: Mapping[str, str],
    known_ends: Mapping[str, date],
) -> None:
    """The member form's rules that need the delegation (app.delegations.rules): a foreign
    member of an incoming delegation has a passport; it does not expire before the visit
    ends."""
    members = result.sheets.get("ThanhVien")
    if not members:
        return
    directions, ends = dict(known_directions), dict(known_ends)
    for delegation in result.sheets.get("Doan", ()):
        code = delegation.get("ma")
        if code and delegation.get("huong"):
            directions[code] = delegation.get("huong")
        if code and delegation.get("den_ngay"):
            ends[code] = delegation.get("den_ngay")
    sheet = SHEETS["ThanhVien"]
    for row in members:
        code = row.get("ma_doan")
        if row.get("quoc_tich") is None:
            continue  # missing or unreadable: already reported
        values = {
            "full_name": row.get("ho_ten"),
            "nationality": row.get("quoc_tich"),
            "passport_number": row.get("so_ho_chieu"),
            "passport_expiry": row.get("han_ho_chieu"),
        }
        errors = member_rules.member_errors(
            values,
            is_incoming=directions.get(code) == "vao",
            end_on=ends.get(code),
            other_passports=set(),
        )
        for field, key in (("passport_number", "so_ho_chieu"), ("passport_expiry", "han_ho_chieu")):
            if field in errors and key not in row.invalid:
                result.error("ThanhVien", row.excel_row, sheet.column(key).label, errors[field])
