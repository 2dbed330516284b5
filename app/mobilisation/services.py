"""Use cases of aid mobilisation: contacts with donors, proposals sent to them, their
outcome and the aid item that resulted. Services flush; the view commits once.

Donors and aid items are named by their codes (what the forms and a workbook carry); an
unknown code is a FieldError next to its field (422, nothing written).
"""

import re
from datetime import date
from decimal import Decimal

from app.aid.models import AidItem, Sector
from app.core import audit, validation
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.errors import DomainError, FieldError
from app.core.models import Commune, sync_children, utcnow
from app.core.money import to_vnd
from app.extensions import db
from app.mobilisation import states
from app.mobilisation.models import (
    MobilisationContact,
    MobilisationProposal,
    MobilisationProposalCommune,
    search_text,
)
from app.mobilisation.states import ContactKind, MobilisationAudit, ProposalOutcome
from app.orgs.models import Organization

CONTACT_FIELDS = ("occurred_on", "kind", "organization_id", "participants", "topic", "notes")
PROPOSAL_FIELDS = (
    "code",
    "title",
    "organization_id",
    "contact_id",
    "sent_on",
    "sector",
    "requested_value",
    "currency",
    "rate_vnd",
    "requested_vnd",
    "notes",
)
OUTCOME_FIELDS = ("outcome", "outcome_on", "pledged_value", "pledged_vnd", "aid_item_id")
# What the forms send (donors and items by code; the services look them up).
CONTACT_FORM_FIELDS = ("occurred_on", "kind", "donor_code", "participants", "topic", "notes")
PROPOSAL_FORM_FIELDS = (
    "code",
    "title",
    "donor_code",
    "contact_id",
    "sent_on",
    "sector",
    "communes",
    "requested_value",
    "currency",
    "rate_vnd",
    "notes",
)
OUTCOME_FORM_FIELDS = ("outcome", "outcome_on", "pledged_value", "aid_item_code")
CODE_RE = re.compile(r"[A-Z0-9._/-]+")


def _require_manager(user) -> None:
    rules.manage_mobilisation.require(user)


def _text(data: dict, name: str) -> str | None:
    value = data.get(name)
    if isinstance(value, str):
        value = value.strip()
    return value or None


def _code(value) -> str:
    return (value or "").strip().upper()


def _donor(code: str | None, errors: dict, allow_archived_id: int | None = None):
    """The organisation of `code` (the donor), or None with the reason in `errors`. An
    archived organisation may stay the donor of a record that already names it."""
    if not code:
        errors.setdefault("donor_code", "Vui lòng nhập mã nhà tài trợ.")
        return None
    org = db.session.scalar(db.select(Organization).where(Organization.code == _code(code)))
    if org is None:
        errors.setdefault("donor_code", f"Không có nhà tài trợ mã '{_code(code)}'.")
        return None
    if org.is_archived and org.id != allow_archived_id:
        errors.setdefault("donor_code", f"Nhà tài trợ {org.code} đã được lưu trữ.")
        return None
    return org


def _check(errors: dict, *checks) -> None:
    """Every broken rule reported at once (422): the lookups' errors, then the checks'."""
    for name, message in validation.collect(*checks).items():
        errors.setdefault(name, message)
    validation.raise_all(errors)


def _coded(value, enum_class, field: str, message: str):
    def check():
        if value not in enum_class.labels():
            raise FieldError(field, message)

    return check


def _required(value, field: str, message: str) -> None:
    if value is None or value == "":
        raise FieldError(field, message)


def _saved(record, action: str, *, user, summary: str, changes: dict | None = None):
    db.session.add(record)
    db.session.flush()
    audit.record(action, record, user=user, summary=summary, changes=changes)
    return record


def _not_archived(record, what: str) -> None:
    if record.is_archived:
        raise DomainError(f"{what} đã được lưu trữ; không sửa được.")


# --- Contacts ----------------------------------------------------------------------------


def _contact_values(data: dict, current: MobilisationContact | None) -> dict:
    errors: dict[str, str] = {}
    keep = current.organization_id if current else None
    org = _donor(_text(data, "donor_code"), errors, allow_archived_id=keep)
    values = {
        "occurred_on": data.get("occurred_on"),
        "kind": _text(data, "kind"),
        "organization_id": org.id if org else None,
        "participants": _text(data, "participants"),
        "topic": _text(data, "topic"),
        "notes": _text(data, "notes"),
    }
    _check(
        errors,
        (_required, values["occurred_on"], "occurred_on", "Vui lòng nhập ngày tiếp xúc."),
        (validation.not_future, values["occurred_on"], "occurred_on", "Ngày tiếp xúc"),
        (_coded(values["kind"], ContactKind, "kind", "Vui lòng chọn hình thức tiếp xúc."),),
        (_required, values["participants"], "participants", "Vui lòng nhập người tham gia."),
        (_required, values["topic"], "topic", "Vui lòng nhập nội dung trao đổi."),
    )
    values["kind"] = ContactKind(values["kind"])
    values["search_text"] = search_text(values["topic"], values["participants"], values["notes"])
    return values


def _contact_label(contact: MobilisationContact) -> str:
    return f"tiếp xúc ngày {contact.occurred_on:%d/%m/%Y} với {contact.organization.code}"


def create_contact(data: dict, *, user) -> MobilisationContact:
    """A contact with a donor (`data`: occurred_on, kind, donor_code, participants, topic,
    notes), recorded by the user's agency."""
    _require_manager(user)
    values = _contact_values(data, None)
    contact = MobilisationContact(**values, agency_id=user.agency_id, created_by_id=user.id)
    db.session.add(contact)
    db.session.flush()
    changes = audit.diff({}, audit.snapshot(contact, CONTACT_FIELDS))
    summary = f"Ghi nhận {_contact_label(contact)}"
    return _saved(contact, MobilisationAudit.CONTACT_CREATE, user=user, summary=summary,
                  changes=changes)  # fmt: skip


def update_contact(
    contact: MobilisationContact, data: dict, *, user, version: int | None = None
) -> MobilisationContact:
    _require_manager(user)
    check_version(contact, version)
    _not_archived(contact, "Tiếp xúc này")
    values = _contact_values(data, contact)
    before = audit.snapshot(contact, CONTACT_FIELDS)
    for name, value in values.items():
        setattr(contact, name, value)
    changes = audit.diff(before, audit.snapshot(contact, CONTACT_FIELDS))
    if changes:
        db.session.flush()
        audit.record(MobilisationAudit.CONTACT_UPDATE, contact, user=user,
                     summary=f"Sửa {_contact_label(contact)}", changes=changes)  # fmt: skip
    return contact


def archive_contact(
    contact: MobilisationContact, reason: str, *, user, version: int | None = None
) -> MobilisationContact:
    """Archive (never delete) with a reason; a stale page (its version given) is refused."""
    return _archive(contact, reason, MobilisationAudit.CONTACT_ARCHIVE,
                    _contact_label(contact), user=user, version=version)  # fmt: skip


def _archive(record, reason, action, label, *, user, version):
    _require_manager(user)
    if version is not None:
        check_version(record, version)
    reason = (reason or "").strip()
    if not reason:
        raise FieldError("reason", "Vui lòng nhập lý do lưu trữ.")
    if record.is_archived:
        raise DomainError("Bản ghi này đã được lưu trữ.")
    record.archived_at = utcnow()
    record.archive_reason = reason[:500]
    changes = {"archive_reason": [None, record.archive_reason]}
    return _saved(record, action, user=user, summary=f"Lưu trữ {label}: {reason}"[:500],
                  changes=changes)  # fmt: skip


# --- Proposals ---------------------------------------------------------------------------


def _proposal_contact(contact_id, org, errors: dict, keep_id: int | None = None):
    """The contact the proposal came from: it must exist, be with the same donor and be
    live (an archived one may stay the contact of a proposal that already names it)."""
    if not contact_id:
        return None
    try:
        number = int(contact_id)
    except (TypeError, ValueError):
        number = 0
    contact = db.session.get(MobilisationContact, number) if 0 < number < 2**31 else None
    if contact is None:
        errors.setdefault("contact_id", "Không có tiếp xúc này.")
    elif contact.is_archived and contact.id != keep_id:
        errors.setdefault("contact_id", "Tiếp xúc này đã được lưu trữ.")
    elif org is not None and contact.organization_id != org.id:
        errors.setdefault(
            "contact_id", f"Tiếp xúc này là với nhà tài trợ khác ({contact.organization.code})."
        )
    return contact


def _communes_exist(codes: list[str]):
    def check():
        if not codes:
            return
        found = set(db.session.scalars(db.select(Commune.code).where(Commune.code.in_(codes))))
        if missing := sorted(set(codes) - found):
            raise FieldError("communes", f"Mã xã, phường không tồn tại: {', '.join(missing)}.")

    return check


def _code_free(code: str | None, except_id: int | None):
    def check():
        if not code:
            raise FieldError("code", "Vui lòng nhập mã đề xuất.")
        if not CODE_RE.fullmatch(code):
            raise FieldError("code", "Chỉ dùng chữ cái không dấu, chữ số và các ký tự - _ . /")
        query = db.select(MobilisationProposal.id).where(MobilisationProposal.code == code)
        if except_id is not None:
            query = query.where(MobilisationProposal.id != except_id)
        if db.session.scalar(query) is not None:
            raise FieldError("code", f"Mã đề xuất '{code}' đã được dùng.")

    return check


def _money(value, currency, rate):
    def check():
        validation.money(value, currency, rate, None, "requested_value")
        validation.positive(value, "requested_value", "Giá trị đề xuất phải lớn hơn 0.")

    return check


CENTS, RATE_UNIT = Decimal("0.01"), Decimal("0.000001")


def _scaled(value, unit: Decimal) -> Decimal | None:
    """An amount at its column's scale, so that the audit diff compares like with like."""
    return None if value is None else Decimal(value).quantize(unit)


def vnd_of(amount: Decimal | None, currency: str, rate: Decimal | None) -> int | None:
    """Whole đồng of an amount of the proposal's currency at its rate (half up)."""
    if amount is None:
        return None
    return to_vnd(amount, None if currency == "VND" else rate)


def _proposal_values(data: dict, current: MobilisationProposal | None) -> tuple[dict, list]:
    errors: dict[str, str] = {}
    keep = current.organization_id if current else None
    org = _donor(_text(data, "donor_code"), errors, allow_archived_id=keep)
    currency = (_text(data, "currency") or "VND").upper()
    values = {
        "code": _code(data.get("code")) or None,
        "title": _text(data, "title"),
        "organization_id": org.id if org else None,
        "contact_id": None,
        "sent_on": data.get("sent_on"),
        "sector": _text(data, "sector"),
        "requested_value": data.get("requested_value"),
        "currency": currency,
        "rate_vnd": data.get("rate_vnd") if currency != "VND" else None,
        "notes": _text(data, "notes"),
    }
    keep_contact = current.contact_id if current else None
    contact = _proposal_contact(data.get("contact_id"), org, errors, keep_contact)
    values["contact_id"] = contact.id if contact else None
    communes = sorted({c.strip() for c in data.get("communes") or [] if c and c.strip()})
    _check(
        errors,
        (_code_free(values["code"], current.id if current else None),),
        (_required, values["title"], "title", "Vui lòng nhập tên đề xuất."),
        (_required, values["sent_on"], "sent_on", "Vui lòng nhập ngày gửi đề xuất."),
        (validation.past_date, values["sent_on"], "sent_on", "Ngày gửi đề xuất",
         contact.occurred_on if contact else None, "ngày tiếp xúc"),
        (_coded(values["sector"], Sector, "sector", "Vui lòng chọn lĩnh vực."),),
        (_money(values["requested_value"], currency, values["rate_vnd"]),),
        (_communes_exist(communes),),
    )  # fmt: skip
    values["sector"] = Sector(values["sector"])
    values["requested_value"] = _scaled(values["requested_value"], CENTS)
    values["rate_vnd"] = _scaled(values["rate_vnd"], RATE_UNIT)
    values["requested_vnd"] = vnd_of(values["requested_value"], currency, values["rate_vnd"])
    values["search_text"] = search_text(values["code"], values["title"], values["notes"])
    return values, communes


def _proposal_snapshot(proposal: MobilisationProposal) -> dict:
    return audit.snapshot(proposal, PROPOSAL_FIELDS) | {"communes": proposal.commune_codes}


def _set_communes(proposal: MobilisationProposal, codes: list[str]) -> None:
    rows = [{"commune_code": code} for code in codes]
    proposal.commune_rows = sync_children(
        proposal.commune_rows, "commune_code", MobilisationProposalCommune, rows
    )


def create_proposal(data: dict, *, user) -> MobilisationProposal:
    """A proposal sent to a donor (`data`: code, title, donor_code, contact_id, sent_on,
    sector, communes, requested_value, currency, rate_vnd, notes); its outcome is pending."""
    _require_manager(user)
    values, communes = _proposal_values(data, None)
    proposal = MobilisationProposal(
        **values, outcome=ProposalOutcome(states.PENDING), agency_id=user.agency_id,
        created_by_id=user.id,
    )  # fmt: skip
    _set_communes(proposal, communes)
    db.session.add(proposal)
    db.session.flush()
    changes = audit.diff({}, _proposal_snapshot(proposal))
    summary = f"Gửi đề xuất {proposal.code} cho {proposal.organization.code}"
    return _saved(proposal, MobilisationAudit.PROPOSAL_CREATE, user=user, summary=summary,
                  changes=changes)  # fmt: skip


def update_proposal(
    proposal: MobilisationProposal, data: dict, *, user, version: int | None = None
) -> MobilisationProposal:
    """Save the proposal's own fields (not its outcome: record_outcome)."""
    _require_manager(user)
    check_version(proposal, version)
    _not_archived(proposal, "Đề xuất này")
    values, communes = _proposal_values(data, proposal)
    before = _proposal_snapshot(proposal)
    for name, value in values.items():
        setattr(proposal, name, value)
    if proposal.pledged_value is not None:  # the pledge in đồng follows the rate
        proposal.pledged_vnd = vnd_of(proposal.pledged_value, proposal.currency, proposal.rate_vnd)
    _set_communes(proposal, communes)
    changes = audit.diff(before, _proposal_snapshot(proposal))
    if changes:
        proposal.updated_at = utcnow()  # a commune-only change still bumps the version
        db.session.flush()
        audit.record(MobilisationAudit.PROPOSAL_UPDATE, proposal, user=user,
                     summary=f"Sửa đề xuất {proposal.code}", changes=changes)  # fmt: skip
    return proposal


def _aid_item(code: str | None, errors: dict):
    if not code:
        return None
    item = db.session.scalar(db.select(AidItem).where(AidItem.code == _code(code)))
    if item is None:
        errors.setdefault("aid_item_code", f"Không có khoản viện trợ mã '{_code(code)}'.")
    return item


def _outcome_rules(proposal, outcome, outcome_on: date | None, pledged, item) -> tuple:
    answered = outcome in states.ANSWERED

    def pledge():
        if outcome == states.PLEDGED:
            validation.positive(pledged, "pledged_value", "Vui lòng nhập giá trị cam kết (> 0).")
            pledged_vnd = vnd_of(pledged, proposal.currency, proposal.rate_vnd)
            if pledged_vnd >= validation.VND_LIMIT:
                raise FieldError(
                    "pledged_value", "Giá trị quy đổi ra VNĐ quá lớn, hãy kiểm tra lại."
                )
        elif pledged is not None:
            raise FieldError("pledged_value", "Chỉ ghi giá trị cam kết khi nhà tài trợ cam kết.")

    def link():
        if item is not None and outcome != states.PLEDGED:
            raise FieldError(
                "aid_item_code", "Chỉ liên kết khoản viện trợ khi nhà tài trợ đã cam kết."
            )

    def dated():
        if answered and outcome_on is None:
            raise FieldError("outcome_on", "Vui lòng nhập ngày nhận phản hồi.")
        if not answered and outcome_on is not None:
            raise FieldError("outcome_on", "Đề xuất đang chờ phản hồi: không ghi ngày phản hồi.")

    return (
        (_coded(outcome, ProposalOutcome, "outcome", "Vui lòng chọn kết quả."),),
        (dated,),
        (validation.past_date, outcome_on, "outcome_on", "Ngày phản hồi", proposal.sent_on,
         "ngày gửi đề xuất"),
        (pledge,),
        (link,),
    )  # fmt: skip


def record_outcome(
    proposal: MobilisationProposal, data: dict, *, user, version: int | None = None
) -> MobilisationProposal:
    """The donor's answer (`data`: outcome, outcome_on, pledged_value, aid_item_code).
    A pledge may name the aid item that resulted; the item must exist (422). That it
    shares the donor is a warning (link_warning), not a refusal: the item may have been
    lodged under a partner's name."""
    _require_manager(user)
    check_version(proposal, version)
    _not_archived(proposal, "Đề xuất này")
    errors: dict[str, str] = {}
    outcome = _text(data, "outcome")
    outcome_on, pledged = data.get("outcome_on"), data.get("pledged_value")
    item = _aid_item(_text(data, "aid_item_code"), errors)
    _check(errors, *_outcome_rules(proposal, outcome, outcome_on, pledged, item))
    before = audit.snapshot(proposal, OUTCOME_FIELDS)
    proposal.outcome = ProposalOutcome(outcome)
    proposal.outcome_on = outcome_on
    proposal.pledged_value = pledged = _scaled(pledged, CENTS)
    proposal.pledged_vnd = vnd_of(pledged, proposal.currency, proposal.rate_vnd)
    proposal.aid_item_id = item.id if item else None
    changes = audit.diff(before, audit.snapshot(proposal, OUTCOME_FIELDS))
    if changes:
        db.session.flush()
        summary = f"Kết quả đề xuất {proposal.code}: {ProposalOutcome(outcome).label}"
        if item is not None:
            summary += f", khoản viện trợ {item.code}"
        audit.record(MobilisationAudit.PROPOSAL_OUTCOME, proposal, user=user, summary=summary,
                     changes=changes)  # fmt: skip
    return proposal


def archive_proposal(
    proposal: MobilisationProposal, reason: str, *, user, version: int | None = None
) -> MobilisationProposal:
    return _archive(proposal, reason, MobilisationAudit.PROPOSAL_ARCHIVE,
                    f"đề xuất {proposal.code}", user=user, version=version)  # fmt: skip
