"""Issue 15, title search under 50 ms: a list's text search is counted up to
SEARCH_COUNT_LIMIT ("hơn 1.000"), the count reads the FTS5 matches joined (streamed until
its LIMIT), and a page of many matches follows the list's order index (`id + 0 IN …`)
instead of sorting every match. The rows are those of the plain LIKE search in every form."""

import pytest
import sqlalchemy as sa

from app.aid.models import AidItem
from app.core import text
from app.core.text import FTS_TABLES, search_condition, with_search_form
from app.delegations.models import Delegation, DelegationMember
from app.orgs.models import Organization
from tests.test_issue15_pages import ITEMS, SORTS, codes, link, listed  # noqa: F401 (fixture)
from tests.test_issue15_queries import captured, plan
from tests.test_text_search_index import SEARCHES, plain, records  # noqa: F401 (fixture)

MODELS = {
    "aid_item": AidItem,
    "delegation": Delegation,
    "organization": Organization,
    "delegation_member": DelegationMember,
}


def sqlite(db) -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


@pytest.mark.parametrize("form", [text.WALKED, text.JOINED])
def test_every_form_finds_the_rows_of_the_like_search(app, db, records, form):  # noqa: F811
    with app.app_context():
        dialect = db.session.get_bind().dialect.name
        for (table, column_name), _fts in FTS_TABLES.items():
            model = MODELS[table]
            column = getattr(model, column_name)
            for words in SEARCHES:
                expected = db.session.scalars(
                    sa.select(model.id).where(plain(column, words)).order_by(model.id)
                ).all()
                select = sa.select(model.id).where(search_condition(column, words))
                found = db.session.scalars(
                    with_search_form(select, form, dialect).order_by(model.id)
                ).all()
                assert found == expected, (table, words, form)
                # Beside other conditions, in one AND.
                both = sa.and_(search_condition(column, words), model.id > 0)
                select = sa.select(model.id).where(both)
                found = db.session.scalars(
                    with_search_form(select, form, dialect).order_by(model.id)
                ).all()
                assert found == expected, (table, words, form)


def test_the_joined_form_only_for_one_search_of_the_top_level_and(app, db, records):  # noqa: F811
    """Under a NOT or an OR, `FROM t, t_fts WHERE t.id = t_fts.rowid …` would not mean the
    search: such a select is kept as it is (and two searches would name the FTS5 table
    twice)."""
    with app.app_context():
        column = AidItem.search_text
        kept = [
            sa.select(AidItem.id).where(~search_condition(column, "nuoc sach")),
            sa.select(AidItem.id).where(
                sa.or_(search_condition(column, "nuoc sach"), AidItem.code == "TS-01")
            ),
            sa.select(AidItem.id).where(
                search_condition(column, "nuoc"), search_condition(column, "sach")
            ),
            sa.select(AidItem.id).where(search_condition(column, "y te")),  # no FTS5: LIKEs
        ]
        for select in kept:
            assert with_search_form(select, text.JOINED, "sqlite") is select
        searched = sa.select(AidItem.id).where(search_condition(column, "nuoc sach"))
        joined = with_search_form(searched, text.JOINED, "sqlite")
        sql = str(joined.compile(dialect=db.session.get_bind().dialect))
        if sqlite(db):
            assert "aid_item_fts.rowid" in sql and "FROM aid_item, aid_item_fts" in sql, sql
        # PostgreSQL is never given the joined form (the FTS5 table is SQLite's).
        select = sa.select(AidItem.id).where(search_condition(column, "nuoc sach"))
        assert with_search_form(select, text.JOINED, "postgresql") is select
        assert text.has_text_search(select) and not text.has_text_search(sa.select(AidItem.id))
        nested = sa.select(AidItem.id).where(sa.not_(search_condition(column, "nuoc")))
        assert text.has_text_search(nested)


def statements_of(db, web, url):
    return [s for s, _p in captured(db, lambda: web.get(url)) if "aid_item" in s]


def test_a_search_is_counted_to_its_own_limit(app, db, login, listed, monkeypatch):  # noqa: F811
    assert app.config["SEARCH_COUNT_LIMIT"] == 1000  # the default (app/config.py)
    monkeypatch.setitem(app.config, "LIST_COUNT_LIMIT", 100)
    monkeypatch.setitem(app.config, "SEARCH_COUNT_LIMIT", 5)
    web = login("planning.officer")
    assert "Hiển thị 1–4 / 11 bản ghi" in web.get(f"/vien-tro/?donor={listed}").get_data(
        as_text=True
    )
    page = web.get("/vien-tro/?q=ks-0").get_data(as_text=True)
    assert "Hiển thị 1–4 / hơn 5 bản ghi" in page
    assert "Hiển thị 1–1 / 1 bản ghi" in web.get("/vien-tro/?q=ks-004").get_data(as_text=True)
    # With the default, a thousand (and never more than the lists' own limit).
    monkeypatch.setitem(app.config, "SEARCH_COUNT_LIMIT", 1000)
    monkeypatch.setitem(app.config, "LIST_COUNT_LIMIT", 7)
    assert "/ hơn 7 bản ghi" in web.get("/vien-tro/?q=ks-0").get_data(as_text=True)
    monkeypatch.setitem(app.config, "LIST_COUNT_LIMIT", 5000)
    statements = statements_of(db, web, "/vien-tro/?q=ks-0")
    count = [s for s in statements if s.lstrip().upper().startswith("SELECT COUNT(*)")]
    assert len(count) == 1
    assert "LIMIT" in count[0].upper()
    assert captured_limit(db, web, "/vien-tro/?q=ks-0") == 1001


def captured_limit(db, web, url) -> int:
    """The LIMIT the count statement of a page was run with."""
    for statement, parameters in captured(db, lambda: web.get(url)):
        if statement.lstrip().upper().startswith("SELECT COUNT(*)"):
            values = list(parameters.values()) if isinstance(parameters, dict) else parameters
            return max(v for v in values if isinstance(v, int))
    raise AssertionError("no count")


def test_search_pages_by_number_and_by_keyset_are_the_list_pages(
    app,
    db,
    login,
    listed,  # noqa: F811
    monkeypatch,
):
    """Past the search's count limit, the pages follow the order's index (SQLite): every
    sort, numbered and "Sau ›" pages, show the rows of the list without the search."""
    monkeypatch.setitem(app.config, "SEARCH_COUNT_LIMIT", 5)
    web = login("planning.officer")
    for sort in SORTS:
        listed_pages = [
            codes(web.get(f"/vien-tro/?donor={listed}&sort={sort}&page={n}").get_data(as_text=True))
            for n in (1, 2, 3)
        ]
        searched = [
            codes(web.get(f"/vien-tro/?q=ks-0&sort={sort}&page={n}").get_data(as_text=True))
            for n in (1, 2)  # numbered links as far as the counted rows (5: two pages)
        ]
        assert searched == listed_pages[:2], sort
        seen, url = [], f"/vien-tro/?q=ks-0&sort={sort}"
        while url:
            page = web.get(url).get_data(as_text=True)
            seen.append(codes(page))
            url = link(page, "next")
        assert seen == listed_pages, sort
        assert sum(len(p) for p in seen) == ITEMS


def test_sqlite_reads_many_matches_along_the_order_and_few_from_the_matches(
    app,
    db,
    login,
    listed,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setitem(app.config, "SEARCH_COUNT_LIMIT", 5)
    web = login("planning.officer")
    many = captured(db, lambda: web.get("/vien-tro/?q=ks-0"))
    few = captured(db, lambda: web.get("/vien-tro/?q=ks-004"))

    def page_of(statements):
        return next((s, p) for s, p in statements if "ORDER BY aid_item.dossier_received_on" in s)

    def count_of(statements):
        return next(s for s, _p in statements if s.lstrip().upper().startswith("SELECT COUNT(*)"))

    if not sqlite(db):  # PostgreSQL: the pg_trgm LIKEs, whatever the count
        for statements in (many, few):
            assert "_fts" not in page_of(statements)[0] and "_fts" not in count_of(statements)
            assert "search_text LIKE" in page_of(statements)[0]
        return
    for statements in (many, few):
        assert "FROM aid_item, aid_item_fts" in count_of(statements)
        assert "aid_item.id = aid_item_fts.rowid" in count_of(statements)
    statement, parameters = page_of(many)
    assert "aid_item.id + 0 IN (SELECT rowid" in statement
    assert "USING INDEX ix_aid_item_dossier_received_on" in plan(db, statement, parameters)
    statement, parameters = page_of(few)
    assert "aid_item.id IN (SELECT rowid" in statement
    assert "SCAN aid_item_fts VIRTUAL TABLE" in plan(db, statement, parameters)
