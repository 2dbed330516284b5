"""The pages scripts/bench times, with the hand-written SQL that returns the same rows.

Every page of the issue 15 table and every list, record, inbox and home page the load test
(scripts/locustfile.py) visits. The raw SQL is what a person would write for the rows the
page shows: the count (up to 10,001, as the pager) and the page of a list (25 rows, the
list's default order), a record and its children, the statistics' input rows; it does not
render, check rights or audit.
"""

# ruff: noqa: S608 - the SQL is written here, from constant fragments
from __future__ import annotations

from functools import partial

from bench_pages import Page, run_sql

YEAR = 2024  # the statistics year measured (as in docs/performance.md)
PAGE_SIZE = 25
COUNT_LIMIT = 10_000  # the pager counts up to this + 1 (LIST_COUNT_LIMIT), so does the raw SQL
SEARCH_WORD = "truong"  # a word of many titles (trường mầm non, trường tiểu học, ...)
PLANNING, OTHER, FOREIGN, POLICE = (
    "planning.bench01",
    "other.bench02",
    "foreign_affairs.bench03",
    "police.bench04",
)


def bounded_count(table: str, where: str) -> str:
    return f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT {COUNT_LIMIT + 1}) t"


def _all(*statements):
    """raw(cursor): run each (sql, params) and return the rows of all."""

    def raw(cursor):
        return [run_sql(cursor, sql, params) for sql, params in statements]

    return raw


ITEM_ROW = (
    "SELECT i.id, i.code, i.name, i.status, i.value_vnd, i.currency, i.decision_date, "
    "i.dossier_received_on, o.code, o.name FROM aid_item i "
    "LEFT JOIN organization o ON o.id = i.main_donor_id "
)
ITEM_ORDER = " ORDER BY i.dossier_received_on DESC, i.id DESC LIMIT :limit OFFSET :offset"
LIVE_ITEMS = "i.archived_at IS NULL"


def aid_list(offset=0, where=""):
    condition = LIVE_ITEMS + (f" AND {where}" if where else "")
    return _all(
        (bounded_count("aid_item i", condition), {}),
        (f"{ITEM_ROW}WHERE {condition}{ITEM_ORDER}", {"limit": PAGE_SIZE, "offset": offset}),
    )


def aid_record(item_id: int):
    p = {"id": item_id}
    return _all(
        (f"{ITEM_ROW}WHERE i.id = :id", p),
        (
            "SELECT d.position, o.id, o.code, o.name FROM aid_donor d "
            "JOIN organization o ON o.id = d.organization_id WHERE d.aid_item_id = :id "
            "ORDER BY d.position",
            p,
        ),
        ("SELECT sector, share FROM aid_sector WHERE aid_item_id = :id", p),
        (
            "SELECT c.code, c.name, c.province_name FROM aid_location l "
            "JOIN commune c ON c.code = l.commune_code WHERE l.aid_item_id = :id",
            p,
        ),
        (
            "SELECT id, disbursed_on, amount, currency, rate_vnd, value_vnd, archived_at "
            "FROM disbursement WHERE aid_item_id = :id ORDER BY disbursed_on, id",
            p,
        ),
        ("SELECT id, agency_id, due_on, verdict FROM opinion WHERE aid_item_id = :id", p),
    )


def aid_inbox():
    """Items in the procedure (the planning officer's boxes), by due date."""
    where = (
        "i.archived_at IS NULL AND i.status IN ('tiep_nhan', 'tra_lai', 'xin_y_kien', 'tham_dinh')"
    )
    return _all(
        (f"SELECT i.status, count(*) FROM aid_item i WHERE {where} GROUP BY i.status", {}),
        (
            f"{ITEM_ROW}WHERE {where} ORDER BY i.appraisal_due_on, i.id LIMIT :limit",
            {"limit": PAGE_SIZE},
        ),
    )


DELEGATION_ROW = (
    "SELECT d.id, d.code, d.title, d.direction, d.status, d.country, d.start_on, d.end_on, "
    "o.name, d.sending_party FROM delegation d "
    "LEFT JOIN organization o ON o.id = d.organization_id "
)


def delegation_list(offset=0):
    where = "d.archived_at IS NULL AND d.status <> 'du_thao'"
    return _all(
        (bounded_count("delegation d", where), {}),
        (
            f"{DELEGATION_ROW}WHERE {where} ORDER BY d.start_on DESC, d.id DESC "
            "LIMIT :limit OFFSET :offset",
            {"limit": PAGE_SIZE, "offset": offset},
        ),
    )


def delegation_record(delegation_id: int):
    p = {"id": delegation_id}
    return _all(
        (f"{DELEGATION_ROW}WHERE d.id = :id", p),
        (
            "SELECT id, full_name, nationality, passport_number, position, is_head "
            "FROM delegation_member WHERE delegation_id = :id AND archived_at IS NULL "
            "ORDER BY is_head DESC, id",
            p,
        ),
        (
            "SELECT s.day, s.place, c.name FROM itinerary_stop s "
            "LEFT JOIN commune c ON c.code = s.commune_code WHERE s.delegation_id = :id",
            p,
        ),
        ("SELECT reviewer_kind, verdict FROM delegation_review WHERE delegation_id = :id", p),
    )


def delegation_inbox():
    where = "d.archived_at IS NULL AND d.status IN ('da_gui', 'dang_xem_xet')"
    return _all(
        (f"SELECT d.status, count(*) FROM delegation d WHERE {where} GROUP BY d.status", {}),
        (
            f"{DELEGATION_ROW}WHERE {where} ORDER BY d.start_on, d.id LIMIT :limit",
            {"limit": PAGE_SIZE},
        ),
    )


def donor_list():
    return _all(
        (bounded_count("organization", "archived_at IS NULL"), {}),
        (
            "SELECT id, code, name, kind, country, certificate_expires_on FROM organization "
            "WHERE archived_at IS NULL ORDER BY name, id LIMIT :limit",
            {"limit": PAGE_SIZE},
        ),
    )


def donor_record(org_id: int):
    p = {"id": org_id}
    ids = (
        "SELECT aid_item_id FROM aid_donor WHERE organization_id = :id "
        "UNION SELECT id FROM aid_item WHERE main_donor_id = :id"
    )
    return _all(
        ("SELECT * FROM organization WHERE id = :id", p),
        (
            "SELECT i.id, i.code, i.name, i.status, i.value_vnd, i.main_donor_id "
            f"FROM aid_item i WHERE i.id IN ({ids}) AND i.archived_at IS NULL ORDER BY i.code",
            p,
        ),
        (
            "SELECT count(*), sum(value_vnd) FROM aid_item "
            f"WHERE id IN ({ids}) AND archived_at IS NULL",
            p,
        ),
    )


def person_search(passport: str):
    return _all(
        (
            "SELECT m.id, m.full_name, m.nationality, m.passport_number, d.id, d.code, "
            "d.title, d.start_on FROM delegation_member m "
            "JOIN delegation d ON d.id = m.delegation_id "
            "WHERE m.passport_number = :p AND m.archived_at IS NULL AND d.archived_at IS NULL "
            "ORDER BY m.name_folded, d.start_on DESC",
            {"p": passport},
        ),
    )


def year_inputs(year: int, comparison: bool):
    """The statistics' input rows of a year (and, for the page, 6 years of daily totals)."""
    p = {"a": f"{year}-01-01", "b": f"{year + 1}-01-01"}
    statements = [
        (
            "SELECT aid_item_id, disbursed_on, value_vnd, currency, rate_vnd, rate_usd "
            "FROM disbursement WHERE disbursed_on >= :a AND disbursed_on < :b "
            "AND archived_at IS NULL",
            p,
        ),
        (
            "SELECT id, status, modality, value_vnd, currency, rate_usd, main_donor_id, "
            "decision_date FROM aid_item WHERE archived_at IS NULL AND "
            "((decision_date >= :a AND decision_date < :b) OR id IN (SELECT aid_item_id "
            "FROM disbursement WHERE disbursed_on >= :a AND disbursed_on < :b))",
            p,
        ),
        (
            "SELECT s.aid_item_id, s.sector, s.share FROM aid_sector s JOIN aid_item i "
            "ON i.id = s.aid_item_id WHERE i.decision_date >= :a AND i.decision_date < :b",
            p,
        ),
        (
            "SELECT id, direction, status, country, start_on, end_on FROM delegation "
            "WHERE start_on >= :a AND start_on < :b AND archived_at IS NULL",
            p,
        ),
        (
            "SELECT m.delegation_id, m.nationality FROM delegation_member m JOIN delegation d "
            "ON d.id = m.delegation_id WHERE d.start_on >= :a AND d.start_on < :b "
            "AND m.archived_at IS NULL",
            p,
        ),
    ]
    if comparison:
        statements.append(
            (
                "SELECT disbursed_on, sum(value_vnd) FROM disbursement WHERE disbursed_on >= :c "
                "AND disbursed_on < :b AND archived_at IS NULL GROUP BY disbursed_on",
                {**p, "c": f"{year - 5}-01-01"},
            )
        )
    return _all(*statements)


def whole_aid_list():
    return _all(
        (
            "SELECT i.*, o.code, o.name FROM aid_item i "
            "LEFT JOIN organization o ON o.id = i.main_donor_id "
            "WHERE i.archived_at IS NULL ORDER BY i.dossier_received_on DESC, i.id DESC",
            {},
        )
    )


def home():
    """Key figures of the year (daily totals) and the user's inbox counts."""
    return _all(
        (
            "SELECT disbursed_on, sum(value_vnd) FROM disbursement WHERE disbursed_on >= :a "
            "AND disbursed_on < :b AND archived_at IS NULL GROUP BY disbursed_on",
            {"a": f"{YEAR}-01-01", "b": f"{YEAR + 1}-01-01"},
        ),
        (
            "SELECT status, count(*) FROM aid_item WHERE archived_at IS NULL AND status IN "
            "('tiep_nhan', 'tra_lai', 'xin_y_kien', 'tham_dinh') GROUP BY status",
            {},
        ),
    )


def picks(cursor) -> dict:
    """The records the pages show: chosen by SQL, the same on both databases."""
    one = partial(_one, cursor)
    return {
        "first_item": one(
            "SELECT id FROM aid_item WHERE archived_at IS NULL "
            "ORDER BY dossier_received_on DESC, id DESC LIMIT 1"
        ),
        "busiest_item": one(
            "SELECT aid_item_id FROM disbursement GROUP BY aid_item_id "
            "ORDER BY count(*) DESC, aid_item_id LIMIT 1"
        ),
        "largest_donor": one(
            "SELECT organization_id FROM aid_donor GROUP BY organization_id "
            "ORDER BY count(*) DESC, organization_id LIMIT 1"
        ),
        "first_donor": one(
            "SELECT id FROM organization WHERE archived_at IS NULL ORDER BY name, id LIMIT 1"
        ),
        "delegation": one(
            "SELECT delegation_id FROM delegation_member GROUP BY delegation_id "
            "ORDER BY count(*) DESC, delegation_id LIMIT 1"
        ),
        "passport": one(
            "SELECT passport_number FROM delegation_member WHERE nationality <> 'VN' "
            "AND passport_number IS NOT NULL GROUP BY passport_number "
            "ORDER BY count(*) DESC, passport_number LIMIT 1"
        ),
    }


def _one(cursor, sql):
    rows = run_sql(cursor, sql)
    return rows[0][0] if rows else None


def catalog(picked: dict) -> list[Page]:
    q = SEARCH_WORD
    like = f"i.search_text LIKE '%{q}%'"
    return [
        Page("aid_list", "Aid list, first page", PLANNING, "/vien-tro/", aid_list()),
        Page("aid_list_p2", "Aid list, page 2", PLANNING, "/vien-tro/?page=2", aid_list(25)),
        Page(
            "aid_search",
            f"Search a word of a title (?q={q})",
            PLANNING,
            f"/vien-tro/?q={q}",
            aid_list(0, like),
        ),
        Page(
            "aid_record",
            "Aid item detail (first of the list)",
            PLANNING,
            f"/vien-tro/{picked['first_item']}",
            aid_record(picked["first_item"]),
        ),
        Page(
            "aid_record_busy",
            "Aid item detail (most disbursements)",
            PLANNING,
            f"/vien-tro/{picked['busiest_item']}",
            aid_record(picked["busiest_item"]),
        ),
        Page(
            "aid_inbox", "Aid inbox (planning)", PLANNING, "/vien-tro/viec-can-xu-ly", aid_inbox()
        ),
        Page("home", "Home page (planning)", PLANNING, "/", home()),
        Page("delegation_list", "Delegation list", FOREIGN, "/doan/", delegation_list()),
        Page(
            "delegation_list_p2",
            "Delegation list, page 2",
            FOREIGN,
            "/doan/?page=2",
            delegation_list(25),
        ),
        Page(
            "delegation_record",
            "Delegation record (most members)",
            FOREIGN,
            f"/doan/{picked['delegation']}",
            delegation_record(picked["delegation"]),
        ),
        Page(
            "delegation_inbox",
            "Delegation inbox (foreign affairs)",
            FOREIGN,
            "/doan/viec-can-xu-ly",
            delegation_inbox(),
        ),
        Page("donor_list", "Donor list", PLANNING, "/to-chuc/", donor_list()),
        Page(
            "donor_record",
            "Donor record (first of the list)",
            PLANNING,
            f"/to-chuc/{picked['first_donor']}",
            donor_record(picked["first_donor"]),
        ),
        Page(
            "donor_profile",
            "Donor profile (largest donor)",
            PLANNING,
            f"/to-chuc/{picked['largest_donor']}",
            donor_record(picked["largest_donor"]),
        ),
        Page(
            "person_search",
            "Person search by passport, as police",
            POLICE,
            f"/doan/tra-cuu?q={picked['passport']}",
            person_search(picked["passport"]),
        ),
        Page(
            "stats_year",
            f"Statistics year page ({YEAR})",
            PLANNING,
            f"/thong-ke/{YEAR}",
            year_inputs(YEAR, True),
        ),
        Page(
            "annual_json",
            f"Annual report JSON ({YEAR})",
            PLANNING,
            f"/thong-ke/{YEAR}/bao-cao.json",
            year_inputs(YEAR, False),
        ),
        Page(
            "aid_export",
            "XLSX export of the whole aid list",
            PLANNING,
            "/vien-tro/xuat.xlsx",
            whole_aid_list(),
        ),
    ]
