"""Audit entries in Vietnamese, for people: the record pages' history and the audit log.

`describe(entries, personal=...)` turns a page of AuditEntry rows into `Row`s: the action's
label (app.core.audit_labels), what it concerns, and each changed field as (label, old,
new) with values formatted by type: dates dd/mm/yyyy, money with app.core.money, coded
values by their labels, ids by names, yes/no as Có/Không. The names behind ids are read
with one query per referenced table for the whole page, never per entry.

Each audited table has a `Source` (registered by its domain's history module): its model,
whose columns say the type of each field, the forms whose labels name the fields, and the
fields the column types cannot tell (lists of ids, codes in text). Field labels come from
the forms, so a label is written once. Members' personal data (dates of birth, passports)
is masked unless the reader may see it (`personal`), and the caller learns whether any
was shown (to audit the view).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from wtforms.fields.core import UnboundField

from app.core.audit_labels import action_label, object_label
from app.core.countries import country_name
from app.core.dates import format_date, format_datetime
from app.core.money import format_number, format_vnd
from app.extensions import db

HIDDEN = "(đã thay đổi)"  # a personal value the log never kept (stored as ***)
MASKED = {"date": "••/••/••••", "text": "••••••"}
EMPTY = "—"
YES, NO = "Có", "Không"
STOP_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})?\s*(\d{5})?\s*(.*)$")


@dataclass
class Source:
    """How to read the changes of one audited table."""

    model: type | None
    forms: tuple = ()  # FlaskForm classes whose labels name the fields, first wins
    aliases: dict = field(default_factory=dict)  # key -> (form class, its field name)
    labels: dict = field(default_factory=dict)  # key -> label no form has
    kinds: dict = field(default_factory=dict)  # key -> kind the columns cannot tell
    personal: tuple = ()  # keys masked for readers who may not see personal data


# object_type -> Source, filled by the domains' history modules (imported on first use).
SOURCES: dict[str, Source] = {}
# Referenced table -> (model, key column, name expression) for ids shown as names.
NAMES: dict[str, tuple] = {}
# Modules that register their sources; a domain adds its own module here.
SOURCE_MODULES = ["app.core.history_sources"]


def _load_sources() -> None:
    if not SOURCES:
        import importlib

        for name in SOURCE_MODULES:
            importlib.import_module(name)


@dataclass
class Change:
    label: str
    old: str
    new: str
    key: str = ""  # the field's code, for a domain that rewrites a row (never shown)


@dataclass
class Row:
    entry: object
    at: datetime
    who: str
    action: str
    what: str
    summary: str
    changes: list[Change]

    @property
    def changes_text(self) -> str:
        return "; ".join(f"{c.label}: {c.old} → {c.new}" for c in self.changes)


@dataclass
class Page:
    """The described rows and whether any unmasked personal data is among them."""

    rows: list[Row]
    personal_shown: bool = False


# --- Labels and kinds ----------------------------------------------------------------------


def _form_label(form, name: str) -> str | None:
    unbound = getattr(form, name, None)
    if not isinstance(unbound, UnboundField):
        return None
    label = unbound.kwargs.get("label", unbound.args[0] if unbound.args else None)
    return label if isinstance(label, str) else None


def field_label(object_type: str | None, key: str) -> str:
    _load_sources()
    source = SOURCES.get(object_type or "")
    sources = ([source] if source else []) + list(SOURCES.values())
    for each in sources:
        if key in each.labels:
            return each.labels[key]
        if key in each.aliases:
            form, name = each.aliases[key]
            if found := _form_label(form, name):
                return found
        for form in each.forms:
            if found := _form_label(form, key):
                return found
    return key


def column_kind(model, key: str):
    column = model.__table__.columns.get(key) if model is not None else None
    if column is None:
        return "text"
    if column.foreign_keys:
        return ("ref", next(iter(column.foreign_keys)).column.table.name)
    kind = column.type
    enum_class = getattr(kind, "enum_class", None)
    if enum_class is not None and isinstance(getattr(enum_class, "label", None), property):
        # Labelled enums and the others with a label (Role, AgencyKind, Duty).
        return ("labels", {str(m.value): m.label for m in enum_class})
    if isinstance(kind, sa.Boolean):
        return "bool"
    if isinstance(kind, sa.DateTime):
        return "datetime"
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Numeric):
        return "number"
    if isinstance(kind, sa.Integer) and key.endswith("_vnd"):
        return "vnd"
    if key in ("country", "nationality"):
        return "country"
    return "text"


def value_kind(object_type: str | None, key: str):
    _load_sources()
    source = SOURCES.get(object_type or "")
    if source is None:
        return "text"
    if key in source.kinds:
        return source.kinds[key]
    return column_kind(source.model, key)


# --- Values ---------------------------------------------------------------------------------


def _as_date(value):
    if isinstance(value, (date, datetime)):
        return value
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _refs(kind, value) -> list[tuple[str, object]]:
    """(table, key) pairs a value refers to, for the page's name lookups."""
    if value in (None, "", []):
        return []
    name = kind[0] if isinstance(kind, tuple) else kind
    if name == "ref":
        return [(kind[1], value)]
    if name == "refs" and isinstance(value, list):
        return [(kind[1], v) for v in value]
    if name == "stops" and isinstance(value, list):
        return [("commune", m.group(2)) for v in value if (m := STOP_RE.match(str(v)))]
    return []


class Formatter:
    """Formats the values of a page of entries, names looked up once per table."""

    def __init__(self, personal: bool):
        self.personal = personal
        self.personal_shown = False
        self.names: dict[str, dict] = {}

    def load_names(self, wanted: dict[str, set]) -> None:
        for table, keys in wanted.items():
            if table not in NAMES or not keys:
                continue
            _model, key_column, name = NAMES[table]
            python_type = key_column.type.python_type
            typed = set()
            for key in keys:
                try:
                    typed.add(python_type(key))
                except (TypeError, ValueError):
                    continue
            if typed:
                rows = db.session.execute(sa.select(key_column, name).where(key_column.in_(typed)))
                self.names[table] = {str(k): n for k, n in rows}

    def name_of(self, table: str, key) -> str:
        return self.names.get(table, {}).get(str(key)) or f"#{key}"

    def personal_value(self, kind, value) -> str:
        if value == "***":
            return HIDDEN
        if value in (None, ""):
            return EMPTY
        if not self.personal:
            return MASKED["date" if kind == "date" else "text"]
        self.personal_shown = True
        return self.value(kind, value)

    def value(self, kind, value) -> str:
        if value is None or value == "" or value == []:
            return EMPTY
        name = kind[0] if isinstance(kind, tuple) else kind
        if name == "ref":
            return self.name_of(kind[1], value)
        if name == "refs" and isinstance(value, list):
            return "; ".join(self.name_of(kind[1], v) for v in value)
        if name == "labels":
            labels = kind[1]
            if isinstance(value, list):
                return "; ".join(labels.get(str(v), str(v)) for v in value)
            return labels.get(str(value), str(value))
        if name == "bool" or isinstance(value, bool):
            return YES if value in (True, "True", "true", 1) else NO
        if name in ("date", "datetime"):
            moment = _as_date(value)
            if isinstance(moment, datetime):
                return format_datetime(moment) if name == "datetime" else format_date(moment.date())
            return format_date(moment) if moment else str(value)
        if name == "vnd":
            return format_vnd(value)
        if name == "number":
            return _number(value)
        if name == "percent":
            return f"{_number(value, 1)}%"
        if name == "country":
            return country_name(str(value)) or str(value)
        if name == "countries" and isinstance(value, list):
            return "; ".join(country_name(str(v)) or str(v) for v in value)
        if name == "sectors" and isinstance(value, list):
            return "; ".join(self._sector(kind[1], str(v)) for v in value)
        if name == "stops" and isinstance(value, list):
            return "; ".join(self._stop(str(v)) for v in value) or EMPTY
        if name == "files_by_label" and isinstance(value, dict):
            # {document key: [file ids]}: "Công văn đề nghị (2 tệp)".
            return "; ".join(
                f"{kind[1].get(k, k)} ({len(v) if isinstance(v, list) else v} tệp)"
                for k, v in value.items()
            )
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)
        return str(value)

    def _sector(self, labels: dict, text: str) -> str:
        key, _colon, share = text.partition(":")
        label = labels.get(key, key)
        return f"{label} ({_number(share)}%)" if share and share != "None" else label

    def _stop(self, text: str) -> str:
        match = STOP_RE.match(text)
        day, commune, rest = match.groups() if match else (None, None, text)
        parts = [
            format_date(date.fromisoformat(day)) if day else "",
            self.name_of("commune", commune) if commune else "",
            rest.strip(),
        ]
        return ", ".join(p for p in parts if p)


def _number(value, places: int | None = None) -> str:
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if places is None:
        places = 0 if number == number.to_integral_value() else 2
    return format_number(number, places)


# --- A record's entries ----------------------------------------------------------------------


def record_keys(*parts: sa.Select) -> dict[str, list[str]]:
    """{object type: [ids as the log keeps them]} of a record and its parts, read in one
    query: `parts` select (object type, id) each, e.g. a part table's rows of the record."""
    found: dict[str, list[str]] = {}
    for object_type, key in db.session.execute(sa.union_all(*parts)):
        found.setdefault(object_type, []).append(str(key))
    return found


def keyed(model, *conditions) -> sa.Select:
    """(object type, id) of the model's rows matching the conditions, for record_keys."""
    object_type = sa.cast(sa.literal(model.__tablename__), sa.String(60))
    return sa.select(object_type.label("t"), model.id.label("k")).where(*conditions)


def entries_of(keys: dict[str, list[str]], *conditions) -> sa.Select:
    """The audit entries of these objects (literal id lists: each arm uses the object_id
    index), newest first."""
    from app.core.models import AuditEntry

    concerns = [
        sa.and_(AuditEntry.object_type == object_type, AuditEntry.object_id.in_(ids))
        for object_type, ids in keys.items()
        if ids
    ]
    return (
        sa.select(AuditEntry)
        .where(sa.or_(*concerns) if concerns else sa.false(), *conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )


# --- Entries ---------------------------------------------------------------------------------


def _kind_for(entry, key: str, kinds_for: Callable | None):
    if kinds_for is not None and (found := kinds_for(entry, key)) is not None:
        return found
    return value_kind(entry.object_type, key)


def _personal(entry, key: str, personal_for: Callable | None) -> bool:
    _load_sources()
    source = SOURCES.get(entry.object_type or "")
    if personal_for is not None:
        return personal_for(entry, key)
    return bool(source and key in source.personal)


def describe(
    entries,
    *,
    personal: bool,
    kinds_for: Callable | None = None,
    personal_for: Callable | None = None,
    labels_for: Callable | None = None,
) -> Page:
    """The entries as rows for people. `personal`: whether the reader may see members'
    personal data; the hooks let a domain say the kind, personal nature or label of a key
    in a given entry (e.g. a member's fields in the delegation's entries)."""
    _load_sources()
    entries = list(entries)
    formatter = Formatter(personal)
    wanted: dict[str, set] = {}
    for entry in entries:
        if entry.object_type in NAMES and entry.object_id:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
        for key, pair in (entry.changes or {}).items():
            kind = _kind_for(entry, key, kinds_for)
            for value in pair if isinstance(pair, list) else [pair]:
                for table, ref in _refs(kind, value):
                    if ref is not None:
                        wanted.setdefault(table, set()).add(ref)
    formatter.load_names(wanted)
    rows = []
    for entry in entries:
        changes = []
        for key, pair in (entry.changes or {}).items():
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            kind = _kind_for(entry, key, kinds_for)
            label = (labels_for and labels_for(entry, key)) or field_label(entry.object_type, key)
            if _personal(entry, key, personal_for):
                shown = formatter.personal_value(kind, old), formatter.personal_value(kind, new)
            else:
                shown = formatter.value(kind, old), formatter.value(kind, new)
            changes.append(Change(label, *shown, key=key))
        user = entry.user
        rows.append(
            Row(
                entry=entry,
                at=entry.at,
                who=(user.full_name if user else None) or entry.username or EMPTY,
                action=action_label(entry.action),
                what=_what(entry, formatter),
                summary=_summary(entry),
                changes=changes,
            )
        )
    return Page(rows, formatter.personal_shown)


# "Đính kèm tệp X vào aid_report #3" (app.core.attachments): the owner's table by its name.
OWNER_RE = re.compile(r"( vào )([a-z_]+)( #\d+)")


def _summary(entry) -> str:
    summary = entry.summary or ""
    if entry.object_type == "attachment":
        summary = OWNER_RE.sub(lambda m: m[1] + object_label(m[2]) + m[3], summary)
    return summary


def _what(entry, formatter: Formatter) -> str:
    """What the entry concerns: "Thành viên đoàn: Lee Ji-eun" (by name where the table has
    one), else "Giải ngân #12"."""
    if not entry.object_type:
        return ""
    label = object_label(entry.object_type)
    if not entry.object_id:
        return label
    name = formatter.names.get(entry.object_type, {}).get(str(entry.object_id))
    return f"{label}: {name}" if name else f"{label} #{entry.object_id}"
