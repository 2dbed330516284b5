"""Reading and row validation of the registry workbook (spec/interchange.md).

Every workbook is built with openpyxl in tmp_path by the test that reads it.
"""

import io
import re
import time
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.core.dates import today_vn
from app.transfer import fastread, reader
from app.transfer.reader import Issue, match_sheet, read_workbook, validate_cross_sheet
from app.transfer.schema import SHEETS

# --- Building workbooks -------------------------------------------------------------------

ORG = {"ma": "TC1", "ten": "Oxfam", "loai": "ngo", "quoc_gia": "GB"}
AID = {
    "ma": "VT1",
    "ten": "Nước sạch cho xã Đắk Tô",
    "hinh_thuc": "du_an",
    "nha_tai_tro": "TC1",
    "linh_vuc": "nuoc_ve_sinh",
    "trang_thai": "tiep_nhan",
    "gia_tri": 1000,
    "tien_te": "USD",
    "ty_gia": 25000,
}
DISBURSEMENT = {
    "ma_vien_tro": "VT1",
    "ngay": date(2024, 3, 1),
    "so_tien": 100,
    "tien_te": "USD",
    "ty_gia": 25000,
}
DELEGATION = {
    "ma": "D1",
    "huong": "vao",
    "ten": "Đoàn Oxfam",
    "quoc_gia": "GB",
    "tu_ngay": "01/03/2024",
    "den_ngay": "05/03/2024",
    "muc_dich": "khao_sat",
    "trang_thai": "da_duyet",
}
MEMBER = {"ma_doan": "D1", "ho_ten": "John Smith", "quoc_tich": "GB", "so_ho_chieu": "X1"}
# The shared specs sit beside the checkout (../shared), in CI as on a developer machine.
# The contract is kept in the repository (docs/spec/) so the check always runs; where the
# team's shared copy is beside the checkout, the two must be the same text.
SPEC = Path(__file__).resolve().parents[1] / "docs" / "spec" / "interchange.md"
SHARED_SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "interchange.md"
KNOWN = {"ToChuc": set(), "VienTro": set(), "Doan": set(), "communes": {"51001", "00004"}}


def table(*records: dict, **changes) -> list[list]:
    """A header row (the records' keys, in order) and one row per record; `changes`
    overrides (or, with None, empties) fields of every record."""
    records = [{**record, **changes} for record in records]
    header = list({key: None for record in records for key in record})
    return [header] + [[record.get(key) for key in header] for record in records]


def build(tmp_path, sheets: dict[str, list[list]], name="registry.xlsx", edit=None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    if edit is not None:
        edit(workbook)
    path = tmp_path / name
    workbook.save(path)
    return path.read_bytes()


def read(tmp_path, sheets, name="registry.xlsx", edit=None, **kwargs):
    return read_workbook(build(tmp_path, sheets, name, edit), name, **kwargs)


def texts(issues) -> list[str]:
    return [str(issue) for issue in issues]


def patch_zip(data: bytes, member: str, change) -> bytes:
    """The same xlsx with one part rewritten by change(text) -> text."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = change(content.decode()).encode()
            target.writestr(info, content)
    return out.getvalue()


# --- A whole valid workbook ---------------------------------------------------------------


def test_valid_workbook_parses_every_kind_of_value(tmp_path):
    result = read(
        tmp_path,
        {
            "ToChuc": table(
                {**ORG, "ngay_cap": date(2020, 1, 1), "ngay_het_han": "31/12/2025"},
                {**ORG, "ma": "TC2", "ten": "  Save the Children  ", "quoc_gia": "Hoa Kỳ"},
            ),
            "VienTro": table(
                {
                    **AID,
                    "nha_tai_tro": "TC1; TC2",
                    "linh_vuc": "giao_duc:60; Y tế: 40",
                    "dia_ban": "51001;4",
                    "trang_thai": "Đã phê duyệt",
                    "so_quyet_dinh": "123/QĐ-UBND",
                    "ngay_phe_duyet": datetime(2024, 1, 15),
                    "gia_tri": "1.234.567,5",
                    "tien_te": "eur",
                    "ty_gia": 27000.5,
                    "von_doi_ung": 0,
                }
            ),
            "GiaiNgan": table(DISBURSEMENT, {**DISBURSEMENT, "tien_te": "VND", "ty_gia": None}),
            "Doan": table({**DELEGATION, "quoc_gia": "Anh; Nhật Bản", "dia_ban": 4}),
            "ThanhVien": table(
                {
                    **MEMBER,
                    "so_ho_chieu": " a123 45 ",
                    "ngay_sinh": "1980-05-17",
                    "gioi_tinh": "Nữ",
                    "truong_doan": "x",
                },
                {**MEMBER, "ho_ten": "Nguyễn Văn A", "quoc_tich": "Việt Nam", "so_ho_chieu": None},
            ),
        },
    )
    validate_cross_sheet(result, KNOWN)
    assert result.errors == []
    assert result.warnings == []
    assert result.ok

    orgs = result.sheets["ToChuc"]
    assert [row.excel_row for row in orgs] == [2, 3]
    assert orgs[0].values["ngay_cap"] == date(2020, 1, 1)
    assert orgs[0].values["ngay_het_han"] == date(2025, 12, 31)
    assert orgs[1].values["ten"] == "Save the Children"
    assert orgs[1].values["quoc_gia"] == "US"
    assert orgs[0].present == {"ma", "ten", "loai", "quoc_gia", "ngay_cap", "ngay_het_han"}

    (aid,) = result.sheets["VienTro"]
    assert aid.values["nha_tai_tro"] == ["TC1", "TC2"]
    assert aid.values["linh_vuc"] == [("giao_duc", Decimal(60)), ("y_te", Decimal(40))]
    assert aid.values["dia_ban"] == ["51001", "00004"]
    assert aid.values["trang_thai"] == "da_phe_duyet"
    assert aid.values["ngay_phe_duyet"] == date(2024, 1, 15)
    assert aid.values["gia_tri"] == Decimal("1234567.5")
    assert aid.values["tien_te"] == "EUR"
    assert aid.values["ty_gia"] == Decimal("27000.5")
    assert aid.values["von_doi_ung"] == Decimal(0)
    assert "ty_gia_usd" not in aid.values  # column absent: not touched on update

    disbursements = result.sheets["GiaiNgan"]
    assert disbursements[0].values["ngay"] == date(2024, 3, 1)
    assert disbursements[1].values["ty_gia"] is None

    (delegation,) = result.sheets["Doan"]
    assert delegation.values["quoc_gia"] == ["GB", "JP"]
    assert delegation.values["tu_ngay"] == date(2024, 3, 1)
    assert delegation.values["dia_ban"] == ["00004"]

    members = result.sheets["ThanhVien"]
    assert members[0].values["so_ho_chieu"] == "A12345"
    assert members[0].values["ngay_sinh"] == date(1980, 5, 17)
    assert members[0].values["gioi_tinh"] == "nu"
    assert members[0].values["truong_doan"] is True
    assert members[1].values["truong_doan"] is False
    assert members[1].values["quoc_tich"] == "VN"
    assert result.codes("VienTro") == {"VT1"}


SPEC_SHEETS = ["ToChuc", "VienTro", "GiaiNgan", "Doan", "ThanhVien"]
DIPLOMACY_SPEC = Path(__file__).parents[1] / "docs/spec/interchange-people-diplomacy.md"


@pytest.mark.parametrize("part", ["shared", "diplomacy"])
def test_schema_lists_every_column_of_the_spec(part):
    if part == "shared":
        spec = SPEC.read_text(encoding="utf-8")
        if SHARED_SPEC.exists():
            assert SHARED_SPEC.read_text(encoding="utf-8") == spec, "docs/spec is out of date"
        keys = SPEC_SHEETS
    else:  # the registry's own sheets (issue 13), specified in the repository
        spec = DIPLOMACY_SPEC.read_text(encoding="utf-8")
        keys = [key for key in SHEETS if key not in SPEC_SHEETS]
        assert len(keys) == 9
    assert [key for key in SHEETS if key in SPEC_SHEETS] == SPEC_SHEETS
    for sheet in (SHEETS[key] for key in keys):
        section = spec.split(f"## Sheet `{sheet.key}`")[1].split("\n## ")[0]
        rows = re.findall(r"^\| (\w+) \| ([^|]+) \| ([^|]+) \|", section, re.M)
        rows = [r for r in rows if r[0] != "key"]
        spec_columns = [c for c in sheet.columns if not c.extra]
        assert [c.key for c in spec_columns] == [r[0] for r in rows]
        for column, (_, label, required) in zip(spec_columns, rows, strict=True):
            assert column.label == label.strip()
            assert column.required == (required.strip() == "yes"), column.key


# --- Sheets and header rows ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["VienTro", "Vien Tro", "viện trợ", "VIEN_TRO", "Khoản viện trợ"])
def test_sheet_names_ignore_case_diacritics_spaces_and_underscores(name):
    assert match_sheet(name).key == "VienTro"


def test_title_rows_above_the_header_are_ignored_and_row_numbers_kept(tmp_path):
    rows = [["BẢNG TỔNG HỢP CÁC KHOẢN VIỆN TRỢ NĂM 2024"], ["(đơn vị: nguyên tệ)"], []]
    rows += table(AID, {**AID, "ma": "VT2", "gia_tri": -5})
    result = read(tmp_path, {"Viện trợ": rows})
    assert [row.excel_row for row in result.sheets["VienTro"]] == [5, 6]
    assert texts(result.errors) == [
        "VienTro, dòng 6, cột «Giá trị viện trợ»: Giá trị viện trợ không được âm."
    ]


def test_headers_match_by_key_or_label_ignoring_case_diacritics_and_spaces(tmp_path):
    header = [
        "MÃ KHOẢN VIỆN TRỢ",
        "ten khoan vien tro",
        "Hinh_Thuc",
        "Nhà tài trợ (*)",
        "linh vuc*",
        "TRANG_THAI",
        "Gia tri vien tro",
        "tien te",
        "Tỷ giá (VNĐ)",
        "ngay ket thuc",
    ]
    row = ["VT1", "Tên", "du_an", "TC1", "y_te", "tiep_nhan", 5, "USD", 25000, "01/01/2025"]
    result = read(tmp_path, {"VienTro": [header, row]})
    assert result.errors == []
    (aid,) = result.sheets["VienTro"]
    assert aid.present == {
        "ma",
        "ten",
        "hinh_thuc",
        "nha_tai_tro",
        "linh_vuc",
        "trang_thai",
        "gia_tri",
        "tien_te",
        "ty_gia",
        "ngay_ket_thuc",
    }
    assert aid.values["ngay_ket_thuc"] == date(2025, 1, 1)


def test_unknown_columns_and_sheets_are_warnings(tmp_path):
    rows = table(AID)
    rows[0].append("Ghi chú nội bộ")
    rows[1].append("bỏ qua")
    result = read(
        tmp_path,
        {"VienTro": rows, "Sheet1": [["x"]], "HuongDan": [["Hướng dẫn"]], "DanhMuc": [["a"]]},
    )
    assert result.errors == []
    assert texts(result.warnings) == [
        "VienTro, dòng 1, cột «Ghi chú nội bộ»: Cột J không thuộc trang, bỏ qua.",
        "Sheet1: Trang không thuộc sổ đăng ký, bỏ qua.",
    ]
    assert "Ghi chú nội bộ" not in result.sheets["VienTro"][0].values


def test_no_header_row_in_the_first_ten_rows_is_an_error(tmp_path):
    late = [["tiêu đề"]] * 10 + table(AID)
    blank_then_late = [[]] * 10 + table(ORG)
    result = read(
        tmp_path,
        {"VienTro": late, "ToChuc": [["Mã tổ chức"], ["TC1"]], "Doan": blank_then_late},
    )
    assert texts(result.errors) == [
        "VienTro: Không tìm thấy dòng tiêu đề trong 10 dòng đầu: dòng tiêu đề phải ghi tên "
        "ít nhất hai cột của trang, ví dụ «Mã khoản viện trợ», «Tên khoản viện trợ», "
        "«Hình thức».",
        "ToChuc: Không tìm thấy dòng tiêu đề trong 10 dòng đầu: dòng tiêu đề phải ghi tên "
        "ít nhất hai cột của trang, ví dụ «Mã tổ chức», «Tên tổ chức», «Loại tổ chức».",
        "Doan: Không tìm thấy dòng tiêu đề trong 10 dòng đầu: dòng tiêu đề phải ghi tên "
        "ít nhất hai cột của trang, ví dụ «Mã đoàn», «Loại đoàn», «Tên đoàn».",
    ]
    assert result.sheets == {}


def test_a_blank_sheet_is_only_a_warning(tmp_path):
    result = read(tmp_path, {"ToChuc": table(ORG), "Doan": []})
    assert result.errors == []
    assert texts(result.warnings) == ["Doan: Trang trống, bỏ qua."]


def test_missing_required_columns_one_error_each(tmp_path):
    rows = table({"ma": "VT1", "ten": "A", "gia_tri": 5})
    result = read(tmp_path, {"VienTro": rows})
    assert texts(result.errors) == [
        f"VienTro, cột «{label}»: Thiếu cột bắt buộc."
        for label in ("Hình thức", "Nhà tài trợ", "Lĩnh vực", "Trạng thái", "Tiền tệ")
    ]


def test_a_column_named_twice_is_an_error(tmp_path):
    rows = [["ma", "ten", "loai", "quoc_gia", "Mã tổ chức"], ["TC1", "A", "ngo", "VN", "TC9"]]
    result = read(tmp_path, {"ToChuc": rows})
    assert texts(result.errors) == [
        "ToChuc, dòng 1, cột «Mã tổ chức»: Cột ghi hai lần (cột A và cột E); chỉ dùng cột A."
    ]
    assert result.sheets["ToChuc"][0].values["ma"] == "TC1"


def test_the_same_sheet_twice_is_an_error(tmp_path):
    result = read(tmp_path, {"ToChuc": table(ORG), "tổ chức": table(ORG)})
    assert texts(result.errors) == [
        "ToChuc: Trang 'tổ chức' trùng với trang 'ToChuc'; chỉ đọc trang đầu."
    ]


def test_a_workbook_without_any_registry_sheet_is_an_error(tmp_path):
    result = read(tmp_path, {"Sheet1": [["a", "b"]]})
    assert texts(result.errors) == [
        f"Tệp 'registry.xlsx' không có trang nào của sổ đăng ký ({', '.join(SHEETS)})."
    ]


def test_empty_rows_are_skipped(tmp_path):
    rows = table(ORG)
    rows += [[], [None, "  ", None], ["TC2", "B", "ngo", "VN"]]
    result = read(tmp_path, {"ToChuc": rows})
    assert [row.excel_row for row in result.sheets["ToChuc"]] == [2, 5]


# --- CSV ----------------------------------------------------------------------------------


def csv_bytes(lines: list[str], bom=False) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize("bom", [False, True])
def test_csv_with_and_without_bom(bom):
    data = csv_bytes(
        ["ma,ten,loai,quoc_gia", 'TC1,"Oxfam, GB",ngo,GB', "TC2,Ba Na,Doanh nghiệp,Việt Nam"],
        bom=bom,
    )
    result = read_workbook(data, "to_chuc.csv")
    assert result.errors == [] and result.warnings == []
    orgs = result.sheets["ToChuc"]
    assert [(r.excel_row, r.values["ten"], r.values["loai"]) for r in orgs] == [
        (2, "Oxfam, GB", "ngo"),
        (3, "Ba Na", "doanh_nghiep"),
    ]


def test_csv_with_semicolons_title_line_and_vietnamese_numbers():
    data = csv_bytes(
        [
            "DANH SÁCH GIẢI NGÂN, NĂM 2024",
            "Mã khoản viện trợ;Ngày;Số tiền;Tiền tệ;Tỷ giá (VNĐ)",
            "VT1;05/03/2024;1.234.567,5;VND;",
            "VT1;2024-03-06;1,234.56;usd;25.400",
        ]
    )
    result = read_workbook(data, "uploads/Giải ngân.csv")
    rows = result.sheets["GiaiNgan"]
    assert rows[0].values == {
        "ma_vien_tro": "VT1",
        "ngay": date(2024, 3, 5),
        "so_tien": Decimal("1234567.5"),
        "tien_te": "VND",
        "ty_gia": None,
    }
    assert rows[1].values["ty_gia"] == Decimal(25400)
    assert texts(result.errors) == [
        "GiaiNgan, dòng 4, cột «Số tiền»: Số không hợp lệ: '1,234.56' (dấu chấm phân cách "
        "hàng nghìn, dấu phẩy cho phần thập phân, ví dụ 1.234.567,5)."
    ]


def test_csv_line_numbers_count_lines_inside_quoted_cells():
    data = csv_bytes(["ma,ten,loai,quoc_gia", 'TC1,"Oxfam\nGreat Britain",ngo,GB', "TC2,B,x,VN"])
    result = read_workbook(data, "ToChuc.csv")
    assert [r.excel_row for r in result.sheets["ToChuc"]] == [2, 4]
    assert result.sheets["ToChuc"][0].values["ten"] == "Oxfam\nGreat Britain"
    assert [(e.row, e.column) for e in result.errors] == [(4, "Loại tổ chức")]


def test_csv_named_after_no_sheet():
    result = read_workbook(csv_bytes(["ma,ten", "1,2"]), "data.csv")
    assert texts(result.warnings) == ["data: Trang không thuộc sổ đăng ký, bỏ qua."]
    assert texts(result.errors) == [
        f"Tệp 'data.csv' không có trang nào của sổ đăng ký ({', '.join(SHEETS)})."
    ]


def test_csv_not_in_utf8():
    data = "ma,ten,loai,quoc_gia\nTC1,Société Générale,ngo,FR\n".encode("latin-1")
    result = read_workbook(data, "ToChuc.csv")
    assert result.sheets == {}
    assert "không phải văn bản UTF-8" in str(result.errors[0])


# --- Cell values --------------------------------------------------------------------------


def test_dates_excel_cells_and_text_formats(tmp_path):
    values = [date(2024, 3, 5), datetime(2024, 3, 5, 0, 0), "05/03/2024", "5/3/2024", "2024-03-05"]
    rows = table(*[{**DISBURSEMENT, "ngay": value} for value in values])
    result = read(tmp_path, {"GiaiNgan": rows})
    assert result.errors == []
    assert {row.values["ngay"] for row in result.sheets["GiaiNgan"]} == {date(2024, 3, 5)}


@pytest.mark.parametrize("value", ["01-02-2024", "2024/01/02", "31/02/2024", "5 tháng 3", 45000])
def test_other_date_forms_are_rejected(tmp_path, value):
    result = read(tmp_path, {"GiaiNgan": table({**DISBURSEMENT, "ngay": value})})
    assert texts(result.errors) == [
        f"GiaiNgan, dòng 2, cột «Ngày»: Ngày không hợp lệ: '{value}' "
        "(dùng dd/mm/yyyy hoặc yyyy-mm-dd)."
    ]
    assert result.sheets["GiaiNgan"][0].invalid == {"ngay"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567, Decimal(1234567)),
        (1234.5, Decimal("1234.5")),
        ("1.234.567,5", Decimal("1234567.5")),
        ("1234567", Decimal(1234567)),
        ("12,75", Decimal("12.75")),
    ],
)
def test_numbers_numeric_cells_or_vietnamese_text(tmp_path, value, expected):
    result = read(tmp_path, {"GiaiNgan": table({**DISBURSEMENT, "so_tien": value})})
    assert result.errors == []
    assert result.sheets["GiaiNgan"][0].values["so_tien"] == expected


@pytest.mark.parametrize("value", ["1,234.56", "1.23.4", "abc", "12.5"])
def test_numbers_in_other_conventions_are_rejected(tmp_path, value):
    result = read(tmp_path, {"GiaiNgan": table({**DISBURSEMENT, "so_tien": value})})
    assert [(e.row, e.column) for e in result.errors] == [(2, "Số tiền")]
    assert f"Số không hợp lệ: '{value}'" in result.errors[0].message


def test_booleans(tmp_path):
    yes = ["co", "Có", "x", "X", 1, "1", "true", "TRUE", True]
    no = ["khong", "Không", "0", 0, "false", False, None, " "]
    rows = table(
        *[{**MEMBER, "truong_doan": v, "so_ho_chieu": f"P{i}"} for i, v in enumerate(yes + no)]
    )
    result = read(tmp_path, {"ThanhVien": rows})
    assert result.errors == []
    assert [r.values["truong_doan"] for r in result.sheets["ThanhVien"]] == [True] * len(yes) + [
        False
    ] * len(no)
    bad = read(tmp_path, {"ThanhVien": table({**MEMBER, "truong_doan": "có lẽ"})})
    assert texts(bad.errors) == [
        "ThanhVien, dòng 2, cột «Trưởng đoàn»: Giá trị 'có lẽ' không hợp lệ: ghi có/x/1/true "
        "hoặc không/0/false (hoặc để trống)."
    ]


def test_border_flag_is_empty_when_not_said(tmp_path):
    rows = table({**DELEGATION, "bien_gioi": None}, {**DELEGATION, "ma": "D2", "bien_gioi": "có"})
    result = read(tmp_path, {"Doan": rows})
    assert [r.values["bien_gioi"] for r in result.sheets["Doan"]] == [None, True]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("du_an", "du_an"),
        ("DU_AN", "du_an"),
        ("Dự án", "du_an"),
        ("du an", "du_an"),
        ("DỰ ÁN", "du_an"),
        ("Khắc phục hậu quả", "khac_phuc_hau_qua"),  # the spec's label
        ("Khắc phục hậu quả thiên tai, thảm họa", "khac_phuc_hau_qua"),  # the registry's
        ("phi du an", "phi_du_an"),
    ],
)
def test_coded_values_by_key_or_label(tmp_path, value, expected):
    result = read(tmp_path, {"VienTro": table({**AID, "hinh_thuc": value})})
    assert result.errors == []
    assert result.sheets["VienTro"][0].values["hinh_thuc"] == expected


def test_unknown_code_lists_the_allowed_keys(tmp_path):
    result = read(tmp_path, {"Doan": table({**DELEGATION, "huong": "đi"})})
    assert texts(result.errors) == [
        "Doan, dòng 2, cột «Loại đoàn»: Giá trị 'đi' không có trong danh mục (dùng: vao, ra)."
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("VN", "VN"), ("vn", "VN"), ("Việt Nam", "VN"), ("Germany", "DE"), ("Đức", "DE")],
)
def test_countries_by_code_or_name(tmp_path, value, expected):
    result = read(tmp_path, {"ToChuc": table({**ORG, "quoc_gia": value})})
    assert result.errors == []
    assert result.sheets["ToChuc"][0].values["quoc_gia"] == expected


def test_unknown_country_and_repeated_country(tmp_path):
    result = read(
        tmp_path,
        {
            "ToChuc": table({**ORG, "quoc_gia": "Atlantis"}),
            "Doan": table({**DELEGATION, "quoc_gia": "Mỹ; Hoa Kỳ"}),
        },
    )
    assert texts(result.errors) == [
        "ToChuc, dòng 2, cột «Quốc gia»: Không nhận ra quốc gia 'Atlantis' (dùng mã ISO 2 chữ "
        "cái như VN, US hoặc tên nước bằng tiếng Việt hay tiếng Anh).",
        "Doan, dòng 2, cột «Quốc gia»: 'Hoa Kỳ' được ghi hai lần.",
    ]


def test_currency_codes(tmp_path):
    rows = table(
        {**DISBURSEMENT, "tien_te": " usd "},
        {**DISBURSEMENT, "tien_te": "XYZ"},
        {**DISBURSEMENT, "tien_te": "đô la"},
    )
    result = read(tmp_path, {"GiaiNgan": rows})
    assert result.sheets["GiaiNgan"][0].values["tien_te"] == "USD"
    assert texts(result.errors) == [
        "GiaiNgan, dòng 3, cột «Tiền tệ»: Mã tiền tệ 'XYZ' không hợp lệ "
        "(mã ISO 4217: VND, USD, EUR...).",
        "GiaiNgan, dòng 4, cột «Tiền tệ»: Mã tiền tệ 'đô la' không hợp lệ "
        "(mã ISO 4217: VND, USD, EUR...).",
    ]


def test_text_cells_are_stripped_and_numbers_keep_their_typed_form(tmp_path):
    rows = table(
        {**ORG, "ma": 123, "so_giay": 4567.0, "ten": "  Oxfam\t"},
        {**ORG, "ma": " TC9 ", "so_giay": "  "},
    )
    result = read(tmp_path, {"ToChuc": rows})
    first, second = result.sheets["ToChuc"]
    assert (first.values["ma"], first.values["so_giay"], first.values["ten"]) == (
        "123",
        "4567",
        "Oxfam",
    )
    assert second.values["ma"] == "TC9"
    assert second.values["so_giay"] is None  # empty optional cell: clears the field
    assert "so_giay" in second.present


def test_passport_numbers_upper_case_without_spaces(tmp_path):
    rows = table({**MEMBER, "so_ho_chieu": " a123 45 "}, {**MEMBER, "so_ho_chieu": 987654})
    result = read(tmp_path, {"ThanhVien": rows})
    assert [r.values["so_ho_chieu"] for r in result.sheets["ThanhVien"]] == ["A12345", "987654"]


def test_lists_are_split_on_semicolons(tmp_path):
    result = read(
        tmp_path,
        {"VienTro": table({**AID, "nha_tai_tro": "TC1 ;TC2; ; TC3", "dia_ban": "51001; 00004"})},
    )
    (aid,) = result.sheets["VienTro"]
    assert aid.values["nha_tai_tro"] == ["TC1", "TC2", "TC3"]
    assert aid.values["dia_ban"] == ["51001", "00004"]


def test_bad_list_items(tmp_path):
    rows = table(
        {**AID, "nha_tai_tro": "TC1; TC1"},
        {**AID, "ma": "VT2", "dia_ban": "51001; xã Đắk Tô"},
        {**AID, "ma": "VT3", "dia_ban": "123456"},
    )
    result = read(tmp_path, {"VienTro": rows})
    assert texts(result.errors) == [
        "VienTro, dòng 2, cột «Nhà tài trợ»: 'TC1' được ghi hai lần.",
        "VienTro, dòng 3, cột «Địa bàn»: Mã xã 'xã Đắk Tô' không hợp lệ (mã gồm 5 chữ số).",
        "VienTro, dòng 4, cột «Địa bàn»: Mã xã '123456' không hợp lệ (mã gồm 5 chữ số).",
    ]


def test_text_longer_than_the_registry_holds(tmp_path):
    result = read(tmp_path, {"ToChuc": table({**ORG, "ma": "M" * 41})})
    assert texts(result.errors) == ["ToChuc, dòng 2, cột «Mã tổ chức»: Dài quá 40 ký tự."]


# --- Row rules ----------------------------------------------------------------------------


def test_required_values_every_one_reported(tmp_path):
    rows = table({**AID, "ten": None, "gia_tri": "  "}, {**AID, "ma": None, "tien_te": None})
    result = read(tmp_path, {"VienTro": rows})
    assert texts(result.errors) == [
        "VienTro, dòng 2, cột «Tên khoản viện trợ»: Thiếu giá trị bắt buộc.",
        "VienTro, dòng 2, cột «Giá trị viện trợ»: Thiếu giá trị bắt buộc.",
        "VienTro, dòng 3, cột «Mã khoản viện trợ»: Thiếu giá trị bắt buộc.",
        "VienTro, dòng 3, cột «Tiền tệ»: Thiếu giá trị bắt buộc.",
    ]


def test_duplicate_codes_in_a_sheet(tmp_path):
    rows = table(ORG, {**ORG, "ma": "TC2"}, ORG)
    result = read(tmp_path, {"ToChuc": rows})
    assert texts(result.errors) == [
        "ToChuc, dòng 4, cột «Mã tổ chức»: Mã 'TC1' trùng với mã ở dòng 2."
    ]


def test_duplicate_passport_in_one_delegation(tmp_path):
    rows = table(
        {**MEMBER, "so_ho_chieu": "B 777"},
        {**MEMBER, "ho_ten": "Jane", "so_ho_chieu": "b777"},
        {**MEMBER, "ma_doan": "D2", "so_ho_chieu": "B777"},  # another delegation: fine
    )
    result = read(tmp_path, {"ThanhVien": rows})
    assert texts(result.errors) == [
        "ThanhVien, dòng 3, cột «Số hộ chiếu»: Số hộ chiếu 'B777' đã có ở dòng 2 trong cùng "
        "đoàn 'D1'."
    ]


def test_end_before_start(tmp_path):
    result = read(
        tmp_path,
        {
            "ToChuc": table({**ORG, "ngay_cap": "02/01/2024", "ngay_het_han": "01/01/2024"}),
            "VienTro": table({**AID, "ngay_bat_dau": "2024-06-01", "ngay_ket_thuc": "31/05/2024"}),
            "Doan": table({**DELEGATION, "tu_ngay": "05/03/2024", "den_ngay": "04/03/2024"}),
        },
    )
    assert texts(result.errors) == [
        "ToChuc, dòng 2, cột «Ngày hết hạn»: Ngày hết hạn không được trước ngày cấp.",
        "VienTro, dòng 2, cột «Ngày kết thúc»: Ngày kết thúc không được trước ngày bắt đầu.",
        "Doan, dòng 2, cột «Đến ngày»: Đến ngày không được trước từ ngày.",
    ]
    same_day = read(tmp_path, {"Doan": table({**DELEGATION, "den_ngay": "01/03/2024"})})
    assert same_day.errors == []


def test_amount_and_rate_rules(tmp_path):
    aid = read(
        tmp_path,
        {
            "VienTro": table(
                {**AID, "gia_tri": 0, "von_doi_ung": 0},  # zero is allowed
                {**AID, "ma": "VT2", "gia_tri": -1, "von_doi_ung": "-5"},
                {**AID, "ma": "VT3", "ty_gia": 0, "ty_gia_usd": -1},
                {**AID, "ma": "VT4", "ty_gia": None},
                {**AID, "ma": "VT5", "tien_te": "VND", "ty_gia": None},
                {**AID, "ma": "VT6", "tien_te": "VND", "ty_gia": 1},
                {**AID, "ma": "VT7", "tien_te": "VND", "ty_gia": 25000},
                {**AID, "ma": "VT8", "ty_gia": 25000, "ty_gia_usd": 25100},
                {**AID, "ma": "VT9", "tien_te": "EUR", "ty_gia": 27000, "ty_gia_usd": 25100},
            )
        },
    )
    assert texts(aid.errors) == [
        "VienTro, dòng 3, cột «Giá trị viện trợ»: Giá trị viện trợ không được âm.",
        "VienTro, dòng 3, cột «Vốn đối ứng (VNĐ)»: Vốn đối ứng (VNĐ) không được âm.",
        "VienTro, dòng 4, cột «Tỷ giá (VNĐ)»: Tỷ giá (VNĐ) phải lớn hơn 0.",
        "VienTro, dòng 4, cột «Tỷ giá USD (VNĐ)»: Tỷ giá USD (VNĐ) phải lớn hơn 0.",
        "VienTro, dòng 5, cột «Tỷ giá (VNĐ)»: Thiếu tỷ giá (bắt buộc khi tiền tệ không phải VND).",
        "VienTro, dòng 8, cột «Tỷ giá (VNĐ)»: Tiền tệ VND thì tỷ giá để trống hoặc bằng 1.",
        "VienTro, dòng 9, cột «Tỷ giá USD (VNĐ)»: Với tiền tệ USD, tỷ giá USD phải bằng tỷ giá.",
    ]
    disbursements = read(
        tmp_path,
        {
            "GiaiNgan": table(
                {**DISBURSEMENT, "so_tien": 0},
                {**DISBURSEMENT, "so_tien": "-1.000"},
                {**DISBURSEMENT, "ty_gia": None},
            )
        },
    )
    assert texts(disbursements.errors) == [
        "GiaiNgan, dòng 2, cột «Số tiền»: Số tiền phải lớn hơn 0.",
        "GiaiNgan, dòng 3, cột «Số tiền»: Số tiền phải lớn hơn 0.",
        "GiaiNgan, dòng 4, cột «Tỷ giá (VNĐ)»: Thiếu tỷ giá (bắt buộc khi tiền tệ không phải VND).",
    ]


def test_a_disbursement_sheet_without_rate_column_needs_it_for_foreign_currencies(tmp_path):
    rows = table(
        {**DISBURSEMENT, "tien_te": "VND"}, {**DISBURSEMENT, "tien_te": "JPY"}, ty_gia=None
    )
    for row in rows:
        del row[-1]  # drop the ty_gia column
    result = read(tmp_path, {"GiaiNgan": rows})
    assert texts(result.errors) == [
        "GiaiNgan, dòng 3, cột «Tỷ giá (VNĐ)»: Thiếu tỷ giá (bắt buộc khi tiền tệ không phải VND)."
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("giao_duc; y_te", [("giao_duc", None), ("y_te", None)]),
        ("giao_duc:50;y_te:50", [("giao_duc", Decimal(50)), ("y_te", Decimal(50))]),
        ("Y tế: 60%; Giáo dục, đào tạo: 40", [("y_te", Decimal(60)), ("giao_duc", Decimal(40))]),
        (
            "giao_duc:33,33; y_te:33,33; khac:33,33",  # 99.99 is within the tolerance
            [
                ("giao_duc", Decimal("33.33")),
                ("y_te", Decimal("33.33")),
                ("khac", Decimal("33.33")),
            ],
        ),
        ("khac", [("khac", None)]),
    ],
)
def test_sectors_with_or_without_shares(tmp_path, value, expected):
    result = read(tmp_path, {"VienTro": table({**AID, "linh_vuc": value})})
    assert result.errors == []
    assert result.sheets["VienTro"][0].values["linh_vuc"] == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("giao_duc:60; y_te:30", "Tổng tỷ lệ các lĩnh vực là 90%, phải bằng 100%."),
        ("giao_duc:60; y_te:40,5", "Tổng tỷ lệ các lĩnh vực là 100,5%, phải bằng 100%."),
        (
            "giao_duc:60; y_te",
            "Ghi tỷ lệ cho tất cả các lĩnh vực, hoặc không ghi cho lĩnh vực nào.",
        ),
        ("y_te:50; Y tế:50", "'Y tế' được ghi hai lần."),
        ("y_te:100,005", "Tỷ lệ trong 'y_te:100,005' phải là số lớn hơn 0 và không quá 100."),
        ("y_te:0; khac:100", "Tỷ lệ trong 'y_te:0' phải là số lớn hơn 0 và không quá 100."),
        ("y_te:33,333; khac:66,667", "Tỷ lệ trong 'y_te:33,333' có nhiều nhất 2 chữ số thập phân."),
        ("y_te:nửa", "Tỷ lệ trong 'y_te:nửa' phải là số lớn hơn 0 và không quá 100."),
        ("thể thao", "Giá trị 'thể thao' không có trong danh mục (dùng: giao_duc, y_te, "),
    ],
)
def test_sector_share_rules(tmp_path, value, message):
    result = read(tmp_path, {"VienTro": table({**AID, "linh_vuc": value})})
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [("VienTro", 2, "Lĩnh vực")]
    assert result.errors[0].message.startswith(message)


def test_approval_data_required_when_approved_or_later(tmp_path):
    rows = table(
        {**AID, "trang_thai": "tham_dinh"},
        {**AID, "ma": "VT2", "trang_thai": "dang_thuc_hien"},
        {**AID, "ma": "VT3", "trang_thai": "thu_hoi", "so_quyet_dinh": "5/QĐ-UBND"},
        {
            **AID,
            "ma": "VT4",
            "trang_thai": "hoan_thanh",
            "so_quyet_dinh": "6/QĐ-UBND",
            "ngay_phe_duyet": "01/02/2023",
        },
        so_quyet_dinh=None,
        ngay_phe_duyet=None,
    )
    # the override above empties every row; give VT3 and VT4 back what they had
    rows[3][rows[0].index("so_quyet_dinh")] = "5/QĐ-UBND"
    rows[4][rows[0].index("so_quyet_dinh")] = "6/QĐ-UBND"
    rows[4][rows[0].index("ngay_phe_duyet")] = "01/02/2023"
    result = read(tmp_path, {"VienTro": rows})
    assert texts(result.errors) == [
        "VienTro, dòng 3, cột «Số quyết định phê duyệt»: Thiếu số quyết định phê duyệt "
        "(bắt buộc khi trạng thái là «Đang thực hiện»).",
        "VienTro, dòng 3, cột «Ngày phê duyệt»: Thiếu ngày phê duyệt "
        "(bắt buộc khi trạng thái là «Đang thực hiện»).",
        "VienTro, dòng 4, cột «Ngày phê duyệt»: Thiếu ngày phê duyệt "
        "(bắt buộc khi trạng thái là «Thu hồi quyết định»).",
    ]


def test_absent_approval_columns_are_required_only_for_new_items(tmp_path):
    rows = table({**AID, "trang_thai": "da_phe_duyet"}, {**AID, "ma": "VT2", "tien_te": "EUR"})
    for row in rows:
        del row[-1]  # no ty_gia column either
    result = read(tmp_path, {"VienTro": rows})
    assert result.errors == []  # an update keeps the stored decision and rate
    validate_cross_sheet(result, {**KNOWN, "ToChuc": {"TC1"}, "VienTro": {"VT2"}})
    assert texts(result.errors) == [
        "VienTro, dòng 2, cột «Tỷ giá (VNĐ)»: Thiếu tỷ giá (bắt buộc khi tiền tệ không phải VND).",
        "VienTro, dòng 2, cột «Số quyết định phê duyệt»: Thiếu số quyết định phê duyệt "
        "(bắt buộc khi trạng thái là «Đã phê duyệt»).",
        "VienTro, dòng 2, cột «Ngày phê duyệt»: Thiếu ngày phê duyệt "
        "(bắt buộc khi trạng thái là «Đã phê duyệt»).",
    ]


def test_birth_date_in_the_past(tmp_path):
    today = today_vn()
    rows = table(
        {**MEMBER, "ngay_sinh": today - timedelta(days=1), "so_ho_chieu": "P1"},
        {**MEMBER, "ngay_sinh": today, "so_ho_chieu": "P2"},
        {**MEMBER, "ngay_sinh": today + timedelta(days=400), "so_ho_chieu": "P3"},
    )
    result = read(tmp_path, {"ThanhVien": rows})
    assert texts(result.errors) == [
        "ThanhVien, dòng 3, cột «Ngày sinh»: Ngày sinh phải là một ngày trong quá khứ.",
        "ThanhVien, dòng 4, cột «Ngày sinh»: Ngày sinh phải là một ngày trong quá khứ.",
    ]


def test_every_problem_of_a_row_is_reported(tmp_path):
    rows = table(
        {
            **AID,
            "hinh_thuc": "tài trợ",
            "ngay_nhan_ho_so": "32/01/2024",
            "gia_tri": "-1",
            "tien_te": "ABC",
            "linh_vuc": "y_te:70",
        }
    )
    result = read(tmp_path, {"VienTro": rows})
    assert [e.column for e in result.errors] == [
        "Hình thức",
        "Lĩnh vực",
        "Giá trị viện trợ",
        "Tiền tệ",
        "Ngày nhận hồ sơ",
    ]


# --- Between sheets -----------------------------------------------------------------------


def test_references_to_codes_that_exist_nowhere(tmp_path):
    result = read(
        tmp_path,
        {
            "ToChuc": table(ORG),
            "VienTro": table({**AID, "nha_tai_tro": "TC1; TC404", "dia_ban": "51001; 99999"}),
            "GiaiNgan": table(DISBURSEMENT, {**DISBURSEMENT, "ma_vien_tro": "VT404"}),
            "Doan": table({**DELEGATION, "to_chuc": "TC405", "ma_vien_tro": "VT405"}),
            "ThanhVien": table(MEMBER, {**MEMBER, "ma_doan": "D404"}),
        },
    )
    validate_cross_sheet(result, KNOWN)
    assert texts(result.errors) == [
        "VienTro, dòng 2, cột «Nhà tài trợ»: Tổ chức 'TC404' không có trong trang ToChuc của "
        "tệp cũng như trong sổ đăng ký.",
        "VienTro, dòng 2, cột «Địa bàn»: Mã xã '99999' không có trong danh mục xã, phường.",
        "GiaiNgan, dòng 3, cột «Mã khoản viện trợ»: Khoản viện trợ 'VT404' không có trong "
        "trang VienTro của tệp cũng như trong sổ đăng ký.",
        "Doan, dòng 2, cột «Mã tổ chức»: Tổ chức 'TC405' không có trong trang ToChuc của tệp "
        "cũng như trong sổ đăng ký.",
        "Doan, dòng 2, cột «Mã khoản viện trợ»: Khoản viện trợ 'VT405' không có trong trang "
        "VienTro của tệp cũng như trong sổ đăng ký.",
        "ThanhVien, dòng 3, cột «Mã đoàn»: Đoàn 'D404' không có trong trang Doan của tệp cũng "
        "như trong sổ đăng ký.",
    ]


def test_references_to_the_registry(tmp_path):
    result = read(
        tmp_path,
        {
            "VienTro": table({**AID, "nha_tai_tro": "TC7"}),
            "GiaiNgan": table({**DISBURSEMENT, "ma_vien_tro": "VT7"}),
            "Doan": table({**DELEGATION, "to_chuc": "TC7", "ma_vien_tro": "VT7"}),
            "ThanhVien": table({**MEMBER, "ma_doan": "D7"}),
        },
    )
    validate_cross_sheet(
        result, {"ToChuc": {"TC7"}, "VienTro": {"VT7"}, "Doan": {"D7"}, "communes": set()}
    )
    assert result.errors == []


def test_passport_required_for_foreign_members_of_incoming_delegations(tmp_path):
    rows = table(
        {**MEMBER, "ma_doan": "D1"},  # vao, foreign: passport missing
        {**MEMBER, "ma_doan": "D1", "quoc_tich": "VN"},  # Vietnamese: not required
        {**MEMBER, "ma_doan": "D2"},  # ra: not required
        {**MEMBER, "ma_doan": "D8"},  # vao per the registry
        {**MEMBER, "ma_doan": "D9"},  # ra per the registry
        {**MEMBER, "ma_doan": "D1", "so_ho_chieu": "C1"},
        so_ho_chieu=None,
    )
    rows[6][rows[0].index("so_ho_chieu")] = "C1"
    result = read(
        tmp_path,
        {
            "Doan": table(DELEGATION, {**DELEGATION, "ma": "D2", "huong": "Đoàn ra"}),
            "ThanhVien": rows,
        },
    )
    assert result.errors == []
    validate_cross_sheet(
        result, {**KNOWN, "Doan": {"D8", "D9"}}, known_directions={"D8": "vao", "D9": "ra"}
    )
    message = "Thành viên người nước ngoài của đoàn vào phải có số hộ chiếu."
    assert texts(result.errors) == [
        f"ThanhVien, dòng 2, cột «Số hộ chiếu»: {message}",
        f"ThanhVien, dòng 5, cột «Số hộ chiếu»: {message}",
    ]


def test_passport_required_when_the_member_sheet_has_no_passport_column(tmp_path):
    rows = table({k: v for k, v in MEMBER.items() if k != "so_ho_chieu"})
    result = read(tmp_path, {"Doan": table(DELEGATION), "ThanhVien": rows})
    validate_cross_sheet(result, KNOWN)
    assert [(e.row, e.column) for e in result.errors] == [(2, "Số hộ chiếu")]


# --- Merged cells and formulas ------------------------------------------------------------


def test_merged_cells_across_data_rows_are_an_error(tmp_path):
    def merge(workbook):
        worksheet = workbook["ToChuc"]
        worksheet.merge_cells("A1:D1")  # the title above the header: fine
        worksheet.merge_cells("C3:C4")  # the same kind for two organisations: not fine

    rows = [["DANH SÁCH TỔ CHỨC"], *table(ORG, {**ORG, "ma": "TC2"}, {**ORG, "ma": "TC3"})]
    result = read(tmp_path, {"ToChuc": rows}, edit=merge)
    assert texts(result.errors) == [
        "ToChuc, dòng 3: Vùng ô gộp C3:C4 nằm trong phần dữ liệu: hãy bỏ gộp ô và ghi giá "
        "trị vào từng ô."
    ]
    assert result.sheets["ToChuc"] == []


def test_merged_title_above_the_header_is_fine(tmp_path):
    def merge(workbook):
        workbook["ToChuc"].merge_cells("A1:D2")

    result = read(tmp_path, {"ToChuc": [["DANH SÁCH"], [], *table(ORG)]}, edit=merge)
    assert result.errors == []
    assert [row.excel_row for row in result.sheets["ToChuc"]] == [4]


def test_formula_without_cached_value_is_an_error(tmp_path):
    # openpyxl writes formulas without a cached value (Excel has never computed them).
    rows = table(AID, {**AID, "ma": "VT2", "gia_tri": "=1000*2"})
    result = read(tmp_path, {"VienTro": rows})
    assert texts(result.errors) == [
        "VienTro, dòng 3, cột «Giá trị viện trợ»: Ô chứa công thức chưa có giá trị tính sẵn: "
        "hãy mở tệp bằng Excel, tính lại và lưu, hoặc thay công thức bằng giá trị."
    ]
    assert result.sheets["VienTro"][1].invalid == {"gia_tri"}


@pytest.mark.parametrize("fast", [True, False], ids=["calamine", "openpyxl"])
def test_formula_with_cached_value_is_accepted(tmp_path, monkeypatch, fast):
    data = build(tmp_path, {"VienTro": table({**AID, "gia_tri": "=1000*2", "ten": '=UPPER("a")'})})

    def add_cached_values(xml: str) -> str:
        # an empty value is <v/> (or <v></v> when openpyxl writes through lxml)
        empty = r"<v\s*(?:/>|></v>)"
        xml, numbers = re.subn(r"<f>1000\*2</f>\s*" + empty, "<f>1000*2</f><v>2000</v>", xml)
        # a text result is stored with t="str"
        xml, texts_ = re.subn(
            r'<c r="B2"([^>]*)><f>UPPER\("a"\)</f>\s*' + empty,
            r'<c r="B2" t="str"><f>UPPER("a")</f><v>A</v>',
            xml,
        )
        assert numbers == texts_ == 1
        return xml

    data = patch_zip(data, "xl/worksheets/sheet1.xml", add_cached_values)
    if not fast:
        monkeypatch.setattr(fastread, "suits", lambda scans: False)
    loads = []
    load_workbook = reader.openpyxl.load_workbook
    monkeypatch.setattr(
        reader.openpyxl,
        "load_workbook",
        lambda *args, **kwargs: loads.append(kwargs) or load_workbook(*args, **kwargs),
    )
    result = read_workbook(data, "registry.xlsx")
    assert result.errors == []
    # every formula has its value: no second reading (calamine: no openpyxl at all)
    assert len(loads) == (0 if fast else 1)
    (aid,) = result.sheets["VienTro"]
    assert aid.values["gia_tri"] == Decimal(2000)
    assert aid.values["ten"] == "A"


# --- Bad files ----------------------------------------------------------------------------


def test_empty_file():
    result = read_workbook(b"", "registry.xlsx")
    assert texts(result.errors) == ["Tệp 'registry.xlsx' rỗng."]
    assert result.sheets == {}


def test_blank_csv_is_empty():
    assert texts(read_workbook(b"\xef\xbb\xbf\r\n", "ToChuc.csv").errors) == [
        "Tệp 'ToChuc.csv' rỗng."
    ]


def test_file_over_the_size_limit(tmp_path):
    data = build(tmp_path, {"ToChuc": table(ORG)})
    result = read_workbook(data, "registry.xlsx", max_bytes=len(data) - 1)
    assert result.sheets == {}
    assert len(result.errors) == 1
    assert "quá lớn" in result.errors[0].message
    big = read_workbook(b"x" * (20 * 1024 * 1024 + 1), "registry.xlsx")
    assert texts(big.errors) == ["Tệp 'registry.xlsx' quá lớn (20,0 MB); giới hạn là 20,0 MB."]


def test_password_protected_file():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    result = read_workbook(ole + "EncryptionInfo".encode("utf-16-le"), "registry.xlsx")
    assert texts(result.errors) == [
        "Tệp 'registry.xlsx' được bảo vệ bằng mật khẩu: hãy mở bằng Excel, gỡ mật khẩu và lưu "
        "lại dạng .xlsx."
    ]
    plain = read_workbook(ole, "registry.xlsx")  # an OLE container: encrypted, or an old .xls
    assert "được bảo vệ bằng mật khẩu hoặc là định dạng Excel 97-2003" in plain.errors[0].message
    assert plain.sheets == {}


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 ...", "registry.pdf", "không phải tệp Excel (.xlsx) hoặc CSV (.csv)"),
        (b"ma,ten\n", "registry.txt", "không phải tệp Excel (.xlsx) hoặc CSV (.csv)"),
        (b"ma,ten\nTC1,A\n", "registry.xlsx", "không phải tệp Excel .xlsx hợp lệ"),
        (b"PK\x03\x04 not really a zip", "ToChuc.csv", "không phải tệp CSV dạng văn bản"),
    ],
)
def test_not_an_excel_or_csv_file(data, name, message):
    result = read_workbook(data, name)
    assert len(result.errors) == 1
    assert message in result.errors[0].message
    assert result.sheets == {}


def test_corrupt_xlsx(tmp_path):
    data = build(tmp_path, {"ToChuc": table(ORG)})
    truncated = read_workbook(data[: len(data) // 2], "registry.xlsx")
    assert texts(truncated.errors) == [
        "Tệp 'registry.xlsx' không phải tệp Excel .xlsx hợp lệ (tệp hỏng hoặc sai đuôi)."
    ]
    broken_xml = patch_zip(data, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    result = read_workbook(broken_xml, "registry.xlsx")
    assert texts(result.errors) == ["Tệp Excel 'registry.xlsx' bị hỏng, không đọc được."]
    assert result.sheets == {}
    no_workbook = patch_zip(data, "xl/workbook.xml", lambda xml: "not xml")
    assert texts(read_workbook(no_workbook, "registry.xlsx").errors) == [
        "Tệp Excel 'registry.xlsx' bị hỏng, không đọc được."
    ]


def test_a_wrong_dimension_record_does_not_hide_rows(tmp_path):
    data = build(tmp_path, {"ToChuc": table(ORG, {**ORG, "ma": "TC2"})})
    data = patch_zip(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1"', xml),
    )
    result = read_workbook(data, "registry.xlsx")
    assert result.errors == []
    assert [r.values["ma"] for r in result.sheets["ToChuc"]] == ["TC1", "TC2"]


def test_a_zip_that_inflates_far_beyond_the_limit_is_refused(tmp_path):
    data = build(tmp_path, {"ToChuc": table(ORG)})
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/media/padding.bin", b"\0" * (5 * 1024 * 1024))
    bomb = out.getvalue()
    result = read_workbook(bomb, "registry.xlsx", max_bytes=len(bomb))
    assert texts(result.errors) == ["Tệp 'registry.xlsx' giải nén quá lớn, không đọc được."]


def test_issue_text():
    assert str(Issue("VienTro", 7, "Ngày kết thúc", "Sai.")) == (
        "VienTro, dòng 7, cột «Ngày kết thúc»: Sai."
    )
    assert (
        str(Issue("VienTro", None, "Tiền tệ", "Thiếu cột.")) == "VienTro, cột «Tiền tệ»: Thiếu cột."
    )
    assert str(Issue("Doan", None, None, "Trang trống.")) == "Doan: Trang trống."
    assert str(Issue(None, None, None, "Tệp rỗng.")) == "Tệp rỗng."


# --- Speed --------------------------------------------------------------------------------


def test_five_thousand_rows_read_and_validate_quickly(tmp_path):
    workbook = Workbook(write_only=True)
    aid = workbook.create_sheet("VienTro")
    aid.append([*AID, "dia_ban", "ngay_bat_dau", "ngay_ket_thuc"])
    for i in range(5000):
        row = [f"VT{i}", f"Dự án {i}", "Dự án", "TC1;TC2", "giao_duc:60;y_te:40", "tiep_nhan"]
        aid.append([*row, 1000 + i, "USD", "25.400", "51001", date(2024, 1, 1), "31/12/2025"])
    disbursements = workbook.create_sheet("GiaiNgan")
    disbursements.append(list(DISBURSEMENT))
    for i in range(5000):
        disbursements.append([f"VT{i}", date(2024, 3, 1), 100.5 + i, "USD", 25400])
    path = tmp_path / "big.xlsx"
    workbook.save(path)
    data = path.read_bytes()

    started = time.process_time()
    result = read_workbook(data, "big.xlsx")
    validate_cross_sheet(result, {**KNOWN, "ToChuc": {"TC1", "TC2"}})
    elapsed = time.process_time() - started
    assert result.errors == []
    assert len(result.sheets["VienTro"]) == len(result.sheets["GiaiNgan"]) == 5000
    assert elapsed < 10, f"{elapsed:.1f} s"
