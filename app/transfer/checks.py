"""The checks that need the registry: other agencies' drafts, approval decisions stored
for approved items, converted values, itineraries; and the codes the registry holds."""

from datetime import date

import sqlalchemy as sa

from app.aid.models import AidItem
from app.core.dates import DateParseError, parse_date
from app.core.models import Commune
from app.core.money import to_vnd
from app.core.validation import VND_LIMIT
from app.delegations import states as delegation_states
from app.delegations.models import Delegation
from app.extensions import db
from app.orgs.models import Organization
from app.transfer.issues import ReadResult
from app.transfer.rules_diplomacy import known_diplomacy_codes
from app.transfer.schema import APPROVED_STATUSES, SHEETS


def drafts_of_others(result: ReadResult, user) -> None:
    """A user may not change another agency's draft delegation (nor see that it exists)."""
    from app.core import permissions as rules

    if user is None or rules.administer.allows(user):
        return
    codes = {r.values.get("ma") for r in result.sheets.get("Doan", [])}
    codes |= {r.values.get("ma_doan") for r in result.sheets.get("ThanhVien", [])}
    codes.discard(None)
    if not codes:
        return
    foreign = set(
        db.session.scalars(
            sa.select(Delegation.code).where(
                Delegation.code.in_(codes),
                Delegation.status == delegation_states.DRAFT,
                Delegation.author_agency_id != user.agency_id,
            )
        )
    )
    for sheet, key in (("Doan", "ma"), ("ThanhVien", "ma_doan")):
        for row in result.sheets.get(sheet, []):
            if row.values.get(key) in foreign:
                result.error(
                    sheet,
                    row.excel_row,
                    SHEETS[sheet].column(key).label,
                    f"Không có đoàn mã {row.values[key]} (hồ sơ dự thảo của đơn vị khác).",
                )


def registry_checks(result: ReadResult) -> None:
    """Rules that need the database: approved items need a decision; itineraries parse;
    converted values fit the registry."""
    for sheet, amount_key, label in (
        ("VienTro", "gia_tri", "Giá trị viện trợ"),
        ("GiaiNgan", "so_tien", "Số tiền"),
    ):
        for row in result.sheets.get(sheet, []):
            amount, currency = row.values.get(amount_key), row.values.get("tien_te")
            rate = None if currency == "VND" else row.values.get("ty_gia")
            known = amount is not None and (rate or currency == "VND")
            if known and to_vnd(amount, rate) >= VND_LIMIT:
                result.error(sheet, row.excel_row, label, "Giá trị quy đổi ra VNĐ quá lớn.")
    approved_rows = [
        r
        for r in result.sheets.get("VienTro", [])
        if r.values.get("trang_thai") in APPROVED_STATUSES
    ]
    absent = [
        r
        for r in approved_rows
        if "so_quyet_dinh" not in r.present or "ngay_phe_duyet" not in r.present
    ]
    if absent:
        stored = dict(
            db.session.execute(
                sa.select(AidItem.code, AidItem.decision_number).where(
                    AidItem.code.in_([r.values.get("ma") for r in absent])
                )
            ).all()
        )
        for row in absent:
            if not stored.get(row.values.get("ma")):
                result.error(
                    "VienTro",
                    row.excel_row,
                    "Số quyết định phê duyệt",
                    "Khoản viện trợ đã phê duyệt phải có số và ngày quyết định.",
                )
    communes = None
    for row in result.sheets.get("Doan", []):
        text = row.values.get("lich_trinh")
        if not text:
            continue
        for line in text.splitlines():
            parts = [p.strip() for p in line.split("|")]
            try:
                day = parse_date(parts[0]) if parts and parts[0] else None
            except DateParseError as error:
                result.error("Doan", row.excel_row, "Lịch trình", str(error))
                continue
            start, end = row.values.get("tu_ngay"), row.values.get("den_ngay")
            if day and start and end and not (start <= day <= end):
                result.error(
                    "Doan",
                    row.excel_row,
                    "Lịch trình",
                    f"Ngày {day:%d/%m/%Y} ngoài thời gian của đoàn.",
                )
            if len(parts) > 1 and parts[1]:
                if communes is None:
                    communes = set(db.session.scalars(sa.select(Commune.code)))
                if parts[1] not in communes:
                    result.error(
                        "Doan",
                        row.excel_row,
                        "Lịch trình",
                        f"Mã xã, phường không tồn tại: {parts[1]}.",
                    )


def known_codes() -> tuple[dict[str, set[str]], dict[str, str]]:
    """The registry's codes per sheet (and communes), and its delegations' directions."""
    known, delegations = known_records()
    return known, {code: direction for code, (direction, _) in delegations.items()}


def known_records() -> tuple[dict[str, set[str]], dict[str, tuple[str, date]]]:
    """The registry's codes per sheet (and communes), and {delegation code: (direction,
    end date)} for the member rules."""
    delegations = {
        code: (str(direction), end_on)
        for code, direction, end_on in db.session.execute(
            sa.select(Delegation.code, Delegation.direction, Delegation.end_on)
        )
    }
    known = {
        "ToChuc": set(db.session.scalars(sa.select(Organization.code))),
        "VienTro": set(db.session.scalars(sa.select(AidItem.code))),
        "Doan": set(delegations),
        "communes": set(db.session.scalars(sa.select(Commune.code))),
        **known_diplomacy_codes(),
    }
    return known, delegations
