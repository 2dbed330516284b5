"""INSERT of many new rows at once: on PostgreSQL one COPY per table and batch.

An INSERT of many rows through SQLAlchemy costs, on PostgreSQL, either a statement per row
(psycopg's executemany: the tables' statement triggers, such as the statistics' revision
series, then run once per row) or, with RETURNING, one statement of thousands of
placeholders that psycopg rewrites in Python (~0.1 s a thousand rows, most of the
import's time there). COPY sends the rows as data: one statement, triggers run once. The
ids are drawn from the table's sequence first (one query), in the rows' order, as the
INSERT would draw them. Elsewhere (SQLite) an executemany, with RETURNING for the ids.
"""

import sqlalchemy as sa

from app.extensions import db

BATCH = 2000  # rows per executemany (SQLite)


def copies() -> bool:
    """Whether insert_rows COPYs (PostgreSQL): its ids then follow the rows' order."""
    return db.session.get_bind().dialect.name == "postgresql"


def insert_rows(table: sa.Table, rows: list[dict], ids: bool = False) -> list[int]:
    """INSERT the rows (a column a row lacks gets its default only if every row lacks it:
    rows are grouped by their keys); with `ids`, the new ids, ascending, in the rows'
    order."""
    if not rows:
        return []
    db.session.flush()
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, rows, ids)
    if not ids:
        for start in range(0, len(rows), BATCH):
            connection.execute(sa.insert(table), rows[start : start + BATCH])
        return []
    statement = sa.insert(table).returning(table.c.id)
    new_ids = []
    for start in range(0, len(rows), BATCH):
        new_ids += connection.scalars(statement, rows[start : start + BATCH])
    return sorted(new_ids)


def _copy(connection, table: sa.Table, rows: list[dict], ids: bool) -> list[int]:
    new_ids = []
    if ids:
        sequence = connection.scalar(
            sa.select(sa.func.pg_get_serial_sequence(table.name, table.c.id.name))
        )
        draw = sa.select(sa.func.nextval(sequence)).select_from(
            sa.func.generate_series(1, len(rows))
        )
        new_ids = sorted(connection.scalars(draw))
        rows = [{**row, "id": new_id} for row, new_id in zip(rows, new_ids, strict=True)]
    groups: dict[frozenset[str], list[dict]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    for group in groups.values():
        names = list(group[0])
        defaults = _python_defaults(table, names)
        if defaults:
            group = [{**defaults, **row} for row in group]
            names += list(defaults)
        processors = [
            (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names
        ]
        columns = ", ".join(quote(name) for name in names)
        statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
        with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in group:
                copy.write_row(
                    [
                        value if process is None or value is None else process(value)
                        for name, process in processors
                        for value in (row[name],)
                    ]
                )
    return new_ids


def _python_defaults(table: sa.Table, given) -> dict:
    """The values an INSERT would give the columns the rows lack from their Python-side
    defaults (`default=`: a value, or a function called once for the batch here); COPY
    knows only the database's defaults."""
    defaults = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or column.primary_key:
            continue
        if default.is_callable:
            defaults[column.name] = default.arg(None)
        elif default.is_scalar:
            defaults[column.name] = default.arg
    return defaults
