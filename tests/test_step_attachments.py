"""Attachments on the decision and opinion forms (issue 14): the signed decision of an
approval, refusal, amendment or revocation, and the consulted agency's letter, are filed
with the decision / opinion in the step's own transaction (step and file together or not
at all, audited), listed on the item's page with it, and downloadable by who may read the
registry; a bad file is a 422 next to the field with nothing written."""

import io
import re

import pytest
import sqlalchemy as sa

from app.aid.models import AidItem, Decision, Opinion
from app.aid.states import AidStatus
from app.core.dates import format_date, today_vn
from app.core.models import Attachment, AuditEntry
from tests.fixtures.aid import agency_ids

S = AidStatus
SIGNED = b"%PDF-1.4 signed decision"
TODAY = format_date(today_vn())


def upload(data=SIGNED, name="quyet-dinh.pdf"):
    return (io.BytesIO(data), name)


def count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)).where(*where))


def post_file(web, url, data):
    return web.post(url, data, content_type="multipart/form-data")


# step -> (status the item needs, the form's fields, the decision's kind)
DECISIONS = {
    "approve": (
        S.THAM_DINH,
        {"number": "88/QĐ-UBND", "signed_on": TODAY, "signer": "Chủ tịch UBND tỉnh"},
        "phe_duyet",
    ),
    "refuse": (S.THAM_DINH, {"signed_on": TODAY, "content": "Không phù hợp"}, None),
    "revoke": (
        S.DA_PHE_DUYET,
        {"number": "89/QĐ-UBND", "signed_on": TODAY, "content": "Chưa triển khai"},
        "thu_hoi",
    ),
    "amend": (
        S.DANG_THUC_HIEN,
        {"number": "90/QĐ-UBND", "signed_on": TODAY, "value": "120.000"},
        "dieu_chinh",
    ),
}


@pytest.mark.parametrize("action", DECISIONS)
def test_decision_step_files_its_signed_document(action, login, make_item, db):
    status, fields, _kind = DECISIONS[action]
    item = make_item(f"VT-F-{action}", status=status)
    planner = login("planning.officer")
    before = count(db, Decision, Decision.aid_item_id == item.id)
    done = post_file(planner, f"/vien-tro/{item.id}/buoc/{action}", {**fields, "file": upload()})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert done.headers["Location"].endswith(f"/vien-tro/{item.id}")  # back on the record
    decision = db.session.scalar(
        sa.select(Decision).where(Decision.aid_item_id == item.id).order_by(Decision.id.desc())
    )
    assert count(db, Decision, Decision.aid_item_id == item.id) == before + 1
    stored = db.session.scalar(
        sa.select(Attachment).where(
            Attachment.owner_type == "decision", Attachment.owner_id == decision.id
        )
    )
    assert stored is not None and stored.filename == "quyet-dinh.pdf"
    entry = db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "attachment.add")
        .order_by(AuditEntry.id.desc())
    )
    assert "quyet-dinh.pdf" in entry.summary  # audited, in the step's commit
    # Listed with its decision on the item's page; downloadable by any reader.
    page = login("finance.viewer").get(f"/vien-tro/{item.id}").get_data(as_text=True)
    row = re.search(r'data-testid="decision-file"><a href="/tep/(\d+)">quyet-dinh\.pdf', page)
    assert row and int(row.group(1)) == stored.id
    download = login("leadership.viewer").get(f"/tep/{stored.id}")
    assert download.status_code == 200 and download.data == SIGNED


def test_a_decision_without_a_file_is_still_recorded(login, make_item, db):
    item = make_item("VT-F-NONE", status=S.THAM_DINH)
    _status, fields, _ = DECISIONS["approve"]
    done = login("planning.officer").post(f"/vien-tro/{item.id}/buoc/approve", fields)
    assert done.status_code == 302
    db.session.refresh(item)
    assert item.status == S.DA_PHE_DUYET
    assert count(db, Attachment, Attachment.owner_type == "decision") == 0


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"MZ\x90\x00 not a pdf", "quyet-dinh.pdf", "Nội dung tệp không phải tệp .pdf hợp lệ."),
        (b"#!/bin/sh", "quyet-dinh.sh", "Loại tệp không được chấp nhận"),
        (b"", "quyet-dinh.pdf", "Tệp rỗng"),
    ],
)
def test_a_bad_decision_file_writes_nothing(data, name, message, login, make_item, db):
    item = make_item("VT-F-BAD", status=S.THAM_DINH)
    _status, fields, _ = DECISIONS["approve"]
    planner = login("planning.officer")
    decisions = count(db, Decision, Decision.aid_item_id == item.id)
    audits = count(db, AuditEntry)
    refused = post_file(
        planner,
        f"/vien-tro/{item.id}/buoc/approve",
        {**fields, "file": upload(data, name)},
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    field = re.search(r'<input[^>]*name="file"[^>]*>\s*<div class="invalid-feedback">([^<]*)', html)
    assert field and message in field.group(1)  # next to the field, in Vietnamese
    db.session.expire_all()
    assert db.session.get(AidItem, item.id).status == S.THAM_DINH  # the step was not taken
    assert count(db, Decision, Decision.aid_item_id == item.id) == decisions
    assert count(db, Attachment) == 0 and count(db, AuditEntry) == audits


def test_an_oversize_decision_file_writes_nothing(app, login, make_item, db, monkeypatch):
    """The upload limit of every attachment (MAX_CONTENT_LENGTH) refuses the request
    before anything is read: the 413 page names the limit."""
    item = make_item("VT-F-BIG", status=S.THAM_DINH)
    _status, fields, _ = DECISIONS["approve"]
    planner = login("planning.officer")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    refused = post_file(
        planner, f"/vien-tro/{item.id}/buoc/approve", {**fields, "file": upload(SIGNED * 400)}
    )
    assert refused.status_code == 413 and "vượt quá dung lượng" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AidItem, item.id).status == S.THAM_DINH
    assert count(db, Decision, Decision.aid_item_id == item.id) == 0
    assert count(db, Attachment) == 0


def _asked(login, make_item, db, code):
    item = make_item(code)
    login("planning.officer").post(
        f"/vien-tro/{item.id}/buoc/request_opinions", {"agency_ids": agency_ids(db, "police")}
    )
    opinion = db.session.scalar(sa.select(Opinion).where(Opinion.aid_item_id == item.id))
    return item, opinion


def test_opinion_answer_files_its_letter(login, make_item, db):
    item, opinion = _asked(login, make_item, db, "VT-F-OP")
    police = login("police.officer")
    done = post_file(
        police,
        f"/vien-tro/y-kien/{opinion.id}",
        {
            "verdict": "dong_y",
            "answer": "Không có vấn đề an ninh",
            "document_number": "55/CAT",
            "version": opinion.version,
            "file": upload(b"%PDF-1.4 letter", "cong-van-cat.pdf"),
        },
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/vien-tro/{item.id}")  # the record, not the inbox
    stored = db.session.scalar(
        sa.select(Attachment).where(
            Attachment.owner_type == "opinion", Attachment.owner_id == opinion.id
        )
    )
    assert stored is not None and stored.filename == "cong-van-cat.pdf"
    page = login("finance.viewer").get(f"/vien-tro/{item.id}").get_data(as_text=True)
    assert re.search(
        rf'Không có vấn đề an ninh.*?\(VB 55/CAT, [^)]*\)</span>\s*<div><a href="/tep/{stored.id}">'
        r"cong-van-cat\.pdf",
        page,
        re.S,
    )
    assert login("leadership.viewer").get(f"/tep/{stored.id}").data == b"%PDF-1.4 letter"


def test_a_bad_opinion_file_writes_nothing(login, make_item, db):
    _item, opinion = _asked(login, make_item, db, "VT-F-OP2")
    police = login("police.officer")
    audits = count(db, AuditEntry)
    refused = post_file(
        police,
        f"/vien-tro/y-kien/{opinion.id}",
        {
            "verdict": "dong_y",
            "answer": "Đồng ý",
            "version": opinion.version,
            "file": upload(b"not a pdf at all", "cong-van.pdf"),
        },
    )
    assert refused.status_code == 422
    assert "Nội dung tệp không phải tệp .pdf hợp lệ." in refused.get_data(as_text=True)
    db.session.expire_all()
    opinion = db.session.get(Opinion, opinion.id)
    assert opinion.verdict is None and opinion.answered_on is None  # still open
    assert count(db, Attachment) == 0 and count(db, AuditEntry) == audits


def test_decision_files_are_in_the_item_history(login, make_item, db):
    item = make_item("VT-F-HIST", status=S.THAM_DINH)
    _status, fields, _ = DECISIONS["approve"]
    post_file(
        login("planning.officer"), f"/vien-tro/{item.id}/buoc/approve", {**fields, "file": upload()}
    )
    history = login("planning.officer").get(f"/vien-tro/{item.id}/lich-su")
    assert history.status_code == 200 and "quyet-dinh.pdf" in history.get_data(as_text=True)
