"""Writing the people-to-people diplomacy sheets (issue 13; docs/spec/interchange-people-
diplomacy.md): associations, their member counts and activities, training courses and
their trainees, budget lines and their spending, mobilisation contacts and proposals.

Keyed sheets are upserted by `ma` (budget lines by year and owner), values compared
before anything is set, so re-importing a file changes nothing; every change is audited
with the action names of the domains' own forms. These sheets are small (a province
records tens of rows a year), so records are written through the ORM, a batch at a time.
"""

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa

from app.aid.models import AidItem
from app.associations.models import (
    Association,
    AssociationActivity,
    AssociationActivityCountry,
    AssociationCountry,
    AssociationMemberCount,
)
from app.associations.states import AssociationAudit
from app.auth.models import Agency
from app.budget.models import BudgetLine, BudgetSpending
from app.budget.states import BudgetAudit
from app.core import audit
from app.core.models import sync_children, utcnow
from app.delegations.models import Delegation
from app.extensions import db
from app.mobilisation.models import (
    MobilisationContact,
    MobilisationProposal,
    MobilisationProposalCommune,
    search_text,
)
from app.mobilisation.services import vnd_of
from app.mobilisation.states import MobilisationAudit
from app.orgs.models import Organization
from app.training.models import TrainingAttendance, TrainingCourse, TrainingCourseTopic
from app.training.states import TrainingAudit
from app.transfer.fields_diplomacy import (
    ACTIVITY_FIELDS,
    ASSOCIATION_FIELDS,
    CONTACT_FIELDS,
    COURSE_FIELDS,
    LINE_FIELDS,
    PROPOSAL_FIELDS,
    REF_FIELDS,
    SPENDING_FIELDS,
)
from app.transfer.schema_diplomacy import AGENCIES
from app.transfer.upsert import Writer, chunks, same

# A reference column's target -> the model whose `code` it names.
TARGETS = {
    AGENCIES: Agency,
    "ToChuc": Organization,
    "VienTro": AidItem,
    "Doan": Delegation,
    "HoiHuuNghi": Association,
    "HoatDongHoi": AssociationActivity,
    "KhoaDaoTao": TrainingCourse,
    "TiepXucVanDong": MobilisationContact,
}


class Refs:
    """Codes -> ids of the records the sheets name, loaded once per code."""

    def __init__(self):
        self.ids: dict[str, dict[str, int]] = defaultdict(dict)

    def load(self, target: str, codes) -> None:
        known = self.ids[target]
        missing = sorted({c for c in codes if c} - known.keys())
        model = TARGETS[target]
        for chunk in chunks(missing):
            query = sa.select(model.code, model.id).where(model.code.in_(chunk))
            known.update(db.session.execute(query).all())

    def id(self, target: str, code: str | None) -> int | None:
        return None if code is None else self.ids[target][code]


def _refs(w: Writer) -> Refs:
    if not hasattr(w, "diplomacy_refs"):
        w.diplomacy_refs = Refs()
    return w.diplomacy_refs


def _load_refs(w: Writer, sheet_key: str) -> Refs:
    """Load every code the sheet's reference columns name."""
    refs = _refs(w)
    for key, (_, target) in REF_FIELDS[sheet_key].items():
        refs.load(target, (row.values.get(key) for row in w.rows(sheet_key)))
    return refs


def _set_refs(obj, row, sheet_key: str, refs: Refs) -> None:
    for key, (name, target) in REF_FIELDS[sheet_key].items():
        if key in row.present:
            new = refs.id(target, row.values.get(key))
            if getattr(obj, name) != new:
                setattr(obj, name, new)


def _whole(value):
    return None if value is None else int(value)


def _sync_list(obj, attribute: str, key: str, model, new: list, current: list, extra=None):
    """Replace a record's list of child values (countries, topics, communes) if it differs;
    {name: [old, new]} for the audit."""
    if list(current) == list(new):
        return {}
    rows = getattr(obj, attribute)
    setattr(obj, attribute, sync_children(rows, key, model, [{key: v} for v in new]))
    return {attribute.removesuffix("_rows") + "s": [list(current), list(new)]}


def _keyed(w: Writer, sheet_key, model, fields, actions, fill=None) -> None:
    """Create or update one record per row, matched by `ma` (the record's code), through
    Writer.upsert; `fill(obj, row, created)` sets what the plain columns do not."""
    refs = _load_refs(w, sheet_key)
    columns = model.__table__.c
    integers = [n for n in fields.values() if isinstance(columns[n].type, sa.Integer)]

    def make():
        obj = model()
        if hasattr(obj, "created_by_id"):
            obj.created_by_id = getattr(w.user, "id", None)
        return obj

    def after(obj, row, created):
        for name in integers:  # whole numbers are read as Decimal
            if isinstance(getattr(obj, name), Decimal):
                setattr(obj, name, int(getattr(obj, name)))
        _set_refs(obj, row, sheet_key, refs)
        return (fill(obj, row, created) or {}) if fill else {}

    ref_fields = [name for name, _ in REF_FIELDS[sheet_key].values()]
    ids = w.upsert(sheet_key, model, fields, make, after, actions=actions, extra_fields=ref_fields)
    refs.ids[sheet_key].update(ids)


def write_associations(w: Writer) -> None:
    def fill(association, row, created):
        if "nuoc_doi_tac" not in row.present:
            return {}
        new = row.values.get("nuoc_doi_tac") or []
        current = [] if created else association.countries
        return _sync_list(association, "country_rows", "country", AssociationCountry, new, current)

    actions = (AssociationAudit.CREATE, AssociationAudit.UPDATE)
    _keyed(w, "HoiHuuNghi", Association, ASSOCIATION_FIELDS, actions, fill)


def write_member_counts(w: Writer) -> None:
    """Each row sets an association's member count for a year; years the file does not
    list keep theirs."""
    refs = _load_refs(w, "HoiVienHoi")
    counts = w.counts("HoiVienHoi")
    wanted = {
        (refs.id("HoiHuuNghi", row.values["ma_hoi"]), int(row.values["nam"])): int(
            row.values["so_hoi_vien"]
        )
        for row in w.rows("HoiVienHoi")
    }
    source = f"Nhập từ tệp {w.report.filename}"
    for chunk in chunks(sorted({a for a, _ in wanted})):
        stored = {
            (r.association_id, r.year): r
            for r in db.session.scalars(
                sa.select(AssociationMemberCount).where(
                    AssociationMemberCount.association_id.in_(chunk)
                )
            )
        }
        for (association_id, year), count in wanted.items():
            if association_id not in chunk:
                continue
            row = stored.get((association_id, year))
            if row is not None and row.count == count:
                counts.unchanged += 1
                continue
            old = None if row is None else row.count
            if row is None:
                counts.created += 1
                db.session.add(
                    AssociationMemberCount(association_id=association_id, year=year, count=count)
                )
            else:
                counts.updated += 1
                row.count = count
            w.audit(
                AssociationAudit.MEMBER_COUNT,
                "association",
                association_id,
                f"{source}: số hội viên năm {year}",
                {f"member_count_{year}": [old, count]},
            )
        db.session.flush()
        w.write_audit()


def write_activities(w: Writer) -> None:
    def fill(activity, row, created):
        if "quoc_gia" not in row.present:
            return {}
        new = row.values.get("quoc_gia") or []
        current = [] if created else activity.countries
        return _sync_list(
            activity, "country_rows", "country", AssociationActivityCountry, new, current
        )

    actions = (AssociationAudit.ACTIVITY_ADD, AssociationAudit.ACTIVITY_UPDATE)
    _keyed(w, "HoatDongHoi", AssociationActivity, ACTIVITY_FIELDS, actions, fill)


def write_courses(w: Writer) -> None:
    def fill(course, row, created):
        if "chu_de" not in row.present:
            return {}
        new = row.values.get("chu_de") or []
        current = [] if created else course.topics
        return _sync_list(course, "topic_rows", "topic", TrainingCourseTopic, new, current)

    actions = (TrainingAudit.CREATE, TrainingAudit.UPDATE)
    _keyed(w, "KhoaDaoTao", TrainingCourse, COURSE_FIELDS, actions, fill)


def write_attendance(w: Writer) -> None:
    """A course's rows in the file replace its trainees: agencies it lists are set,
    agencies it does not list are archived (one live row per course and agency; a removed
    agency comes back as a new row, the old one stays as history)."""
    refs = _load_refs(w, "HocVien")
    counts = w.counts("HocVien")
    wanted = defaultdict(dict)  # course id -> agency id -> (count, names)
    for row in w.rows("HocVien"):
        course_id = refs.id("KhoaDaoTao", row.values["ma_khoa"])
        agency_id = refs.id(AGENCIES, row.values["co_quan"])
        wanted[course_id][agency_id] = (int(row.values["so_hoc_vien"]), row.values.get("ho_ten"))
    source = f"Nhập từ tệp {w.report.filename}"
    now = utcnow()
    for chunk in chunks(sorted(wanted)):
        live = defaultdict(dict)
        for r in db.session.scalars(
            sa.select(TrainingAttendance).where(
                TrainingAttendance.course_id.in_(chunk), TrainingAttendance.archived_at.is_(None)
            )
        ):
            live[r.course_id][r.agency_id] = r
        for course_id in chunk:
            for agency_id, row in live[course_id].items():
                if agency_id not in wanted[course_id]:
                    row.archived_at = now
                    row.archive_reason = f"Thay thế khi nhập tệp {w.report.filename}"
                    counts.replaced += 1
                    w.audit(
                        TrainingAudit.ATTENDANCE_ARCHIVE,
                        "training_course",
                        course_id,
                        f"{source}: học viên cũ được thay thế (lưu trữ)",
                    )
            db.session.flush()  # archived before any new live row of the same agency
            for agency_id, (count, names) in wanted[course_id].items():
                row = live[course_id].get(agency_id)
                if row is None:
                    db.session.add(
                        TrainingAttendance(
                            course_id=course_id,
                            agency_id=agency_id,
                            trainee_count=count,
                            names=names,
                        )
                    )
                    counts.created += 1
                    changes = {"trainee_count": [None, count]}
                    action = TrainingAudit.ATTENDANCE_ADD
                elif row.trainee_count == count and same(row.names, names):
                    counts.unchanged += 1
                    continue
                else:
                    changes = {
                        "trainee_count": [row.trainee_count, count],
                        "names": [row.names, names],
                    }
                    row.trainee_count, row.names = count, names
                    counts.updated += 1
                    action = TrainingAudit.ATTENDANCE_UPDATE
                w.audit(action, "training_course", course_id, f"{source}: học viên", changes)
        db.session.flush()
        w.write_audit()


def line_key(refs: Refs, row) -> tuple[int, int | None, int | None]:
    """A budget line's key in a row: (year, agency id, association id)."""
    return (
        int(row.values["nam"]),
        refs.id(AGENCIES, row.values.get("co_quan")),
        refs.id("HoiHuuNghi", row.values.get("ma_hoi")),
    )


def _live_lines(keys) -> dict[tuple, BudgetLine]:
    years = sorted({year for year, _, _ in keys})
    lines = db.session.scalars(
        sa.select(BudgetLine).where(BudgetLine.year.in_(years), BudgetLine.archived_at.is_(None))
    )
    return {(line.year, line.agency_id, line.association_id): line for line in lines}


def write_budget_lines(w: Writer) -> None:
    """Budget lines are matched by year and owner (one live line per owner and year)."""
    refs = _load_refs(w, "NganSach")
    counts = w.counts("NganSach")
    rows = {line_key(refs, row): row for row in w.rows("NganSach")}
    lines = _live_lines(rows)
    source = f"Nhập từ tệp {w.report.filename}"
    fields = list(LINE_FIELDS.values())
    touched = []
    for key, row in rows.items():
        line = lines.get(key)
        created = line is None
        if created:
            line = BudgetLine(year=key[0], agency_id=key[1], association_id=key[2])
            line.created_by_id = getattr(w.user, "id", None)
            db.session.add(line)
        before = {} if created else {n: audit.plain(getattr(line, n)) for n in fields}
        w.apply_fields(line, row, LINE_FIELDS)
        for name in ("proposed_vnd", "allocated_vnd"):
            setattr(line, name, _whole(getattr(line, name)))
        changes = {} if created else {
            n: [before[n], audit.plain(getattr(line, n))]
            for n in fields
            if not same(before[n], audit.plain(getattr(line, n)))
        }  # fmt: skip
        touched.append((line, created, changes))
    db.session.flush()
    for line, created, changes in touched:
        if created:
            counts.created += 1
            w.audit(BudgetAudit.CREATE, "budget_line", line.id, f"{source}: tạo {line.code}")
        elif changes:
            counts.updated += 1
            summary = f"{source}: cập nhật {line.code}"
            w.audit(BudgetAudit.UPDATE, "budget_line", line.id, summary, changes)
        else:
            counts.unchanged += 1
    w.write_audit()


def write_spending(w: Writer) -> None:
    """A line's rows in the file replace its spending entries (archived, not deleted)
    unless they are the same rows."""
    from app.transfer.children import replace_children

    refs = _load_refs(w, "ChiNganSach")
    grouped = defaultdict(list)
    for row in w.rows("ChiNganSach"):
        grouped[line_key(refs, row)].append(row)
    lines = _live_lines(grouped)
    wanted = {lines[key].id: rows for key, rows in grouped.items()}
    recorded_by_id = getattr(w.user, "id", None)

    def values(row) -> dict:
        values = {name: row.values.get(key) for key, name in SPENDING_FIELDS.items()}
        values["amount_vnd"] = _whole(values["amount_vnd"])
        values["over_allocation"] = bool(values["over_allocation"])
        for key, (name, target) in REF_FIELDS["ChiNganSach"].items():
            if name != "line_id":
                values[name] = refs.id(target, row.values.get(key))
        values["recorded_by_id"] = recorded_by_id
        return values

    links = dict.fromkeys(n for n, _ in REF_FIELDS["ChiNganSach"].values())
    fields = (*SPENDING_FIELDS.values(), *links)
    noun = "khoản chi"
    replace_children(w, "ChiNganSach", BudgetSpending, "line_id", wanted, values, fields, noun)


def write_contacts(w: Writer) -> None:
    def fill(contact, row, created):
        contact.search_text = search_text(contact.topic, contact.participants, contact.notes)

    actions = (MobilisationAudit.CONTACT_CREATE, MobilisationAudit.CONTACT_UPDATE)
    _keyed(w, "TiepXucVanDong", MobilisationContact, CONTACT_FIELDS, actions, fill)


def write_proposals(w: Writer) -> None:
    def fill(proposal, row, created):
        changes = {}
        if proposal.currency == "VND":
            proposal.rate_vnd = None
        proposal.search_text = search_text(proposal.code, proposal.title, proposal.notes)
        currency, rate = proposal.currency, proposal.rate_vnd
        for value, vnd in (("requested_value", "requested_vnd"), ("pledged_value", "pledged_vnd")):
            new = vnd_of(getattr(proposal, value), currency, rate)
            if not same(getattr(proposal, vnd), new):
                changes[vnd] = [getattr(proposal, vnd), new]
                setattr(proposal, vnd, new)
        if "dia_ban" in row.present:
            new = row.values.get("dia_ban") or []
            current = [] if created else proposal.commune_codes
            model = MobilisationProposalCommune
            communes = _sync_list(proposal, "commune_rows", "commune_code", model, new, current)
            changes.update(communes)
        return changes

    actions = (MobilisationAudit.PROPOSAL_CREATE, MobilisationAudit.PROPOSAL_UPDATE)
    _keyed(w, "DeXuatVanDong", MobilisationProposal, PROPOSAL_FIELDS, actions, fill)


# (progress text, step) of the diplomacy sheets, in the order their references need.
DIPLOMACY_STEPS = (
    ("Đang ghi hội hữu nghị (HoiHuuNghi)", write_associations),
    ("Đang ghi số hội viên (HoiVienHoi)", write_member_counts),
    ("Đang ghi hoạt động của hội (HoatDongHoi)", write_activities),
    ("Đang ghi khóa đào tạo (KhoaDaoTao)", write_courses),
    ("Đang ghi học viên (HocVien)", write_attendance),
    ("Đang ghi ngân sách (NganSach)", write_budget_lines),
    ("Đang ghi khoản chi (ChiNganSach)", write_spending),
    ("Đang ghi tiếp xúc vận động (TiepXucVanDong)", write_contacts),
    ("Đang ghi đề xuất vận động (DeXuatVanDong)", write_proposals),
)
