"""The people-to-people diplomacy sheets of the registry workbook (issue 13): one query
per table (and one per list of child values), rows in a stable order, archived records
left out, so export → import → export gives the same content."""

from collections import defaultdict

import sqlalchemy as sa

from app.aid.models import AidItem
from app.associations.models import (
    Association,
    AssociationActivity,
    AssociationActivityCountry,
    AssociationCountry,
    AssociationMemberCount,
)
from app.auth.models import Agency
from app.budget.models import BudgetLine, BudgetSpending
from app.delegations.models import Delegation
from app.extensions import db
from app.mobilisation.models import (
    MobilisationContact,
    MobilisationProposal,
    MobilisationProposalCommune,
)
from app.orgs.models import Organization
from app.training.models import TrainingAttendance, TrainingCourse, TrainingCourseTopic
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


def _codes(model) -> dict[int, str]:
    return dict(db.session.execute(sa.select(model.id, model.code)).all())


def _lists(column_parent, column_value) -> dict[int, list]:
    values = defaultdict(list)
    query = sa.select(column_parent, column_value).order_by(column_parent, column_value)
    for parent_id, value in db.session.execute(query):
        values[parent_id].append(str(value))
    return values


class _Codes:
    """Record ids -> codes of the tables the sheets refer to, read once per export."""

    def __init__(self):
        self._maps: dict[str, dict[int, str]] = {}
        self._models = {
            "CoQuan": Agency,
            "ToChuc": Organization,
            "VienTro": AidItem,
            "Doan": Delegation,
            "HoiHuuNghi": Association,
            "HoatDongHoi": AssociationActivity,
            "KhoaDaoTao": TrainingCourse,
            "TiepXucVanDong": MobilisationContact,
        }

    def __call__(self, target: str, record_id: int | None) -> str | None:
        if record_id is None:
            return None
        if target not in self._maps:
            self._maps[target] = _codes(self._models[target])
        return self._maps[target].get(record_id)


def _row(obj, sheet_key: str, fields: dict[str, str], codes: _Codes) -> dict:
    row = {key: getattr(obj, name) for key, name in fields.items()}
    for key, (name, target) in REF_FIELDS[sheet_key].items():
        if name != "line_id":
            row[key] = codes(target, getattr(obj, name))
    return row


def _live(model):
    return sa.select(model).where(model.archived_at.is_(None))


def associations(codes: _Codes):
    countries = _lists(AssociationCountry.association_id, AssociationCountry.country)
    for obj in db.session.scalars(_live(Association).order_by(Association.code)):
        row = _row(obj, "HoiHuuNghi", ASSOCIATION_FIELDS, codes)
        row["nuoc_doi_tac"] = "; ".join(countries[obj.id]) or None
        yield row


def member_counts(codes: _Codes):
    query = (
        sa.select(AssociationMemberCount)
        .join(Association, AssociationMemberCount.association_id == Association.id)
        .where(Association.archived_at.is_(None))
        .order_by(Association.code, AssociationMemberCount.year)
    )
    for obj in db.session.scalars(query):
        yield {
            "ma_hoi": codes("HoiHuuNghi", obj.association_id),
            "nam": obj.year,
            "so_hoi_vien": obj.count,
        }


def activities(codes: _Codes):
    countries = _lists(AssociationActivityCountry.activity_id, AssociationActivityCountry.country)
    query = _live(AssociationActivity).order_by(AssociationActivity.code)
    for obj in db.session.scalars(query):
        row = _row(obj, "HoatDongHoi", ACTIVITY_FIELDS, codes)
        row["quoc_gia"] = "; ".join(countries[obj.id]) or None
        yield row


def courses(codes: _Codes):
    topics = _lists(TrainingCourseTopic.course_id, TrainingCourseTopic.topic)
    for obj in db.session.scalars(_live(TrainingCourse).order_by(TrainingCourse.code)):
        row = _row(obj, "KhoaDaoTao", COURSE_FIELDS, codes)
        row["chu_de"] = "; ".join(topics[obj.id]) or None
        yield row


def attendance(codes: _Codes):
    query = (
        sa.select(TrainingAttendance)
        .join(TrainingCourse, TrainingAttendance.course_id == TrainingCourse.id)
        .where(TrainingAttendance.archived_at.is_(None), TrainingCourse.archived_at.is_(None))
        .order_by(TrainingCourse.code, TrainingAttendance.id)
    )
    for obj in db.session.scalars(query):
        yield {
            "ma_khoa": codes("KhoaDaoTao", obj.course_id),
            "co_quan": codes("CoQuan", obj.agency_id),
            "so_hoc_vien": obj.trainee_count,
            "ho_ten": obj.names,
        }


def _line_owner(line: BudgetLine, codes: _Codes) -> dict:
    return {
        "nam": line.year,
        "co_quan": codes("CoQuan", line.agency_id),
        "ma_hoi": codes("HoiHuuNghi", line.association_id),
    }


def budget_lines(codes: _Codes):
    query = _live(BudgetLine).order_by(BudgetLine.year, BudgetLine.id)
    for line in db.session.scalars(query):
        yield {**_line_owner(line, codes), **_row(line, "NganSach", LINE_FIELDS, codes)}


def spending(codes: _Codes):
    query = (
        sa.select(BudgetSpending, BudgetLine)
        .join(BudgetLine, BudgetSpending.line_id == BudgetLine.id)
        .where(BudgetSpending.archived_at.is_(None), BudgetLine.archived_at.is_(None))
        .order_by(BudgetLine.year, BudgetLine.id, BudgetSpending.spent_on, BudgetSpending.id)
    )
    for entry, line in db.session.execute(query):
        row = _row(entry, "ChiNganSach", SPENDING_FIELDS, codes)
        yield {**row, **_line_owner(line, codes)}


def contacts(codes: _Codes):
    query = _live(MobilisationContact).order_by(MobilisationContact.code)
    for obj in db.session.scalars(query):
        yield _row(obj, "TiepXucVanDong", CONTACT_FIELDS, codes)


def proposals(codes: _Codes):
    link = MobilisationProposalCommune
    communes = _lists(link.proposal_id, link.commune_code)
    query = _live(MobilisationProposal).order_by(MobilisationProposal.code)
    for obj in db.session.scalars(query):
        row = _row(obj, "DeXuatVanDong", PROPOSAL_FIELDS, codes)
        row["dia_ban"] = "; ".join(communes[obj.id]) or None
        yield row


def diplomacy_sheets():
    """(sheet key, rows factory, columns to skip) of each diplomacy sheet, in order."""
    codes = _Codes()
    return tuple(
        (key, (lambda rows=rows: rows(codes)), ())
        for key, rows in (
            ("HoiHuuNghi", associations),
            ("HoiVienHoi", member_counts),
            ("HoatDongHoi", activities),
            ("KhoaDaoTao", courses),
            ("HocVien", attendance),
            ("NganSach", budget_lines),
            ("ChiNganSach", spending),
            ("TiepXucVanDong", contacts),
            ("DeXuatVanDong", proposals),
        )
    )
