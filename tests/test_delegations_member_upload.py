"""The member list upload: every problem of a row is reported once, nothing is saved."""

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.core.dates import today_vn
from app.delegations.models import DelegationMember

HEADER = ["Họ và tên", "Quốc tịch", "Số hộ chiếu", "Ngày sinh"]


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv(rows) -> bytes:
    return "\n".join(";".join(cell or "" for cell in row) for row in rows).encode("utf-8-sig")


def upload(client, delegation, data: bytes, filename: str):
    return client.post(
        f"/doan/{delegation.id}/thanh-vien/tai-len",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def listed_errors(page: str) -> list[str]:
    """The error lines of the upload page, as the user reads them."""
    block = re.search(r'data-testid="upload-errors">(.*?)</div>', page, re.S)
    assert block, "the page shows no upload errors"
    return [
        re.sub(r"<[^>]+>|\s+", " ", item).strip()
        for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)
    ]


TOMORROW = (today_vn() + timedelta(days=1)).strftime("%d/%m/%Y")


@pytest.mark.parametrize(
    ("birth", "message"),
    [
        ("15/06/1899", "Ngày sinh không hợp lệ (trước năm 1900)."),
        (TOMORROW, "Ngày sinh phải là một ngày trong quá khứ."),
        ("31/02/1990", None),  # unparseable: the reader's own message
    ],
)
@pytest.mark.parametrize(("kind", "build"), [("xlsx", xlsx), ("csv", csv)])
def test_a_bad_date_of_birth_is_reported_once(
    make_delegation, login, db, birth, message, kind, build
):
    delegation = make_delegation("DV-UP", members=[])
    rows = [
        HEADER,
        ["Lee Seo-yeon", "KR", "S1001", "01/02/1985"],
        ["Park Ji-ho", "KR", "S2002", birth],
    ]
    response = upload(login("other.officer"), delegation, build(rows), f"danh-sach.{kind}")

    assert response.status_code == 422
    errors = listed_errors(response.get_data(as_text=True))
    assert len(errors) == 1, errors
    assert errors[0].startswith("Dòng 3, cột «Ngày sinh»:")
    if message:
        assert errors[0].endswith(message)
    assert "Tệp có 1 lỗi" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(DelegationMember.id))) == 0


def test_every_problem_of_a_row_is_listed_once(make_delegation, login, db):
    """A row with a bad date of birth, a passport with bad characters and no name: one line
    each (the passport is not also called missing, the name not also asked for)."""
    delegation = make_delegation("DV-UP2", members=[])
    rows = [HEADER, [None, "KR", "S-20/02", "15/06/1899"]]
    response = upload(login("other.officer"), delegation, xlsx(rows), "danh-sach.xlsx")

    assert response.status_code == 422
    errors = listed_errors(response.get_data(as_text=True))
    assert sorted(errors) == [
        "Dòng 2, cột «Họ và tên»: Thiếu giá trị bắt buộc.",
        "Dòng 2, cột «Ngày sinh»: Ngày sinh không hợp lệ (trước năm 1900).",
        "Dòng 2, cột «Số hộ chiếu»: Số hộ chiếu chỉ gồm chữ cái không dấu và chữ số.",
    ]
    assert db.session.scalar(sa.select(sa.func.count(DelegationMember.id))) == 0


def test_the_page_says_the_file_adds_to_the_list(make_delegation, login):
    delegation = make_delegation("DV-UP3", members=[])
    page = login("other.officer").get(f"/doan/{delegation.id}/thanh-vien/tai-len")
    assert page.status_code == 200
    assert "được <strong>thêm vào</strong> danh sách hiện có" in page.get_data(as_text=True)
