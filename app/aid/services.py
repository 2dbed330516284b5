"""Use cases of aid items: the dossier, the procedure's steps, follow-up, inboxes.

Services validate the rules, change the models and flush; the view commits once.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy.orm import contains_eager

from app.aid import workflow
from app.aid.states import APPROVED_OR_LATER
from app.aid.models import (
    AidDonor,
    AidItem,
    AidLocation,
    AidReport,
    AidSector,
    Decision,
    Disbursement,
    Inspection,
    Opinion,
)
from app.auth.models import Agency
from app.core import attachments, audit
from app.core.concurrency import check_version
from app.core.dates import add_months, add_period, today_vn
from app.core.errors import DomainError, FieldError
from app.core.models import Commune, sync_children, utcnow
from app.core.money import round_half_up, to_vnd
from app.core.text import fold
from app.extensions import db
from app.orgs.models import CERTIFICATE_WARNING_DAYS, Organization

ITEM_FIELDS = (
    "code",
    "name",
    "name_en",
    "modality",
    "regime",
    "owner_name",
    "governing_agency",
    "objectives",
    "description",
    "beneficiaries",
    "legacy_location",
    "value",
    "currency",
    "rate_vnd",
    "rate_usd",
    "counterpart_vnd",
    "is_budget_revenue",
    "start_on",
    "end_on",
    "dossier_received_on",
    "dossier_complete_on",
    "dossier_documents",
)
EDITABLE_STATES = ("tiep_nhan", "tra_lai", "xin_y_kien", "tham_dinh")
VND_LIMIT = 10**18  # stored as whole đồng in BIGINT
DECISION_NUMBER_RE = re.compile(r"^\d+[A-Za-z]?(/[^\s/]+)+$")
DECISION_NUMBER_HELP = "Số quyết định không hợp lệ (ví dụ: 123/QĐ-UBND)."


# --- Validation shared by the item, its amendments and disbursements --------------------


def _check_money(value, currency: str, rate_vnd, rate_usd, prefix: str = "") -> None:
    if value is None:
        raise FieldError(f"{prefix}value", "Vui lòng nhập giá trị.")
    if value < 0:
        raise FieldError(f"{prefix}value", "Giá trị không được âm.")
    if currency != "VND" and rate_vnd is None:
        raise FieldError("rate_vnd", "Vui lòng nhập tỷ giá (VNĐ cho một đơn vị tiền tệ).")
    if rate_vnd is not None and rate_vnd <= 0:
        raise FieldError("rate_vnd", "Tỷ giá phải lớn hơn 0.")
    if rate_usd is not None and rate_usd <= 0:
        raise FieldError("rate_usd", "Tỷ giá USD phải lớn hơn 0.")
    if currency == "VND" and Decimal(value) != Decimal(value).to_integral_value():
        raise FieldError(f"{prefix}value", "Số tiền VNĐ không có phần lẻ.")
    if to_vnd(value, None if currency == "VND" else rate_vnd) >= VND_LIMIT:
        raise FieldError(f"{prefix}value", "Giá trị quy đổi ra VNĐ quá lớn, hãy kiểm tra lại.")


def vnd_value(amount: Decimal, currency: str, rate_vnd: Decimal | None) -> int:
    """Whole đồng, rounded half up: round(amount × rate) (spec/annual-report.md)."""
    return to_vnd(amount, None if currency == "VND" else rate_vnd)


def _not_future(day: date | None, field: str, what: str) -> None:
    if day and day > today_vn():
        raise FieldError(field, f"{what} không được sau ngày hôm nay.")


def _check_decision_number(number: str | None, field: str = "number") -> None:
    if not number or not DECISION_NUMBER_RE.match(number.strip()):
        raise FieldError(field, DECISION_NUMBER_HELP)


@dataclass
class ItemInput:
    """Validated values of the item form (plus its lists)."""

    fields: dict
    donor_ids: list[int]  # the first is the main donor
    sectors: list[tuple[str, Decimal | None]]
    commune_codes: list[str]


def _validate_item(data: ItemInput, item_id: int | None = None) -> None:
    """Every rule of the dossier form; all broken ones are reported together."""
    f = data.fields
    errors: dict[str, str] = {}

    def check(rule, *args):
        try:
            rule(*args)
        except FieldError as error:
            for name, message in error.errors.items():
                errors.setdefault(name, message)

    def code_is_free():
        duplicate = db.session.scalar(
            db.select(AidItem.id).where(AidItem.code == f["code"], AidItem.id != (item_id or 0))
        )
        if duplicate:
            raise FieldError("code", f"Mã khoản viện trợ '{f['code']}' đã được dùng.")

    def donors_exist():
        if not data.donor_ids:
            raise FieldError("main_donor_id", "Vui lòng chọn nhà tài trợ.")
        known = set(
            db.session.scalars(
                db.select(Organization.id).where(Organization.id.in_(data.donor_ids))
            )
        )
        if set(data.donor_ids) - known:
            raise FieldError("main_donor_id", "Nhà tài trợ không tồn tại.")
        if len(set(data.donor_ids)) != len(data.donor_ids):
            raise FieldError("co_donor_ids", "Nhà đồng tài trợ không được trùng nhà tài trợ chính.")

    def dates_in_order():
        if f.get("start_on") and f.get("end_on") and f["end_on"] < f["start_on"]:
            raise FieldError("end_on", "Ngày kết thúc không được trước ngày bắt đầu.")
        received, complete = f.get("dossier_received_on"), f.get("dossier_complete_on")
        if received and complete and complete < received:
            raise FieldError("dossier_complete_on", "Ngày hồ sơ hợp lệ không được trước ngày nhận.")

    def counterpart_not_negative():
        if f.get("counterpart_vnd") is not None and f["counterpart_vnd"] < 0:
            raise FieldError("counterpart_vnd", "Vốn đối ứng không được âm.")

    def communes_exist():
        if data.commune_codes:
            found = set(
                db.session.scalars(
                    db.select(Commune.code).where(Commune.code.in_(data.commune_codes))
                )
            )
            if missing := sorted(set(data.commune_codes) - found):
                raise FieldError("communes", f"Mã xã, phường không tồn tại: {', '.join(missing)}.")

    check(code_is_free)
    check(donors_exist)
    check(_check_money, f["value"], f["currency"], f["rate_vnd"], f["rate_usd"])
    check(counterpart_not_negative)
    check(dates_in_order)
    check(_not_future, f.get("dossier_received_on"), "dossier_received_on", "Ngày nhận hồ sơ")
    check(_not_future, f.get("dossier_complete_on"), "dossier_complete_on", "Ngày hồ sơ hợp lệ")
    check(check_sectors, data.sectors)
    check(communes_exist)
    if errors:
        raise FieldError.many(errors)


def check_sectors(sectors: list[tuple[str, Decimal | None]]) -> None:
    """Sectors: at least one, no repeats; shares all given (sum 100 ± 0.01) or all empty."""
    if not sectors:
        raise FieldError("sectors", "Vui lòng chọn ít nhất một lĩnh vực.")
    keys = [key for key, _ in sectors]
    if len(set(keys)) != len(keys):
        raise FieldError("sectors", "Một lĩnh vực được chọn hai lần.")
    shares = [share for _, share in sectors]
    if all(share is None for share in shares):
        return  # equal split
    if any(share is None for share in shares):
        raise FieldError(
            "sectors", "Nhập tỷ lệ cho tất cả lĩnh vực, hoặc để trống tất cả (chia đều)."
        )
    if any(share <= 0 or share > 100 for share in shares):
        raise FieldError("sectors", "Tỷ lệ mỗi lĩnh vực phải lớn hơn 0 và không quá 100.")
    if abs(sum(shares) - 100) > Decimal("0.01"):
        raise FieldError(
            "sectors", f"Tổng tỷ lệ các lĩnh vực phải bằng 100% (hiện là {sum(shares)}%)."
        )


def _apply_item_fields(item: AidItem, data: ItemInput) -> None:
    f = data.fields
    for name in ITEM_FIELDS:
        if name in f:
            setattr(item, name, f[name])
    if item.currency == "VND":
        item.rate_vnd = None
    item.value_vnd = vnd_value(item.value, item.currency, item.rate_vnd)
    if item.currency == "USD" and item.rate_usd is None:
        item.rate_usd = item.rate_vnd
    deadline = current_app.config["AID_APPRAISAL_DEADLINE"]
    item.appraisal_due_on = (
        add_period(item.dossier_complete_on, *deadline) if item.dossier_complete_on else None
    )
    item.main_donor_id = data.donor_ids[0]
    # Child rows are part of the item (audited through its diff); rows whose key stays are
    # updated in place, so the unique (item, key) constraints never see a transient duplicate.
    item.donors = sync_children(
        item.donors,
        "organization_id",
        AidDonor,
        [{"organization_id": org_id, "position": i} for i, org_id in enumerate(data.donor_ids)],
    )
    item.sectors = sync_children(
        item.sectors,
        "sector",
        AidSector,
        [{"sector": key, "share": share} for key, share in data.sectors],
    )
    item.locations = sync_children(
        item.locations,
        "commune_code",
        AidLocation,
        [{"commune_code": code} for code in data.commune_codes],
    )
    donor_names = db.session.scalars(
        db.select(Organization.name).where(Organization.id.in_(data.donor_ids))
    ).all()
    item.search_text = fold(" ".join([item.code, item.name, item.name_en or "", *donor_names]))


def _snapshot(item: AidItem) -> dict:
    values = audit.snapshot(item, ITEM_FIELDS)
    values["donors"] = [d.organization_id for d in item.donors]
    values["sectors"] = [
        f"{s.sector}:{s.share}" if s.share is not None else s.sector for s in item.sectors
    ]
    values["communes"] = [loc.commune_code for loc in item.locations]
    return values


def create_item(data: ItemInput, user) -> AidItem:
    """Receive a dossier: the item starts in 'tiếp nhận hồ sơ'."""
    _validate_item(data)
    item = AidItem(status="tiep_nhan", created_by_id=user.id)
    db.session.add(item)
    _apply_item_fields(item, data)
    workflow.AID_WORKFLOW.record_start(item, user, "receive")
    audit.record(
        "aid.create",
        item,
        user=user,
        summary=f"Tiếp nhận hồ sơ khoản viện trợ {item.code}",
        changes=audit.diff({}, _snapshot(item)),
    )
    return item


def update_item(item: AidItem, data: ItemInput, version: int | None, user) -> AidItem:
    """Edit the dossier before the decision; afterwards changes go through an amendment."""
    workflow.rules_manage_aid(user)
    check_version(item, version)
    if item.status not in EDITABLE_STATES:
        raise DomainError(
            "Khoản viện trợ đã có quyết định; mọi thay đổi phải ghi qua quyết định điều chỉnh."
        )
    _validate_item(data, item.id)
    before = _snapshot(item)
    _apply_item_fields(item, data)
    db.session.flush()
    changes = audit.diff(before, _snapshot(item))
    if changes:
        audit.record(
            "aid.update",
            item,
            user=user,
            summary=f"Sửa khoản viện trợ {item.code}",
            changes=changes,
        )
    return item


def archive_item(item: AidItem, reason: str, version: int | None, user) -> None:
    workflow.rules_manage_aid(user)
    check_version(item, version)
    if item.is_archived:
        raise DomainError("Khoản viện trợ đã được lưu trữ.")
    item.archived_at = utcnow()
    item.archive_reason = reason
    db.session.flush()
    audit.record("aid.archive", item, user=user, summary=f"Lưu trữ {item.code}: {reason}")


# --- The procedure -----------------------------------------------------------------------


def return_dossier(item: AidItem, user, reason: str) -> None:
    if not reason:
        raise FieldError("comment", "Vui lòng ghi lý do trả lại hồ sơ.")

    def cancel_open_opinions():
        for opinion in item.opinions:
            if opinion.is_open:
                opinion.cancelled_at = utcnow()

    workflow.apply(item, "return", user, reason, cancel_open_opinions)


def resubmit(item: AidItem, user, comment: str | None, received_on: date | None) -> None:
    _not_future(received_on, "received_on", "Ngày nhận hồ sơ")

    def record():
        if received_on:
            item.dossier_received_on = received_on

    workflow.apply(item, "resubmit", user, comment, record)


def request_opinions(
    item: AidItem, user, agency_ids: list[int], note: str | None, requested_on: date | None = None
) -> list[Opinion]:
    """Ask each agency for its written opinion, due in the configured working days."""
    if not agency_ids:
        raise FieldError("agency_ids", "Vui lòng chọn ít nhất một cơ quan cần xin ý kiến.")
    requested_on = requested_on or today_vn()
    _not_future(requested_on, "requested_on", "Ngày xin ý kiến")
    agencies = db.session.scalars(
        db.select(Agency).where(Agency.id.in_(agency_ids), Agency.active.is_(True))
    ).all()
    if len(agencies) != len(set(agency_ids)):
        raise FieldError("agency_ids", "Cơ quan được chọn không tồn tại hoặc đã ngừng hoạt động.")
    due_on = add_period(requested_on, *current_app.config["AID_OPINION_DEADLINE"])
    created = []

    def create_opinions():
        already = {o.agency_id for o in item.opinions if o.is_open}
        for agency in agencies:
            if agency.id in already:
                continue
            opinion = Opinion(
                agency_id=agency.id, requested_on=requested_on, due_on=due_on, request_note=note
            )
            item.opinions.append(opinion)
            created.append(opinion)

    names = ", ".join(a.name for a in agencies)
    workflow.apply(item, "request_opinions", user, f"Xin ý kiến: {names}", create_opinions)
    return created


def answer_opinion(
    opinion: Opinion,
    user,
    verdict: str,
    answer: str,
    document_number: str | None,
    answered_on: date | None,
    file=None,
    version: int | None = None,
) -> Opinion:
    """The consulted agency's officer records its opinion (once)."""
    from app.core import permissions as rules

    rules.answer_opinion.require(user, opinion)
    if version is not None:  # from the form; direct calls (import, tests) skip the check
        check_version(opinion, version)
    item = opinion.aid_item
    if not opinion.is_open:
        raise DomainError("Ý kiến này đã được trả lời hoặc đã hủy.")
    if item.status != "xin_y_kien":
        raise DomainError("Khoản viện trợ không còn ở bước xin ý kiến.")
    if not answer:
        raise FieldError("answer", "Vui lòng nhập nội dung ý kiến.")
    answered_on = answered_on or today_vn()
    _not_future(answered_on, "answered_on", "Ngày trả lời")
    if answered_on < opinion.requested_on:
        raise FieldError("answered_on", "Ngày trả lời không được trước ngày xin ý kiến.")
    opinion.verdict = verdict
    opinion.answer = answer
    opinion.document_number = document_number or None
    opinion.answered_on = answered_on
    opinion.answered_by_id = user.id
    if file is not None and getattr(file, "filename", ""):
        attachments.store(file, "opinion", opinion.id, user)
    db.session.flush()
    audit.record(
        "aid.opinion_answer",
        opinion,
        user=user,
        summary=f"{opinion.agency.name} góp ý {item.code}: {opinion.verdict_label}",
        changes={"verdict": [None, verdict]},
    )
    return opinion


def appraise(item: AidItem, user, form_key: str, appraised_on: date, conclusion: str) -> None:
    if not conclusion:
        raise FieldError("conclusion", "Vui lòng nhập kết luận thẩm định.")
    _not_future(appraised_on, "appraised_on", "Ngày thẩm định")
    _not_before(
        appraised_on,
        item.dossier_complete_on or item.dossier_received_on,
        "appraised_on",
        "Ngày thẩm định",
        "ngày hồ sơ hợp lệ",
    )

    def record():
        item.appraisal_form = form_key
        item.appraisal_on = appraised_on
        item.appraisal_conclusion = conclusion

    workflow.apply(item, "appraise", user, conclusion, record)


def _add_decision(
    item: AidItem, user, kind: str, number, signed_on, signer, content, changes=None
) -> Decision:
    decision = Decision(
        aid_item_id=item.id,
        kind=kind,
        number=(number or "").strip() or None,
        signed_on=signed_on,
        signer=signer or None,
        content=content or None,
        changes=changes,
        recorded_by_id=user.id,
    )
    db.session.add(decision)
    return decision


def _check_decision_date(signed_on: date | None, item: AidItem) -> None:
    if signed_on is None:
        raise FieldError("signed_on", "Vui lòng nhập ngày ký quyết định.")
    _not_future(signed_on, "signed_on", "Ngày ký")
    if item.dossier_received_on and signed_on < item.dossier_received_on:
        raise FieldError("signed_on", "Ngày ký không được trước ngày nhận hồ sơ.")
    _not_before(signed_on, item.appraisal_on, "signed_on", "Ngày ký", "ngày thẩm định")


def _not_before(day, earliest, field: str, what: str, what_earlier: str) -> None:
    if day and earliest and day < earliest:
        raise FieldError(field, f"{what} không được trước {what_earlier} ({earliest:%d/%m/%Y}).")


def _check_decision_number_free(number: str, signed_on: date, field: str = "number") -> None:
    """Decision numbers restart every year: one number is used once per year."""
    used = db.session.scalar(
        db.select(Decision.id).where(
            Decision.number == number.strip(),
            Decision.signed_on >= date(signed_on.year, 1, 1),
            Decision.signed_on < date(signed_on.year + 1, 1, 1),
        )
    )
    if used:
        raise FieldError(
            field, f"Số quyết định {number.strip()} năm {signed_on.year} đã được dùng."
        )


def approve(
    item: AidItem,
    user,
    number: str,
    signed_on: date,
    signer: str,
    content: str | None,
    approved_value: Decimal | None = None,
) -> Decision:
    """Record the chairman's approval decision (number like 123/QĐ-UBND, date, signer).

    The approved value (in the item's currency) replaces the proposed one when it differs;
    the decision keeps both.
    """
    _check_decision_number(number)
    _check_decision_date(signed_on, item)
    if not signer:
        raise FieldError("signer", "Vui lòng nhập người ký quyết định.")
    _check_decision_number_free(number, signed_on)
    if approved_value is not None and approved_value < 0:
        raise FieldError("approved_value", "Giá trị phê duyệt không được âm.")
    decisions = []

    def record():
        changes = None
        if approved_value is not None and approved_value != item.value:
            before = audit.snapshot(item, ("value", "value_vnd"))
            item.value = approved_value
            item.value_vnd = vnd_value(item.value, item.currency, item.rate_vnd)
            changes = audit.diff(before, audit.snapshot(item, ("value", "value_vnd")))
        item.decision_number = number.strip()
        item.decision_date = signed_on
        item.decision_signer = signer
        decisions.append(
            _add_decision(item, user, "phe_duyet", number, signed_on, signer, content, changes)
        )

    workflow.apply(item, "approve", user, f"Quyết định {number.strip()}", record)
    return decisions[0]


def refuse(item: AidItem, user, reason: str, number: str | None, signed_on: date) -> Decision:
    if not reason:
        raise FieldError("content", "Vui lòng ghi lý do không chấp thuận.")
    _check_decision_date(signed_on, item)
    decisions = []

    def record():
        decisions.append(
            _add_decision(item, user, "khong_chap_thuan", number, signed_on, None, reason)
        )

    workflow.apply(item, "refuse", user, reason, record)
    return decisions[0]


def start(item: AidItem, user, started_on: date, comment: str | None) -> None:
    _not_future(started_on, "started_on", "Ngày bắt đầu")
    if item.decision_date and started_on < item.decision_date:
        raise FieldError("started_on", "Ngày bắt đầu thực hiện không được trước ngày phê duyệt.")

    def record():
        item.start_on = started_on

    workflow.apply(item, "start", user, comment, record)


def suspend(item: AidItem, user, reason: str) -> None:
    if not reason:
        raise FieldError("comment", "Vui lòng ghi lý do tạm dừng.")
    workflow.apply(item, "suspend", user, reason)


def resume(item: AidItem, user, comment: str | None) -> None:
    workflow.apply(item, "resume", user, comment)


def complete(item: AidItem, user, comment: str | None) -> None:
    workflow.apply(item, "complete", user, comment)


def revoke(
    item: AidItem, user, number: str, signed_on: date, signer: str | None, reason: str
) -> Decision:
    _check_decision_number(number)
    _check_decision_date(signed_on, item)
    _check_decision_number_free(number, signed_on)
    if not reason:
        raise FieldError("content", "Vui lòng ghi lý do thu hồi.")
    decisions = []

    def record():
        decisions.append(_add_decision(item, user, "thu_hoi", number, signed_on, signer, reason))

    workflow.apply(item, "revoke", user, reason, record)
    return decisions[0]


AMENDABLE = ("value", "currency", "rate_vnd", "rate_usd", "counterpart_vnd", "end_on")


def amend(
    item: AidItem,
    user,
    number: str,
    signed_on: date,
    signer: str | None,
    content: str | None,
    new_values: dict,
) -> Decision:
    """An approved change: a decision of its own, with the old and new values kept."""
    _check_decision_number(number)
    _check_decision_date(signed_on, item)
    _check_decision_number_free(number, signed_on)
    merged = {k: new_values.get(k, getattr(item, k)) for k in AMENDABLE}
    _check_money(merged["value"], merged["currency"], merged["rate_vnd"], merged["rate_usd"])
    if merged["counterpart_vnd"] is not None and merged["counterpart_vnd"] < 0:
        raise FieldError("counterpart_vnd", "Vốn đối ứng không được âm.")
    if item.start_on and merged["end_on"] and merged["end_on"] < item.start_on:
        raise FieldError("end_on", "Ngày kết thúc không được trước ngày bắt đầu.")
    before = audit.snapshot(item, (*AMENDABLE, "value_vnd"))
    decisions = []

    def record():
        for key in AMENDABLE:
            setattr(item, key, merged[key])
        if item.currency == "VND":
            item.rate_vnd = None
        item.value_vnd = vnd_value(item.value, item.currency, item.rate_vnd)
        changes = audit.diff(before, audit.snapshot(item, (*AMENDABLE, "value_vnd")))
        if not changes:
            raise FieldError("value", "Quyết định điều chỉnh không thay đổi giá trị nào.")
        decisions.append(
            _add_decision(item, user, "dieu_chinh", number, signed_on, signer, content, changes)
        )

    workflow.apply(item, "amend", user, f"Quyết định điều chỉnh {number.strip()}", record)
    return decisions[0]


def attach_file(item: AidItem, user, file, note: str | None):
    """A document of the dossier or the follow-up (scan of the request, letters...)."""
    workflow.rules_manage_aid(user)
    if item.is_archived:
        raise DomainError("Khoản viện trợ đã lưu trữ, không thể đính kèm thêm tệp.")
    return attachments.store(file, "aid_item", item.id, user, note or None)


# --- Follow-up: disbursements, reports, inspections --------------------------------------

FOLLOW_UP_STATES = ("da_phe_duyet", "dang_thuc_hien", "tam_dung", "hoan_thanh")


def _require_follow_up(item: AidItem, user) -> None:
    workflow.rules_manage_aid(user)
    if item.status not in FOLLOW_UP_STATES or item.is_archived:
        raise DomainError(
            "Chỉ ghi nhận giải ngân, báo cáo, kiểm tra cho khoản viện trợ đã được phê duyệt "
            f"(hiện tại: {item.status_label})."
        )


def add_disbursement(
    item: AidItem,
    user,
    disbursed_on: date,
    amount: Decimal,
    currency: str,
    rate_vnd: Decimal | None,
    rate_usd: Decimal | None,
    source: str | None,
    verified: bool,
) -> Disbursement:
    _require_follow_up(item, user)
    if amount is None or amount <= 0:
        raise FieldError("amount", "Số tiền phải lớn hơn 0.")
    _check_money(amount, currency, rate_vnd, rate_usd)
    _not_future(disbursed_on, "disbursed_on", "Ngày giải ngân")
    if item.decision_date and disbursed_on < item.decision_date:
        raise FieldError("disbursed_on", "Ngày giải ngân không được trước ngày phê duyệt.")
    if currency == "USD" and rate_usd is None:
        rate_usd = rate_vnd
    disbursement = Disbursement(
        aid_item_id=item.id,
        disbursed_on=disbursed_on,
        amount=amount,
        currency=currency,
        rate_vnd=None if currency == "VND" else rate_vnd,
        rate_usd=rate_usd,
        value_vnd=vnd_value(amount, currency, rate_vnd),
        source=source or None,
        verified=verified,
        recorded_by_id=user.id,
    )
    db.session.add(disbursement)
    db.session.flush()
    audit.record(
        "aid.disbursement_add",
        disbursement,
        user=user,
        summary=f"Giải ngân {item.code}: {amount} {currency} ngày {disbursed_on:%d/%m/%Y}",
        changes=audit.diff(
            {},
            audit.snapshot(
                disbursement,
                (
                    "disbursed_on",
                    "amount",
                    "currency",
                    "rate_vnd",
                    "rate_usd",
                    "value_vnd",
                    "verified",
                ),
            ),
        ),
    )
    return disbursement


def archive_disbursement(disbursement: Disbursement, user, reason: str) -> None:
    workflow.rules_manage_aid(user)
    if not reason:
        raise FieldError("reason", "Vui lòng ghi lý do hủy dòng giải ngân.")
    if disbursement.is_archived:
        raise DomainError("Dòng giải ngân này đã được hủy.")
    disbursement.archived_at = utcnow()
    disbursement.archive_reason = reason
    db.session.flush()
    audit.record(
        "aid.disbursement_archive",
        disbursement,
        user=user,
        summary=f"Hủy dòng giải ngân #{disbursement.id}: {reason}",
    )


def add_report(
    item: AidItem,
    user,
    kind: str,
    period_start: date | None,
    period_end: date | None,
    received_on: date,
    summary: str | None,
    file=None,
) -> AidReport:
    _require_follow_up(item, user)
    _not_future(received_on, "received_on", "Ngày nhận báo cáo")
    _not_before(
        received_on, item.decision_date, "received_on", "Ngày nhận báo cáo", "ngày phê duyệt"
    )
    _not_before(received_on, period_start, "received_on", "Ngày nhận báo cáo", "đầu kỳ báo cáo")
    if period_start and period_end and period_end < period_start:
        raise FieldError("period_end", "Cuối kỳ báo cáo không được trước đầu kỳ.")
    report = AidReport(
        aid_item_id=item.id,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        received_on=received_on,
        summary=summary or None,
        recorded_by_id=user.id,
    )
    db.session.add(report)
    db.session.flush()
    if file is not None and getattr(file, "filename", ""):
        attachments.store(file, "aid_report", report.id, user)
    audit.record(
        "aid.report_add",
        report,
        user=user,
        summary=f"Nhận {report.kind_label.lower()} của {item.code}",
    )
    return report


def add_inspection(
    item: AidItem,
    user,
    inspected_on: date,
    team: str,
    findings: str | None,
    recommendations: str | None,
    follow_up: str,
) -> Inspection:
    _require_follow_up(item, user)
    _not_future(inspected_on, "inspected_on", "Ngày kiểm tra")
    _not_before(inspected_on, item.decision_date, "inspected_on", "Ngày kiểm tra", "ngày phê duyệt")
    if not team:
        raise FieldError("team", "Vui lòng ghi các cơ quan tham gia đoàn kiểm tra.")
    inspection = Inspection(
        aid_item_id=item.id,
        inspected_on=inspected_on,
        team=team,
        findings=findings or None,
        recommendations=recommendations or None,
        follow_up=follow_up,
        recorded_by_id=user.id,
    )
    db.session.add(inspection)
    db.session.flush()
    audit.record(
        "aid.inspection_add",
        inspection,
        user=user,
        summary=f"Kiểm tra, giám sát {item.code} ngày {inspected_on:%d/%m/%Y}",
    )
    return inspection


def update_inspection_follow_up(
    inspection: Inspection, user, follow_up: str, version: int | None
) -> None:
    workflow.rules_manage_aid(user)
    check_version(inspection, version)
    old = inspection.follow_up
    if old == follow_up:
        return
    inspection.follow_up = follow_up
    db.session.flush()
    audit.record(
        "aid.inspection_follow_up",
        inspection,
        user=user,
        summary=f"Cập nhật tình hình khắc phục sau kiểm tra #{inspection.id}",
        changes={"follow_up": [old, follow_up]},
    )


# --- Figures for the detail page ---------------------------------------------------------


def disbursement_totals(item: AidItem) -> dict:
    """Total disbursed (VND) and the share of the approved value, computed in SQL."""
    total = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(Disbursement.value_vnd), 0)).where(
            Disbursement.aid_item_id == item.id, Disbursement.archived_at.is_(None)
        )
    )
    share = None
    if item.value_vnd:
        share = round_half_up(Decimal(total) * 100 / Decimal(item.value_vnd), 1)
    return {"total_vnd": int(total), "share": share}


def is_approved_or_later(item: AidItem) -> bool:
    return item.status in APPROVED_OR_LATER


# --- Lists, inboxes and alerts -----------------------------------------------------------

PROCEDURE_STATES = ("tiep_nhan", "tra_lai", "xin_y_kien", "tham_dinh")


@dataclass
class ItemFilters:
    q: str = ""
    status: str = ""
    year: int | None = None
    donor: int | None = None
    country: str = ""
    sector: str = ""
    commune: str = ""
    modality: str = ""
    overdue: bool = False
    archived: bool = False


def overdue_condition(today: date):
    """In the procedure past the appraisal deadline, or with an opinion past its due date."""
    late_opinion = (
        db.select(Opinion.id)
        .where(
            Opinion.aid_item_id == AidItem.id,
            Opinion.verdict.is_(None),
            Opinion.cancelled_at.is_(None),
            Opinion.due_on < today,
        )
        .exists()
    )
    return db.and_(
        AidItem.status.in_(("tiep_nhan", "xin_y_kien", "tham_dinh")),  # not while returned
        db.or_(AidItem.appraisal_due_on < today, late_opinion),
    )


def items_query(filters: ItemFilters, today: date | None = None):
    """The select behind the list and its exports (same filters, same rows)."""
    today = today or today_vn()
    query = db.select(AidItem)
    if not filters.archived:
        query = query.where(AidItem.archived_at.is_(None))
    if filters.q:
        query = query.where(AidItem.search_text.contains(fold(filters.q), autoescape=True))
    if filters.status:
        query = query.where(AidItem.status == filters.status)
    if filters.year:
        query = query.where(
            AidItem.decision_date >= date(filters.year, 1, 1),
            AidItem.decision_date < date(filters.year + 1, 1, 1),
        )
    if filters.donor:
        query = query.where(
            db.select(AidDonor.id)
            .where(AidDonor.aid_item_id == AidItem.id, AidDonor.organization_id == filters.donor)
            .exists()
        )
    if filters.country:
        query = query.where(
            AidItem.main_donor_id.in_(
                db.select(Organization.id).where(Organization.country == filters.country)
            )
        )
    if filters.sector:
        query = query.where(
            db.select(AidSector.id)
            .where(AidSector.aid_item_id == AidItem.id, AidSector.sector == filters.sector)
            .exists()
        )
    if filters.commune:
        query = query.where(
            db.select(AidLocation.id)
            .where(
                AidLocation.aid_item_id == AidItem.id, AidLocation.commune_code == filters.commune
            )
            .exists()
        )
    if filters.modality:
        query = query.where(AidItem.modality == filters.modality)
    if filters.overdue:
        query = query.where(overdue_condition(today))
    return query


@dataclass
class InboxRow:
    item: AidItem
    task: str
    due_on: date | None
    overdue: bool


def _task_for(item: AidItem) -> str:
    if item.status == "tiep_nhan":
        if item.dossier_complete_on is None:
            return "Kiểm tra tính hợp lệ của hồ sơ"
        return (
            "Xin ý kiến các cơ quan"
            if not item.is_emergency
            else "Thẩm định (không cần xin ý kiến)"
        )
    if item.status == "tra_lai":
        return "Chờ chủ khoản viện trợ hoàn thiện hồ sơ"
    if item.status == "xin_y_kien":
        waiting = sum(1 for o in item.opinions if o.is_open)
        answered = sum(1 for o in item.opinions if o.verdict)
        if waiting:
            return f"Chờ ý kiến: {answered}/{answered + waiting} cơ quan đã trả lời"
        return "Đủ ý kiến: kết luận thẩm định"
    return "Trình và ghi quyết định phê duyệt hoặc không chấp thuận"


def planning_inbox(today: date | None = None, limit: int = 200) -> list[InboxRow]:
    """Dossiers in the procedure, the most urgent first."""
    today = today or today_vn()
    items = db.session.scalars(
        db.select(AidItem)
        .where(AidItem.status.in_(PROCEDURE_STATES), AidItem.archived_at.is_(None))
        .order_by(AidItem.appraisal_due_on.is_(None), AidItem.appraisal_due_on, AidItem.id)
        .limit(limit)
    ).all()
    return [
        InboxRow(
            item,
            _task_for(item),
            item.appraisal_due_on,
            bool(
                item.appraisal_due_on and item.appraisal_due_on < today and item.status != "tra_lai"
            ),
        )
        for item in items
    ]


def opinions_for_agency(agency_id: int, limit: int = 200) -> list[Opinion]:
    """Opinions this agency still has to give, the earliest due first."""
    return db.session.scalars(
        db.select(Opinion)
        .join(AidItem, Opinion.aid_item_id == AidItem.id)
        .options(contains_eager(Opinion.aid_item))
        .where(
            Opinion.agency_id == agency_id,
            Opinion.verdict.is_(None),
            Opinion.cancelled_at.is_(None),
            AidItem.status == "xin_y_kien",
            AidItem.archived_at.is_(None),
        )
        .order_by(Opinion.due_on, Opinion.id)
        .limit(limit)
    ).all()


def alerts(today: date | None = None, limit: int = 50) -> dict[str, list]:
    """Follow-up alerts for the planning agency, each a bounded list."""
    today = today or today_vn()
    config = current_app.config
    live = AidItem.archived_at.is_(None)
    not_started = db.session.scalars(
        db.select(AidItem)
        .where(
            live,
            AidItem.status == "da_phe_duyet",
            AidItem.decision_date <= add_months(today, -config["AID_START_MONTHS"]),
        )
        .order_by(AidItem.decision_date)
        .limit(limit)
    ).all()
    expiring = db.session.scalars(
        db.select(Organization)
        .where(
            Organization.archived_at.is_(None),
            Organization.certificate_expires_on <= today + timedelta(CERTIFICATE_WARNING_DAYS),
        )
        .order_by(Organization.certificate_expires_on)
        .limit(limit)
    ).all()
    last_report = (
        db.select(db.func.max(AidReport.received_on))
        .where(AidReport.aid_item_id == AidItem.id, AidReport.archived_at.is_(None))
        .scalar_subquery()
    )
    report_threshold = add_months(today, -config["AID_REPORT_MONTHS"]) - timedelta(
        config["AID_REPORT_GRACE_DAYS"]
    )
    reports_overdue = db.session.scalars(
        db.select(AidItem)
        .where(
            live,
            AidItem.status == "dang_thuc_hien",
            db.func.coalesce(last_report, AidItem.start_on, AidItem.decision_date)
            < report_threshold,
        )
        .order_by(AidItem.id)
        .limit(limit)
    ).all()
    closing_report = (
        db.select(AidReport.id)
        .where(
            AidReport.aid_item_id == AidItem.id,
            AidReport.kind == "ket_thuc",
            AidReport.archived_at.is_(None),
        )
        .exists()
    )
    closing_overdue = db.session.scalars(
        db.select(AidItem)
        .where(
            live,
            AidItem.status.in_(("da_phe_duyet", "dang_thuc_hien", "tam_dung")),
            AidItem.end_on < add_months(today, -config["AID_CLOSING_REPORT_MONTHS"]),
            ~closing_report,
        )
        .order_by(AidItem.end_on)
        .limit(limit)
    ).all()
    return {
        "not_started": not_started,
        "certificates": expiring,
        "reports_overdue": reports_overdue,
        "closing_overdue": closing_overdue,
    }


def inbox_counts(user) -> list[tuple[str, int, str]]:
    """What waits for this user in the aid procedure, for the home page."""
    from flask import url_for

    from app.core import permissions as rules

    tasks = []
    if rules.answer_opinion.allows(user):
        waiting = db.session.scalar(
            db.select(db.func.count(Opinion.id))
            .join(AidItem, Opinion.aid_item_id == AidItem.id)
            .where(
                Opinion.agency_id == user.agency_id,
                Opinion.verdict.is_(None),
                Opinion.cancelled_at.is_(None),
                AidItem.status == "xin_y_kien",
                AidItem.archived_at.is_(None),
            )
        )
        tasks.append(("Ý kiến góp ý về khoản viện trợ cần trả lời", waiting, url_for("aid.inbox")))
    if rules.manage_aid.allows(user):
        dossiers = db.session.scalar(
            db.select(db.func.count(AidItem.id)).where(
                AidItem.status.in_(PROCEDURE_STATES), AidItem.archived_at.is_(None)
            )
        )
        overdue = db.session.scalar(
            db.select(db.func.count(AidItem.id)).where(
                overdue_condition(today_vn()), AidItem.archived_at.is_(None)
            )
        )
        tasks.append(("Hồ sơ viện trợ đang xử lý", dossiers, url_for("aid.inbox")))
        tasks.append(("Hồ sơ viện trợ quá hạn", overdue, url_for("aid.index", overdue=1)))
    return tasks
