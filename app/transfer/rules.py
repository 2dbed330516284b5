"""The rules one row can check by itself (required values, date ranges, duplicate codes,
rates, members), applied while a sheet is read."""

from collections.abc import Mapping
from typing import Any

from app.core import validation
from app.core.errors import FieldError
from app.transfer import schema
from app.transfer.issues import ReadResult, Row
from app.transfer.schema import Sheet


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def conditional_requirements(sheet: Sheet, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(column key, message) for each value a rule requires here and the row lacks.

    Covers "yes unless VND" (ty_gia) and "when approved or later" (so_quyet_dinh,
    ngay_phe_duyet); the passport rule needs the delegation, see validate_cross_sheet.
    """
    missing = []
    if "ty_gia" in sheet.by_key:
        currency = values.get("tien_te")
        if currency and currency != "VND" and values.get("ty_gia") is None:
            missing.append(("ty_gia", "Thiếu tỷ giá (bắt buộc khi tiền tệ không phải VND)."))
    if sheet.key == "VienTro":
        status = values.get("trang_thai")
        if status in schema.APPROVED_STATUSES:
            status_label = sheet.column("trang_thai").choices[status]
            for key in ("so_quyet_dinh", "ngay_phe_duyet"):
                if values.get(key) is None:
                    label = lower_first(sheet.column(key).label)
                    missing.append(
                        (key, f"Thiếu {label} (bắt buộc khi trạng thái là «{status_label}»).")
                    )
    return missing


class SheetRules:
    """The rules one sheet can check by itself, applied row by row."""

    def __init__(self, sheet: Sheet, result: ReadResult, present: frozenset[str]):
        self.sheet = sheet
        self.result = result
        self.present = present
        self.required = [c for c in sheet.columns if c.required and c.key in present]
        self.ranges = [
            (sheet.column(a), sheet.column(b))
            for a, b in sheet.date_ranges
            if a in present and b in present
        ]
        self.key_column = sheet.key_column if sheet.key_column in present else None
        self.seen_codes: dict[str, int] = {}
        self.seen_passports: dict[tuple[str, str], int] = {}
        self.has_rates = "ty_gia" in present and "tien_te" in present

    def error(self, row: Row, key: str, message: str) -> None:
        label = self.sheet.column(key).label
        self.result.error(self.sheet.key, row.excel_row, label, message)

    def check(self, row: Row) -> None:
        values, invalid = row.values, row.invalid
        for column in self.required:
            if values.get(column.key) is None and column.key not in invalid:
                self.error(row, column.key, "Thiếu giá trị bắt buộc.")
        for start, end in self.ranges:
            first, last = values.get(start.key), values.get(end.key)
            if first is not None and last is not None and last < first:
                self.error(
                    row, end.key, f"{end.label} không được trước {lower_first(start.label)}."
                )
        if self.key_column is not None:
            code = values.get(self.key_column)
            if code is not None:
                previous = self.seen_codes.setdefault(code, row.excel_row)
                if previous != row.excel_row:
                    self.error(row, self.key_column, f"Mã '{code}' trùng với mã ở dòng {previous}.")
        if self.has_rates:
            self._check_rates(row)
        # A conditionally required column left empty is an error here; when the column is
        # absent, a keyed sheet's existing records keep their stored value, so the check
        # waits for validate_cross_sheet (which knows which records exist).
        for key, message in conditional_requirements(self.sheet, values):
            if key in invalid:
                continue
            if key in self.present or self.sheet.key_column is None:
                self.error(row, key, message)
        if self.sheet.key == "ThanhVien":
            self._check_member(row)
        if self.sheet.key == "VienTro":
            self._check_managed_split(row)

    def _check_managed_split(self, row: Row) -> None:
        """Decree 80/2020 Art 11(1)(đ), as on the approval form: both parts or neither,
        adding up to the item's value."""
        values = row.values
        donor, recipient = values.get("phan_ben_tai_tro"), values.get("phan_ben_tiep_nhan")
        value = values.get("gia_tri")
        if donor is None and recipient is None:
            return
        if donor is None or recipient is None:
            key = "phan_ben_tai_tro" if donor is None else "phan_ben_tiep_nhan"
            self.error(row, key, "Nhập cả phần do bên tài trợ và phần do bên tiếp nhận quản lý.")
        elif value is not None and donor + recipient != value:
            self.error(
                row,
                "phan_ben_tiep_nhan",
                "Phần do bên tài trợ và phần do bên tiếp nhận quản lý cộng lại phải bằng "
                "giá trị viện trợ.",
            )

    def _check_rates(self, row: Row) -> None:
        values = row.values
        currency, rate = values.get("tien_te"), values.get("ty_gia")
        if currency == "VND" and rate is not None and rate != 1:
            self.error(row, "ty_gia", "Tiền tệ VND thì tỷ giá để trống hoặc bằng 1.")
        rate_usd = values.get("ty_gia_usd")
        if currency == "USD" and rate is not None and rate_usd is not None and rate != rate_usd:
            self.error(row, "ty_gia_usd", "Với tiền tệ USD, tỷ giá USD phải bằng tỷ giá.")

    def _check_member(self, row: Row) -> None:
        values = row.values
        if "ngay_sinh" not in row.invalid:
            try:  # the member form's rule: in the past, not before 1900
                validation.birth_date(values.get("ngay_sinh"), "ngay_sinh")
            except FieldError as error:
                self.error(row, "ngay_sinh", error.message)
        passport, delegation = values.get("so_ho_chieu"), values.get("ma_doan")
        if passport and delegation:
            previous = self.seen_passports.setdefault((delegation, passport), row.excel_row)
            if previous != row.excel_row:
                self.error(
                    row,
                    "so_ho_chieu",
                    f"Số hộ chiếu '{passport}' đã có ở dòng {previous} trong cùng đoàn "
                    f"'{delegation}'.",
                )
