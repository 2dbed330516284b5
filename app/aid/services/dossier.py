"""The dossier of an aid item: receive it, correct it before the decision, attach its
documents, archive it. Writes only; the view commits once."""

from dataclasses import dataclass, replace
from decimal import Decimal

from app.aid import states
from app.aid.models import AidItem, item_search_text
from app.aid.regimes import regime_rules
from app.aid.services import checklist
from app.aid.services.common import saved, vnd_value
from app.aid.states import AidAudit
from app.aid.workflow import AID_WORKFLOW
from app.core import attachments, audit, validation
from app.core import permissions as rules
from app.core.concurrency import check_version
from app.core.dates import add_period
from app.core.errors import FieldError
from app.core.models import Commune, utcnow
from app.extensions import db
from app.orgs.models import Organization

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
    "central_reason",
    "start_on",
    "end_on",
    "dossier_received_on",
    "dossier_complete_on",
    "dossier_documents",
    "aid_kinds",
)


@dataclass
class ItemInput:
    """Validated values of the item form (plus its lists)."""

    fields: dict
    donor_ids: list[int]  # the first is the main donor
    sectors: list[tuple[str, Decimal | None]]
    commune_codes: list[str]


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


def _code_is_free(code: str, item_id: int | None) -> None:
    duplicate = db.session.scalar(
        db.select(AidItem.id).where(AidItem.code == code, AidItem.id != (item_id or 0))
    )
    if duplicate:
        raise FieldError("code", f"Mã khoản viện trợ '{code}' đã được dùng.")


def _donors_exist(donor_ids: list[int]) -> None:
    if not donor_ids:
        raise FieldError("main_donor_id", "Vui lòng chọn nhà tài trợ.")
    known = set(
        db.session.scalars(db.select(Organization.id).where(Organization.id.in_(donor_ids)))
    )
    if set(donor_ids) - known:
        raise FieldError("main_donor_id", "Nhà tài trợ không tồn tại.")
    if len(set(donor_ids)) != len(donor_ids):
        raise FieldError("co_donor_ids", "Nhà đồng tài trợ không được trùng nhà tài trợ chính.")


def _communes_exist(codes: list[str]) -> None:
    if not codes:
        return
    found = set(db.session.scalars(db.select(Commune.code).where(Commune.code.in_(codes))))
    if missing := sorted(set(codes) - found):
        raise FieldError("communes", f"Mã xã, phường không tồn tại: {', '.join(missing)}.")


def _cleaned(data: ItemInput) -> ItemInput:
    """Text stripped, empty text as None; counterpart funds in whole đồng."""
    fields = {
        name: (value.strip() or None) if isinstance(value, str) else value
        for name, value in data.fields.items()
    }
    if fields.get("counterpart_vnd") is not None:
        fields["counterpart_vnd"] = int(fields["counterpart_vnd"])
    return replace(data, fields=fields)


def _validate_item(data: ItemInput, item_id: int | None = None) -> None:
    """Every rule of the dossier form; all broken ones are reported together."""
    f = data.fields
    received, complete = f.get("dossier_received_on"), f.get("dossier_complete_on")
    validation.raise_all(
        validation.collect(
            (_code_is_free, f["code"], item_id),
            (_donors_exist, data.donor_ids),
            (validation.money, f["value"], f["currency"], f["rate_vnd"], f["rate_usd"]),
            (validation.not_negative, f.get("counterpart_vnd"), "counterpart_vnd", "Vốn đối ứng"),
            (
                validation.in_order,
                f.get("start_on"),
                f.get("end_on"),
                "end_on",
                "Ngày kết thúc không được trước ngày bắt đầu.",
            ),
            (
                validation.in_order,
                received,
                complete,
                "dossier_complete_on",
                "Ngày hồ sơ hợp lệ không được trước ngày nhận.",
            ),
            (validation.not_future, received, "dossier_received_on", "Ngày nhận hồ sơ"),
            (validation.not_future, complete, "dossier_complete_on", "Ngày hồ sơ hợp lệ"),
            (check_sectors, data.sectors),
            (_communes_exist, data.commune_codes),
        )
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
    deadline = regime_rules(item.regime).appraisal_deadline  # the item's regime's row
    item.appraisal_due_on = (
        add_period(item.dossier_complete_on, *deadline) if item.dossier_complete_on else None
    )
    item.main_donor_id = data.donor_ids[0]
    # Child rows are part of the item (audited through its diff).
    item.set_children(donors=data.donor_ids, sectors=data.sectors, communes=data.commune_codes)
    donor_names = db.session.scalars(
        db.select(Organization.name).where(Organization.id.in_(data.donor_ids))
    ).all()
    item.search_text = item_search_text(item.code, item.name, item.name_en, donor_names)


def _snapshot(item: AidItem) -> dict:
    values = audit.snapshot(item, ITEM_FIELDS)
    values["donors"] = [d.organization_id for d in item.donors]
    values["sectors"] = [
        f"{s.sector}:{s.share}" if s.share is not None else s.sector for s in item.sectors
    ]
    values["communes"] = [loc.commune_code for loc in item.locations]
    return values


def create_item(data: ItemInput, *, user) -> AidItem:
    """Receive a dossier: the item starts in 'tiếp nhận hồ sơ'."""
    rules.manage_aid.require(user)
    data = _cleaned(data)
    _validate_item(data)
    item = AidItem(status=states.INITIAL, created_by_id=user.id)
    db.session.add(item)
    _apply_item_fields(item, data)
    AID_WORKFLOW.record_start(item, user, "receive")
    summary = f"Tiếp nhận hồ sơ khoản viện trợ {item.code}"
    return saved(
        item, AidAudit.CREATE, user=user, summary=summary, changes=audit.diff({}, _snapshot(item))
    )


def update_item(item: AidItem, data: ItemInput, *, user, version: int | None = None) -> AidItem:
    """Edit the dossier before the decision; afterwards changes go through an amendment.

    The version is required: only the edit form calls this, and it always sends one.
    """
    AID_WORKFLOW.require(item, "edit", user)
    check_version(item, version)
    data = _cleaned(data)
    _validate_item(data, item.id)
    before = _snapshot(item)
    _apply_item_fields(item, data)
    if changes := audit.diff(before, _snapshot(item)):
        summary = f"Sửa khoản viện trợ {item.code}"
        saved(item, AidAudit.UPDATE, user=user, summary=summary, changes=changes)
    return item


def archive_item(item: AidItem, reason: str, *, user, version: int | None = None) -> None:
    """Archive (never delete) the item, with why; a stale page is refused."""
    AID_WORKFLOW.require(item, "archive", user)
    if version is not None:
        check_version(item, version)
    if not (reason or "").strip():
        raise FieldError("reason", "Vui lòng ghi lý do lưu trữ.")
    item.archived_at = utcnow()
    item.archive_reason = reason.strip()
    saved(item, AidAudit.ARCHIVE, user=user, summary=f"Lưu trữ {item.code}: {reason}")


def attach_file(item: AidItem, file, note: str | None = None, document: str | None = None, *, user):
    """A document of the dossier or the follow-up (scan of the request, letters...); as a
    document of the checklist, it is also ticked as received."""
    AID_WORKFLOW.require(item, "attach", user)
    if document:
        checklist._known(document)  # 422 next to the field before the file is stored
    stored = attachments.store(file, "aid_item", item.id, user, note or None)
    if document:
        checklist.mark_document(item, document, True, stored.id, user=user)
    return stored
