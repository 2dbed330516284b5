"""Bulk writes for the import's large keyed sheets (aid items, delegations): records are
read and compared as plain values, and written a batch at a time with one statement per
kind of change (INSERT ... RETURNING of the new rows, UPDATE of the changed ones with their
version checked, DELETE / UPDATE / INSERT of child rows), instead of one ORM object, its
children and its flush per row.

What the ORM did per row is kept: a new row gets the columns' defaults for the fields left
unset; an UPDATE sets only the changed columns, bumps `version` and `updated_at`, and
fails with StaleDataError when another transaction changed the row since it was read (the
forms' optimistic locking); child rows whose key stays are updated in place (so a unique
(parent, key) constraint never sees a transient duplicate), the others deleted or added.
"""

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm.exc import StaleDataError

from app.core import audit
from app.core.inserts import copies, insert_rows
from app.core.models import utcnow
from app.extensions import db
from app.transfer.fields import BOOL_FIELDS, DERIVED
from app.transfer.upsert import RECORD_ACTIONS, chunks, same, value_of


class Plain:
    """A record as plain values, read like the ORM object it stands for: `rec.name`. A
    field never set reads as None (like a new object's), and `set_fields()` names the
    fields a new record was given."""

    def __init__(self, values: dict | None = None):
        self.__dict__["_values"] = dict(values or {})
        self.__dict__["_stored"] = dict(values or {})

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._values.get(name)

    def __setattr__(self, name, value):
        self._values[name] = value

    def values(self) -> dict:
        return self._values

    def changed_fields(self, columns) -> dict:
        """{column: new value} of the columns whose value differs from the stored row."""
        return {
            name: self._values.get(name)
            for name in columns
            if name in self._values and not same(self._stored.get(name), self._values.get(name))
        }


def load_records(table: sa.Table, codes) -> dict[str, Plain]:
    """The stored rows of `table` with these codes, code -> Plain (one query)."""
    return {
        row["code"]: Plain(dict(row))
        for row in db.session.execute(sa.select(table).where(table.c.code.in_(codes))).mappings()
    }


def insert_records(table: sa.Table, rows: list[dict]) -> dict[str, int]:
    """INSERT the new rows in the file's order (so ids follow it, as the ORM's did), one
    executemany per batch. A field a row was not given (or given as None) gets its
    column's default, as the ORM does for a new object. Returns code -> id."""
    rows = [{k: v for k, v in row.items() if v is not None and k in table.c} for row in rows]
    if not rows:
        return {}
    keys = set().union(*rows)
    fillers = {}
    for name in keys:
        default = table.c[name].default
        if default is None and table.c[name].server_default is not None:
            return _insert_grouped(table, rows)  # only the database knows this default
        if default is None:
            fillers[name] = None
        elif default.is_callable:
            fillers[name] = default.arg(None)
        elif default.is_scalar:
            fillers[name] = default.arg
        else:
            return _insert_grouped(table, rows)
    rows = [{**fillers, **row} for row in rows]
    if copies():
        return _copied(table, rows)
    # (code, id) pairs, so their order does not matter: without sort_by_parameter_order,
    # which SQLite honours only one row at a time
    statement = sa.insert(table).returning(table.c.code, table.c.id)
    ids = {}
    for chunk in chunks(rows, 1000):
        ids.update(db.session.execute(statement, chunk).all())
    return ids


def _copied(table: sa.Table, rows: list[dict]) -> dict[str, int]:
    """The rows COPYed (app.core.inserts), ids in the rows' order: code -> id."""
    new_ids = insert_rows(table, rows, ids=True)
    return {row["code"]: new_id for row, new_id in zip(rows, new_ids, strict=True)}


def _insert_grouped(table: sa.Table, rows: list[dict]) -> dict[str, int]:
    """The rows grouped by the fields given, the others left to the database's defaults."""
    if copies():
        return _copied(table, rows)
    ids = {}
    groups = defaultdict(list)
    for row in rows:
        groups[frozenset(row)].append(row)
    for group in groups.values():
        for chunk in chunks(group, 1000):
            statement = sa.insert(table).returning(table.c.code, table.c.id)
            ids.update(db.session.execute(statement, chunk).all())
    return ids


def update_records(table: sa.Table, changes: list[tuple[int, int, dict]]) -> None:
    """UPDATE each (id, version, {column: value}) row: its changed columns, version + 1
    and updated_at, where the version is still the one read (else StaleDataError), one
    executemany per set of changed columns."""
    if not changes:
        return
    now = utcnow()
    groups = defaultdict(list)
    for row_id, version, values in changes:
        groups[tuple(sorted(values))].append(
            {"b_id": row_id, "b_version": version, **{f"b_{k}": v for k, v in values.items()}}
        )
    for columns, group in groups.items():
        if copies():  # PostgreSQL: one statement per chunk, not one per row
            for chunk in chunks(group, 1000):
                _stale_unless(table, len(chunk), _update_from_arrays(table, columns, chunk, now))
            continue
        statement = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"), table.c.version == sa.bindparam("b_version"))
            .values(
                {name: sa.bindparam(f"b_{name}") for name in columns}
                | {"version": sa.bindparam("b_version") + 1, "updated_at": now}
            )
            .execution_options(synchronize_session=False)
        )
        for chunk in chunks(group, 1000):
            _stale_unless(table, len(chunk), _rowcount(statement, chunk))


def _stale_unless(table: sa.Table, rows: int, matched: int | None) -> None:
    if matched is not None and matched != rows:
        raise StaleDataError(
            f"{table.name}: {rows - matched} rows were changed by another "
            "transaction while the file was written"
        )


def _update_from_arrays(table: sa.Table, columns, chunk: list[dict], now) -> int:
    """One UPDATE ... FROM unnest(arrays) of the chunk's rows (PostgreSQL): an executemany
    there runs a statement per row, and the tables' statement triggers with it. Returns
    the rows matched."""
    names = ["id", "version", *columns]
    arrays = [
        sa.bindparam(
            f"a_{name}", [row[f"b_{name}"] for row in chunk], type_=ARRAY(table.c[name].type)
        )
        for name in names
    ]
    given = (
        sa.func.unnest(*arrays)
        .table_valued(*(sa.column(name, table.c[name].type) for name in names))
        .render_derived(name="given")
    )
    statement = (
        sa.update(table)
        .where(table.c.id == given.c.id, table.c.version == given.c.version)
        .values(
            {name: given.c[name] for name in columns}
            | {"version": given.c.version + 1, "updated_at": now}
        )
        .execution_options(synchronize_session=False)
    )
    return db.session.connection().execute(statement).rowcount


def _rowcount(statement, rows: list[dict]) -> int | None:
    connection = db.session.connection()
    if len(rows) == 1 or connection.dialect.supports_sane_multi_rowcount:
        return connection.execute(statement, rows).rowcount
    matched = 0  # a driver that cannot count an executemany's rows: one at a time
    for row in rows:
        matched += connection.execute(statement, row).rowcount
    return matched


def sync_children(
    table: sa.Table,
    parent: str,
    key: str,
    stored: dict[int, list[dict]],
    wanted: dict[int, list[dict]],
) -> None:
    """Make each parent's child rows (`wanted`: parent id -> [{key: ..., field: ...}])
    those of the file, as app.core.models.sync_children and a delete-orphan cascade do:
    a stored row whose key stays is updated in place where its values differ, the rows
    of keys that go are deleted, the new keys inserted. `stored`: parent id -> its rows
    (with their `id`). Three statements per batch at most, whatever the number of rows."""
    deletes, updates, inserts = [], defaultdict(list), []
    for parent_id, rows in wanted.items():
        current = {row[key]: row for row in stored.get(parent_id, ())}
        keep = set()
        for values in rows:
            old = current.get(values[key])
            if old is None:
                inserts.append({parent: parent_id, **values})
                continue
            keep.add(values[key])
            changed = {k: v for k, v in values.items() if not same(old.get(k), v)}
            if changed:
                updates[tuple(sorted(changed))].append(
                    {"b_id": old["id"], **{f"b_{k}": v for k, v in changed.items()}}
                )
        deletes += [row["id"] for k, row in current.items() if k not in keep]
    for chunk in chunks(deletes):
        db.session.execute(sa.delete(table).where(table.c.id.in_(chunk)))
    for columns, rows in updates.items():
        statement = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values({name: sa.bindparam(f"b_{name}") for name in columns})
        )
        for chunk in chunks(rows, 1000):
            db.session.connection().execute(statement, chunk)
    if copies():
        insert_rows(table, inserts)  # grouped by their keys too
        return
    groups = defaultdict(list)
    for row in inserts:
        groups[frozenset(row)].append(row)
    for group in groups.values():
        for chunk in chunks(group, 1000):
            db.session.execute(sa.insert(table), chunk)


def load_children(table: sa.Table, parent: str, parent_ids, order_by) -> dict[int, list[dict]]:
    """parent id -> its child rows as dicts (one query per 900 parents)."""
    children = defaultdict(list)
    column = table.c[parent]
    for chunk in chunks(sorted(parent_ids)):
        query = sa.select(table).where(column.in_(chunk)).order_by(*order_by)
        for row in db.session.execute(query).mappings():
            children[row[parent]].append(dict(row))
    return children


def _apply_new(record: Plain, row, mapping: dict) -> None:
    """What Writer.apply_fields sets on a new record (whose fields all read None): the
    present columns' values, False for an empty boolean, nothing for an empty value."""
    values = record.values()
    present = row.present
    for key, name in mapping.items():
        if key in present:
            new = value_of(row, key)
            if new is None and name in BOOL_FIELDS:
                new = False
            if new is not None:
                values[name] = new


def bulk_upsert(
    w,
    sheet_key: str,
    model,
    mapping: dict,
    after,
    *,
    load=None,
    before_write=None,
    after_write=None,
) -> dict[str, int]:
    """Writer.upsert for a large sheet, in bulk: per batch of rows, the stored records are
    read as plain values (`load(existing)` adds what `after` needs, such as their child
    rows), each row applied and compared exactly as Writer.upsert does (same counts, same
    audit entries and diffs), then the batch is written: `before_write(touched)` sets
    what is derived after the diff, new records are inserted, changed ones updated,
    `after_write(touched)` writes their children. Returns code -> id."""
    counts = w.counts(sheet_key)
    table = model.__table__
    create_action, update_action = RECORD_ACTIONS[model]
    fields = [*mapping.values(), *DERIVED.get(table.name, ())]
    columns = [c.name for c in table.c if c.name not in ("id", "version", "updated_at")]
    source = f"Nhập từ tệp {w.report.filename}"
    ids: dict[str, int] = {}
    for batch in chunks(w.rows(sheet_key), w.batch_rows):
        existing = load_records(table, [row.values["ma"] for row in batch])
        if load is not None:
            load(existing)
        touched = []
        for row in batch:
            record = existing.get(row.values["ma"])
            created = record is None
            if created:
                record = Plain()
            if created:  # Writer.apply_fields on a new record: every present value not None
                _apply_new(record, row, mapping)
                before = {}
            else:
                before = {n: audit.plain(getattr(record, n)) for n in fields}
                w.apply_fields(record, row, mapping)
            changes = {}
            extra = after(record, row, created) or {}
            if not created:
                for name in fields:
                    now = audit.plain(getattr(record, name))
                    if not same(before[name], now):
                        changes[name] = [before[name], now]
            changes.update(extra)
            touched.append((record, created, changes))
        if before_write is not None:
            before_write(touched)
        new_ids = insert_records(table, [r.values() for r, created, _ in touched if created])
        updates = []
        for record, created, _ in touched:
            if created:
                record.id = new_ids[record.code]
            elif changed := record.changed_fields(columns):
                updates.append((record.id, record.version, changed))
        update_records(table, updates)
        if after_write is not None:
            after_write(touched)
        for record, created, changes in touched:
            ids[record.code] = record.id
            if created:
                counts.created += 1
                w.audit(create_action, table.name, record.id, f"{source}: tạo {record.code}")
            elif changes:
                counts.updated += 1
                w.audit(
                    update_action,
                    table.name,
                    record.id,
                    f"{source}: cập nhật {record.code}",
                    changes,
                )
            else:
                counts.unchanged += 1
        w.write_audit()
    return ids
