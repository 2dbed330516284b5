"""The frequent pages ask the database a bounded number of times, and only for what they
show: an aid item's collections (donors, sectors, locations, opinions), which the model
loads with every item, are left unloaded by the list, the inboxes and the alerts."""

import re

from app.aid.states import AidStatus
from tests.test_stats_web import selects

# Tables of the collections a page of item summaries does not show.
COLLECTION_TABLES = {"aid_donor", "aid_sector", "aid_location"}


def tables(statements: list[str]) -> list[str]:
    """The tables each statement reads, in order (one entry per FROM or JOIN)."""
    found = []
    for statement in statements:
        found += [a or b for a, b in re.findall(r"\bFROM (\w+)|\bJOIN (\w+)", statement)]
    return found


def make_items(make_item, prefix: str, count: int):
    statuses = [
        AidStatus.TIEP_NHAN,
        AidStatus.XIN_Y_KIEN,  # opinions asked of finance and police
        AidStatus.DA_PHE_DUYET,  # approved on 25/03/2025, not started: an alert
        AidStatus.DANG_THUC_HIEN,  # no report since 01/04/2025: an alert
    ]
    for i in range(count):
        make_item(f"{prefix}-{i}", status=statuses[i % len(statuses)])


def test_aid_list_reads_no_collection(login, db, make_item):
    make_items(make_item, "QL", 4)
    web = login("police.officer")
    page = web.get("/vien-tro/").get_data(as_text=True)
    assert "QL-0" in page and "QL-3" in page and "Organisation D-QL-1" in page  # main donor
    read = tables(selects(db, lambda: web.get("/vien-tro/")))
    assert not COLLECTION_TABLES & set(read) and "opinion" not in read
    assert "organization" in read  # the main donor, joined to the items


def test_planning_inbox_and_alerts_bounded_and_without_collections(login, db, make_item):
    make_items(make_item, "QP", 4)
    web = login("planning.officer")
    page = web.get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)
    assert "Chờ ý kiến: 0/2 cơ quan đã trả lời" in page  # the task counts the opinions
    assert 'data-testid="alert-not_started"' in page and "QP-2" in page
    few = selects(db, lambda: web.get("/vien-tro/viec-can-xu-ly"))
    make_items(make_item, "QR", 12)
    # The new items move the revisions: the first view computes the kept alert lists and
    # the dossiers box's count and page again (a constant number of statements more), the
    # next one reuses them.
    missed = selects(db, lambda: web.get("/vien-tro/viec-can-xu-ly"))
    many = selects(db, lambda: web.get("/vien-tro/viec-can-xu-ly"))
    assert len(few) == len(many) < len(missed) <= len(many) + 6
    read = tables(many)
    assert not COLLECTION_TABLES & set(read)
    # The opinions the agency has to give (counted with the notices in one statement; none
    # here, so no page of them is read) and the dossiers' opinions (for their tasks).
    assert read.count("opinion") == 2
    # the user; the opinions and notices boxes counted in one statement; the dossiers (their
    # kept count and page ids: the revisions, then the page's rows; and their opinions);
    # the page of notices to send after decisions with their items (the opinions box is
    # empty: no page read); the revisions of the kept alert lists (not started, delayed,
    # over-disbursed, the closing report's candidates) and their items in one query;
    # certificates; the reports alert (the closing reports of the candidates are read only
    # when there are some: none here); the notifications badge
    assert "Gửi quyết định phê duyệt cho nhà tài trợ" in page and "aid_notice" in read
    assert len(many) == 1 + 1 + (2 + 1) + 1 + 2 + 1 + 1 + 1


def test_opinions_inbox_bounded_and_without_collections(login, db, make_item):
    make_items(make_item, "QO", 2)
    web = login("police.officer")
    page = web.get("/vien-tro/viec-can-xu-ly").get_data(as_text=True)
    assert "QO-1" in page and "Organisation D-QO-1" in page  # the item and its main donor
    few = selects(db, lambda: web.get("/vien-tro/viec-can-xu-ly"))
    make_items(make_item, "QS", 8)
    many = selects(db, lambda: web.get("/vien-tro/viec-can-xu-ly"))
    # the user; the opinions counted (for the box's pages), then read with their items
    # and donors; the notifications badge's count
    assert len(few) == len(many) == 4
    assert not COLLECTION_TABLES & set(tables(many))
