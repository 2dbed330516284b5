"""Issue 15, search that does not scan: search_condition reads the folded columns through
their text index (SQLite FTS5 trigram tables kept by triggers, PostgreSQL pg_trgm GIN
indexes) and finds exactly the rows the plain `LIKE '%word%'` search finds."""

import pytest
import sqlalchemy as sa

from app.aid import services as aid_services
from app.aid.models import AidItem
from app.core.text import FTS_TABLES, fold, fts_query, search_condition
from app.delegations import services as delegation_services
from app.delegations.models import Delegation, DelegationMember
from app.orgs.models import Organization
from tests.fixtures.aid import item_input
from tests.fixtures.delegations import delegation_input, member
from tests.fixtures.orgs import new_org
from tests.test_delegations_services import delegation, host  # noqa: F401 (fixtures)
from tests.test_issue15_queries import captured, plan

TITLES = {
    "TS-01": "Hỗ trợ trạm y tế xã Đắk Tô",
    "TS-02": "Xây dựng hệ thống nước sạch huyện Kon Plông",
    "TS-03": "Trang bị thiết bị Y TẾ cho bệnh viện đa khoa",
    "TS-04": 'Dự án "Nước" sạch a*b NEAR(x) c-d col:umn ^abc OR',
    "TS-05": "Học bổng cho học sinh nghèo xã Ya Xiêr",
    "TS-06": "Cầu dân sinh xã Đăk Hà 100% vốn",
}

SEARCHES = [
    "y tế",  # words of two letters only
    "Y",
    "trạm y tế",  # a long word and short ones
    "dak to",
    "Đắk Tô",
    "nuoc sach",
    "NƯỚC   SẠCH kon",  # several words, spaces
    "ts-03",  # a code
    "TS-0",
    '"nuoc"',  # FTS5 syntax is text
    'nuoc"',
    "a*b",
    "near(x)",
    "NEAR",
    "OR",
    "AND",
    "c-d",
    "col:umn",
    "^abc",
    "100%",  # LIKE wildcards are text too
    "_",
    "vốn 100",
    "khong co gi",
    "hoc hoc",
]


def plain(column, text):
    """The search as it was: every folded word in a LIKE."""
    return sa.and_(*(column.contains(word, autoescape=True) for word in fold(text).split()))


@pytest.fixture
def records(app, db, user, make_item):
    """Items with the titles above, organisations and delegation members with names."""
    for code, title in TITLES.items():
        make_item(code, name=title)
    with app.app_context():
        for i, name in enumerate(["Hội Chữ thập đỏ Đắk Tô", 'Quỹ "Nước" sạch a*b', "KOICA"]):
            new_org(db, f"TSO-{i}", name=name)
        author = user("other.officer")
        created = delegation_services.create_delegation(delegation_input(), user=author)
        for i, name in enumerate(["Nguyễn Văn Ý", "Lê Vy", "Kim Min-jun", 'Ann "Near" O*R']):
            delegation_services.add_member(
                created, member(name=name, passport=f"TS{i:06d}"), user=author
            )
        db.session.commit()


@pytest.mark.parametrize("text", SEARCHES)
def test_same_rows_as_the_like_search(app, db, records, text):
    with app.app_context():
        for (table, column_name), _fts in FTS_TABLES.items():
            model = {
                "aid_item": AidItem,
                "delegation": Delegation,
                "organization": Organization,
                "delegation_member": DelegationMember,
            }[table]
            column = getattr(model, column_name)
            expected = db.session.scalars(
                sa.select(model.id).where(plain(column, text)).order_by(model.id)
            ).all()
            found = db.session.scalars(
                sa.select(model.id).where(search_condition(column, text)).order_by(model.id)
            ).all()
            assert found == expected, (table, text)
            negated = db.session.scalars(
                sa.select(model.id).where(~search_condition(column, text)).order_by(model.id)
            ).all()
            assert set(negated) == set(
                db.session.scalars(sa.select(model.id).where(~plain(column, text)))
            ), (table, text)


def test_the_searches_find_what_they_should(app, db, records):
    with app.app_context():

        def codes(text):
            return sorted(
                db.session.scalars(
                    sa.select(AidItem.code).where(
                        search_condition(AidItem.search_text, text), AidItem.code.like("TS-%")
                    )
                )
            )

        assert codes("tram y te") == ["TS-01"]
        assert codes("benh vien Y") == ["TS-03"]
        assert codes('"nuoc" a*b near(x)') == ["TS-04"]
        assert codes("100%") == ["TS-06"]
        assert codes("ts-02 KON") == ["TS-02"]


def test_fts_query_quotes_every_word():
    assert fts_query(["a*b", 'x"y', "near", "or"]) == '"a*b" "x""y" "near" "or"'


def test_short_words_never_read_the_whole_trigram_index(app, db, records):
    """Words under three letters give no trigram. On SQLite a query of such words only is
    the plain LIKE (no FTS5 table); on PostgreSQL they are `strpos` filters, which the
    planner cannot turn into a read of the whole GIN index (slower than a scan)."""
    with app.app_context():
        postgresql = db.session.get_bind().dialect.name == "postgresql"
        condition = search_condition(AidItem.search_text, "y te")
        sql = str(condition.compile(db.engine))
        if postgresql:
            assert "LIKE" not in sql and sql.count("strpos(") == 2
            shown = plan_of(db, sa.select(sa.func.count()).where(condition))
            assert "_trgm" not in shown, shown
            shown = plan_of(
                db, sa.select(AidItem.id).where(search_condition(AidItem.search_text, "tram y te"))
            )
            assert "ix_aid_item_search_text_trgm" in shown and "strpos" in shown, shown
        else:
            assert "_fts" not in sql and sql.count("LIKE") == 2
        # The condition brings its table into a SELECT that names no other.
        for words in ("nuoc sach", "y te", "tram y"):
            count = sa.select(sa.func.count()).where(search_condition(AidItem.search_text, words))
            like = sa.select(sa.func.count()).where(plain(AidItem.search_text, words))
            assert db.session.scalar(count) == db.session.scalar(like), words
        text = AidItem.search_text + " " + AidItem.code  # an expression has no index
        assert "_fts" not in str(search_condition(text, "nuoc sach").compile(db.engine))
        assert search_condition(AidItem.search_text, "  ") is None


# --- The index follows the table in the same transaction ------------------------------


def fts_ids(db, table: str, word: str) -> list[int]:
    """The ids the text index returns for one word (the FTS5 table on SQLite, the search
    itself on PostgreSQL, where the index is maintained by the database)."""
    model = {"aid_item": AidItem, "organization": Organization}[table]
    if db.session.get_bind().dialect.name == "sqlite":
        return sorted(
            db.session.scalars(
                sa.text(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :q"),  # noqa: S608
                {"q": fts_query([word])},
            )
        )
    return sorted(
        db.session.scalars(sa.select(model.id).where(search_condition(model.search_text, word)))
    )


def test_the_index_follows_insert_edit_archive_and_rollback(app, db, user, make_item):
    with app.app_context():
        planner = user("planning.officer")
        # Insert, not yet committed: the same transaction sees it.
        savepoint = db.session.begin_nested()
        item = aid_services.create_item(
            item_input([new_org(db, "TSX").id], "TS-X1", name="Giếng khoan Zyxwabc"),
            user=planner,
        )
        db.session.flush()
        assert fts_ids(db, "aid_item", "zyxwabc") == [item.id]
        savepoint.rollback()  # and a rollback takes the entry away with the row
        assert fts_ids(db, "aid_item", "zyxwabc") == []

        item = db.session.merge(make_item("TS-X2", name="Giếng khoan Zyxwabc"))
        assert fts_ids(db, "aid_item", "zyxwabc") == [item.id]
        # An edit replaces the old words by the new ones.
        aid_services.update_item(
            item,
            item_input([item.main_donor_id], "TS-X2", name="Nhà văn hóa Qwvutrs"),
            user=planner,
            version=item.version,
        )
        db.session.flush()
        assert fts_ids(db, "aid_item", "zyxwabc") == []
        assert fts_ids(db, "aid_item", "qwvutrs") == [item.id]
        # An edit rolled back leaves the index as it was.
        savepoint = db.session.begin_nested()
        item.search_text = fold("TS-X2 Cầu Ponmlkj")
        db.session.flush()
        assert fts_ids(db, "aid_item", "ponmlkj") == [item.id]
        savepoint.rollback()
        assert fts_ids(db, "aid_item", "ponmlkj") == []
        assert fts_ids(db, "aid_item", "qwvutrs") == [item.id]
        # Archived records keep their entry (the lists leave them out by archived_at).
        aid_services.archive_item(item, "Nhập trùng", user=planner)
        db.session.flush()
        assert fts_ids(db, "aid_item", "qwvutrs") == [item.id]
        # A delete (organisations without references) removes the entry.
        org = new_org(db, "TSY", name="Tổ chức Lkjhgfd")
        assert fts_ids(db, "organization", "lkjhgfd") == [org.id]
        db.session.delete(org)
        db.session.flush()
        assert fts_ids(db, "organization", "lkjhgfd") == []
        if db.session.get_bind().dialect.name == "sqlite":
            for fts in FTS_TABLES.values():  # every FTS5 table agrees with its table
                db.session.execute(
                    sa.text(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
                )


def test_every_fts_table_has_its_triggers(app, db):
    """A later migration that rebuilds one of these tables (batch_alter_table with
    recreate) drops its triggers: this test then fails."""
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's FTS5 tables")
    with app.app_context():
        triggers = set(
            db.session.scalars(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        )
        for table, _column in FTS_TABLES:
            for event in ("insert", "delete", "update"):
                assert f"{table}_fts_{event}" in triggers


def plan_of(db, select) -> str:
    compiled = select.compile(dialect=db.session.get_bind().dialect)
    params = compiled.params
    if compiled.positiontup is not None:  # SQLite's "?" parameters
        params = [params[name] for name in compiled.positiontup]
    return plan(db, str(compiled), params)


# --- The plans use the index --------------------------------------------------------------


@pytest.mark.parametrize(("table", "column_name"), list(FTS_TABLES))
def test_the_plan_reads_the_text_index(app, db, records, table, column_name):
    model = {
        "aid_item": AidItem,
        "delegation": Delegation,
        "organization": Organization,
        "delegation_member": DelegationMember,
    }[table]
    with app.app_context():
        condition = search_condition(getattr(model, column_name), "nuoc y")
        shown = plan_of(db, sa.select(model.id).where(condition))
        if db.session.get_bind().dialect.name == "sqlite":
            assert f"SCAN {table}_fts VIRTUAL TABLE INDEX" in shown, shown
            assert f"SEARCH {table} USING INTEGER PRIMARY KEY" in shown, shown
        else:
            assert f"ix_{table}_{column_name}_trgm" in shown, shown


# --- Person search ------------------------------------------------------------------------


def test_person_search_by_name_and_by_passport_use_indexes(app, db, delegation, host, user):  # noqa: F811
    delegation_services.submit_delegation(delegation, user=host)
    delegation_services.add_member(
        delegation, member(name="Nguyễn Văn Ý", passport="B7654321"), user=host
    )
    db.session.commit()
    police = user("police.officer")
    assert [m.full_name for m in delegation_services.person_search("nguyen van", user=police)] == [
        "Nguyễn Văn Ý"
    ]
    assert [m.full_name for m in delegation_services.person_search("KIM min", user=police)] == [
        "Kim Min-jun"
    ]
    assert [m.full_name for m in delegation_services.person_search("van y", user=police)] == [
        "Nguyễn Văn Ý"
    ]
    assert [m.full_name for m in delegation_services.person_search("b 7654321", user=police)] == [
        "Nguyễn Văn Ý"
    ]
    statements = captured(db, lambda: delegation_services.person_search("kim min", user=police))
    search = [(s, p) for s, p in statements if "delegation_member" in s]
    assert len(search) == 1
    shown = plan(db, *search[0])
    assert "ix_delegation_member_passport" in shown
    if db.session.get_bind().dialect.name == "sqlite":
        assert "SCAN delegation_member_fts VIRTUAL TABLE INDEX" in shown, shown
    else:
        assert "ix_delegation_member_name_folded_trgm" in shown, shown
        # The found ids are an array the planner reads first (a name of short words only
        # is estimated at thousands of rows and joined every member to its delegation).
        assert "= ANY (array((SELECT" in search[0][0]
    assert [m.full_name for m in delegation_services.person_search("lê vy", user=police)] == []
