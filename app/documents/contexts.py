"""What each document says: the values a template is filled with, built from the record.

Every kind gets the layout values of Decree 30/2020/NĐ-CP, Appendix I (`layout()`: the
governing and issuing agencies, number and symbol, place and date written out, the
recipients, the signer) and its own values (`CONTEXTS[kind]`). Names of agencies are the
names they had on the drafting day (app/auth/names.py), the province is the setting
PROVINCE_CODE; nothing here names an agency. VARIABLES lists, per kind, the names a template
may use (checked when an administrator uploads a new version, and shown on that page).
"""

from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.auth.models import Agency, AgencyDuty, Duty
from app.auth.names import agency_name_on
from app.core.countries import country_name
from app.core.dates import format_date
from app.core.money import format_money, format_number
from app.delegations import states as delegation_states
from app.documents.states import DocumentKind as K
from app.documents.wording import date_in_words, place_and_date, vnd_in_words
from app.extensions import db

LAYOUT_VARIABLES = (
    "parent_agency", "agency", "agency_name", "number", "place_date", "drafted_on",
    "draft_note", "excerpt", "recipients", "signer_title", "signer_role", "signer_name",
    "province",
)  # fmt: skip

# The document symbols of Decree 30/2020, Appendix III (QĐ decision, BC report, TB notice,
# DS list; a letter has none, only the agency's symbol).
SYMBOLS = {
    K.AID_APPRAISAL_REPORT: "BC",
    K.AID_APPROVAL_DRAFT: "QĐ",
    K.AID_REFUSAL_LETTER: "",
    K.AID_DECISION_NOTICE: "TB",
    K.DELEGATION_BORDER_NOTICE: "TB",
    K.DELEGATION_RECEPTION_LIST: "DS",
    K.ANNUAL_AID_REPORT: "BC",
    K.PLAN_REPORT: "BC",
}


def province_name() -> str:
    """The province of the setting PROVINCE_CODE ("Quảng Ngãi")."""
    from vietnam_provinces import Province

    code = current_app.config["PROVINCE_CODE"]
    return next((p.name for p in Province.iter_all() if int(p.code) == code), "")


def _committee(province: str) -> str:
    return f"Ủy ban nhân dân tỉnh {province}"


def layout(kind: str, agency: Agency, day: date, *, committee: bool = False) -> dict:
    """The Decree 30 frame: who issues (the drafting user's agency, or the province's
    People's Committee for a decision it signs), under whom, the number left blank for the
    clerk, place and date written out, the default signer."""
    province = province_name()
    if committee:
        parent, issuer, short = "", _committee(province), "UBND"
    else:
        parent_agency = agency.parent
        parent = agency_name_on(parent_agency, day) if parent_agency else _committee(province)
        issuer, short = agency_name_on(agency, day), agency.short_name or agency.code or ""
    symbol = SYMBOLS.get(K(kind), "")
    return {
        "parent_agency": parent.upper(),
        "agency": issuer.upper(),
        "agency_name": issuer,
        "number": f"Số:        /{symbol + '-' if symbol else ''}{short}",
        "place_date": place_and_date(province, day),
        "drafted_on": date_in_words(day),
        "draft_note": f"Dự thảo {date_in_words(day)}",
        "excerpt": "",
        "recipients": [],
        # Decree 30, Appendix I: "TM." for a collective body, then the signer's position.
        "signer_title": "TM. ỦY BAN NHÂN DÂN" if committee else "",
        "signer_role": "CHỦ TỊCH" if committee else "THỦ TRƯỞNG CƠ QUAN",
        "signer_name": "",
        "province": province,
    }


def _amount(value_vnd: int | None) -> dict:
    value = int(value_vnd or 0)
    return {"figures": f"{format_number(value)} đồng", "words": vnd_in_words(value)}


# --- Aid items ------------------------------------------------------------------------------


def _item(item, day: date) -> dict:
    donors = [d.organization for d in item.donors]
    value = {"original": format_money(item.value, item.currency), **_amount(item.value_vnd)}
    return {
        "code": item.code,
        "name": item.name,
        "modality": item.modality_label,
        "regime": item.regime_label,
        "donor": donors[0].name if donors else "",
        "donor_country": country_name(donors[0].country) if donors else "",
        "co_donors": [o.name for o in donors[1:]],
        "owner": item.owner_name or "",
        "governing_agency": item.governing_agency or "",
        "objectives": item.objectives or "",
        "description": item.description or "",
        "locations": "; ".join(loc.commune.name for loc in item.locations)
        or (item.legacy_location or ""),
        "sectors": "; ".join(s.label for s in item.sectors),
        "period": (
            f"{format_date(item.start_on)} – {format_date(item.end_on)}"
            if item.start_on or item.end_on
            else ""
        ),
        "value": value,
        "is_foreign_currency": item.currency != "VND",
        "counterpart": _amount(item.counterpart_vnd) if item.counterpart_vnd else None,
        "received_on": date_in_words(item.dossier_received_on) if item.dossier_received_on else "",
        "decision_number": item.decision_number or "",
        "decision_date": date_in_words(item.decision_date) if item.decision_date else "",
        "decision_signer": item.decision_signer or "",
        "appraisal_conclusion": item.appraisal_conclusion or "",
        "appraisal_on": date_in_words(item.appraisal_on) if item.appraisal_on else "",
    }


def _live_opinions(item) -> list:
    return [o for o in item.opinions if o.cancelled_at is None]


def _opinion_rows(item) -> list[dict]:
    return [
        {
            "agency": agency_name_on(o.agency, o.answered_on or o.requested_on),
            "verdict": o.verdict_label,
            "answer": o.answer or "",
            "document_number": o.document_number or "",
        }
        for o in _live_opinions(item)
    ]


def _last_decision(item, kind: str):
    from app.aid.models import Decision

    return db.session.scalar(
        sa.select(Decision)
        .where(Decision.aid_item_id == item.id, Decision.kind == kind)
        .order_by(Decision.signed_on.desc(), Decision.id.desc())
        .limit(1)
    )


def opinion_request(item, day: date) -> dict:
    opinions = _live_opinions(item)
    due = min((o.due_on for o in opinions), default=None)
    return {
        "item": _item(item, day),
        "excerpt": f"V/v xin ý kiến về khoản viện trợ {item.code}",
        "recipients": [agency_name_on(o.agency, day) for o in opinions],
        "answer_by": date_in_words(due) if due else "",
    }


def appraisal_report(item, day: date) -> dict:
    return {
        "item": _item(item, day),
        "title": "BÁO CÁO THẨM ĐỊNH",
        "excerpt": f"Khoản viện trợ {item.code} – {item.name}",
        "opinions": _opinion_rows(item),
        "recipients": [_committee(province_name())],
    }


def approval_draft(item, day: date) -> dict:
    return {
        "item": _item(item, day),
        "title": "QUYẾT ĐỊNH",
        "excerpt": f"Về việc phê duyệt khoản viện trợ {item.code} – {item.name}",
        "recipients": [item.owner_name or "Chủ khoản viện trợ", "Các cơ quan liên quan"],
    }


def refusal_letter(item, day: date) -> dict:
    from app.aid.states import DecisionKind

    refusal = _last_decision(item, DecisionKind.KHONG_CHAP_THUAN.value)
    context = _item(item, day)
    return {
        "item": context,
        "excerpt": f"V/v không chấp thuận khoản viện trợ {item.code}",
        "reasons": (refusal.content if refusal else None) or item.appraisal_conclusion or "",
        "recipients": [r for r in (context["donor"], context["owner"]) if r],
    }


def decision_notice(item, day: date) -> dict:
    context = _item(item, day)
    return {
        "item": context,
        "title": "THÔNG BÁO",
        "excerpt": f"Quyết định phê duyệt khoản viện trợ {item.code}",
        "recipients": [context["donor"]] if context["donor"] else [],
    }


# --- Delegations ----------------------------------------------------------------------------


def _delegation(delegation, day: date) -> dict:
    return {
        "code": delegation.code,
        "title": delegation.title,
        "direction": delegation.direction_label,
        "purpose": delegation.purpose_label,
        "sender": (
            delegation.organization.name
            if delegation.organization
            else (delegation.sending_party or "")
        ),
        "country": country_name(delegation.country),
        "start_on": format_date(delegation.start_on),
        "end_on": format_date(delegation.end_on),
        "start_in_words": date_in_words(delegation.start_on),
        "end_in_words": date_in_words(delegation.end_on),
        "host": agency_name_on(delegation.host_agency, day),
        "author": agency_name_on(delegation.author_agency, day),
        "member_count": len(delegation.members),
        "approval_number": delegation.approval_number or "",
        "approval_date": date_in_words(delegation.approval_date)
        if delegation.approval_date
        else "",
    }


def _stops(delegation) -> list[dict]:
    return [
        {
            "day": format_date(s.day),
            "place": ", ".join(p for p in (s.place, s.commune.name if s.commune else None) if p),
            "activity": s.activity or "",
            "border": bool(s.commune and s.commune.is_border),
        }
        for s in delegation.stops
    ]


def _agencies_holding(*duties: Duty) -> list[Agency]:
    return db.session.scalars(
        sa.select(Agency)
        .join(AgencyDuty)
        .where(AgencyDuty.duty.in_(duties), Agency.active.is_(True))
        .order_by(Agency.name)
        .distinct()
    ).all()


def reply(delegation, day: date) -> dict:
    """Agree, agree with conditions (the reviews' conditions) or refuse (the reason)."""
    from app.delegations.models import Verdict

    conditions = [
        f"{agency_name_on(r.agency, r.reviewed_on)}: {r.text}"
        for r in delegation.reviews
        if r.verdict == Verdict.DONG_Y_CO_DIEU_KIEN
    ]
    if delegation.refusal_reason or delegation.status == delegation_states.S.TU_CHOI:
        answer = "không đồng ý"
    elif conditions:
        answer = "đồng ý với các điều kiện sau"
    else:
        answer = "đồng ý"
    context = _delegation(delegation, day)
    recipients = [r for r in {context["author"]: 1, context["host"]: 1} if r]
    return {
        "delegation": context,
        "excerpt": f"V/v trả lời đề nghị đón đoàn {delegation.code}",
        "answer": answer,
        "agrees": answer != "không đồng ý",
        "conditions": conditions,
        "refusal_reason": delegation.refusal_reason or "",
        "recipients": recipients,
    }


def border_notice(delegation, day: date) -> dict:
    permit = delegation.permits[-1] if delegation.permits else None
    return {
        "delegation": _delegation(delegation, day),
        "title": "THÔNG BÁO",
        "excerpt": f"Về việc đoàn {delegation.code} vào khu vực biên giới",
        "border_stops": [s for s in _stops(delegation) if s["border"]],
        "permit": (f"số {permit.number} cấp {date_in_words(permit.issued_on)}" if permit else ""),
        "recipients": [
            agency_name_on(a, day) for a in _agencies_holding(Duty.POLICE, Duty.BORDER_GUARD)
        ],
    }


def reception_list(delegation, day: date) -> dict:
    """Names, positions and the programme; never dates of birth or passport numbers (the
    file may be sent and kept: those stay on the printable page, shown by the rule)."""
    members = [
        {
            "index": i,
            "name": m.full_name + (" (Trưởng đoàn)" if m.is_head else ""),
            "sex": m.sex_label,
            "nationality": country_name(m.nationality),
            "position": m.position or "",
            "organization": m.organization_name or "",
        }
        for i, m in enumerate(delegation.members, 1)
    ]
    context = _delegation(delegation, day)
    return {
        "delegation": context,
        "title": "DANH SÁCH ĐOÀN",
        "excerpt": delegation.title,
        "members": members,
        "stops": _stops(delegation),
        "recipients": [context["host"]] if context["host"] else [],
    }


# --- The year's aid report ------------------------------------------------------------------


def annual_report(year: int, day: date) -> dict:
    """The year's figures from the statistics (app/stats, the annual report's rules)."""
    from app.aid.models import Modality, Sector
    from app.stats import services as stats

    data = stats.annual_report(year)
    aid, delegations = data["aid"], data["delegations"]
    ministry = current_app.config["DOCUMENTS_ANNUAL_REPORT_TO"]
    return {
        "year": year,
        "title": "BÁO CÁO",
        "excerpt": f"Tình hình tiếp nhận, quản lý và sử dụng viện trợ năm {year}",
        "approved": {
            "count": aid["approved"]["count"],
            **_amount(aid["approved"]["value_vnd"]),
            "counterpart": _amount(aid["approved"]["counterpart_vnd"]),
        },
        "disbursed": {"count": aid["disbursed"]["count"], **_amount(aid["disbursed"]["value_vnd"])},
        "active_count": aid["active_count"],
        "by_sector": [
            {"name": Sector(r["sector"]).label, "count": r["count"], **_amount(r["value_vnd"])}
            for r in aid["by_sector"]
        ],
        "by_country": [
            {"name": country_name(r["country"]), "count": r["count"], **_amount(r["value_vnd"])}
            for r in aid["by_country"]
        ],
        "by_modality": [
            {"name": Modality(r["modality"]).label, "count": r["count"], **_amount(r["value_vnd"])}
            for r in aid["by_modality"]
        ],
        "incoming": delegations["incoming"],
        "outgoing": delegations["outgoing"],
        "recipients": [ministry],
    }


# --- The plan's periodic report --------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """A text as its non-empty lines (one paragraph each in the document)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _figure(key: str, figure) -> dict:
    from app.stats.plan_figures import VND, group_title

    shown = _amount(figure.value) if figure.kind == VND else None
    return {
        "label": f"{group_title(key)}: {figure.label.removesuffix(' (VNĐ)')}",
        "value": shown["figures"] if shown else format_number(figure.value),
        "words": shown["words"] if shown else "",
    }


def plan_report(report, day: date) -> dict:
    """Each plan item: the registry's figures for the period (app.stats.plan_figures, as
    the report's page shows them), the consolidated text, or while there is none the asked
    agencies' texts marked as drafts."""
    from app.planreport import plan_items
    from app.planreport.services import report_contributions
    from app.planreport.states import FINAL
    from app.stats.plan_figures import period_figures

    first, last = report.bounds
    figures = period_figures(db.session.connection(), first, last)
    texts = report_contributions(report)
    items = []
    for item in plan_items.PLAN_ITEMS:
        consolidated = _lines(report.consolidated_text(item.number))
        drafts = [
            {"agency": agency_name_on(c.agency, day), "lines": _lines(c.text)}
            for c in texts
            if c.item_no == item.number and _lines(c.text) and not consolidated
        ]
        items.append(
            {
                "number": item.number,
                "title": item.title,
                "figures": [_figure(k, f) for k in item.figures for f in figures.get(k, [])],
                "text": consolidated,
                "drafts": drafts,
            }
        )
    return {
        "title": "BÁO CÁO",
        "excerpt": f"Kết quả thực hiện Kế hoạch công tác đối ngoại nhân dân {report.period_label}",
        "period": report.period_label,
        "period_span": f"từ ngày {format_date(first)} đến ngày {format_date(last)}",
        "is_final": report.status == FINAL,
        "items": items,
        "recipients": [
            f"{_committee(province_name())} (để báo cáo)",
            "Các cơ quan, đơn vị được đề nghị đóng góp báo cáo",
        ],
    }


CONTEXTS = {
    K.AID_OPINION_REQUEST: opinion_request,
    K.AID_APPRAISAL_REPORT: appraisal_report,
    K.AID_APPROVAL_DRAFT: approval_draft,
    K.AID_REFUSAL_LETTER: refusal_letter,
    K.AID_DECISION_NOTICE: decision_notice,
    K.DELEGATION_REPLY: reply,
    K.DELEGATION_BORDER_NOTICE: border_notice,
    K.DELEGATION_RECEPTION_LIST: reception_list,
    K.ANNUAL_AID_REPORT: annual_report,
    K.PLAN_REPORT: plan_report,
}
# The kind's own top-level names (besides LAYOUT_VARIABLES).
OWN_VARIABLES = {
    K.AID_OPINION_REQUEST: ("item", "answer_by"),
    K.AID_APPRAISAL_REPORT: ("item", "title", "opinions"),
    K.AID_APPROVAL_DRAFT: ("item", "title"),
    K.AID_REFUSAL_LETTER: ("item", "reasons"),
    K.AID_DECISION_NOTICE: ("item", "title"),
    K.DELEGATION_REPLY: ("delegation", "answer", "agrees", "conditions", "refusal_reason"),
    K.DELEGATION_BORDER_NOTICE: ("delegation", "title", "border_stops", "permit"),
    K.DELEGATION_RECEPTION_LIST: ("delegation", "title", "members", "stops"),
    K.ANNUAL_AID_REPORT: (
        "year", "title", "approved", "disbursed", "active_count", "by_sector", "by_country",
        "by_modality", "incoming", "outgoing",
    ),
    K.PLAN_REPORT: ("title", "period", "period_span", "is_final", "items"),
}  # fmt: skip


def variables(kind: str) -> frozenset[str]:
    return frozenset(LAYOUT_VARIABLES) | frozenset(OWN_VARIABLES[K(kind)])


def build(kind: str, record, agency: Agency, day: date) -> dict:
    """The whole context of a document of `kind` drafted from `record` by `agency` on `day`."""
    kind = K(kind)
    context = layout(kind, agency, day, committee=kind == K.AID_APPROVAL_DRAFT)
    context.update(CONTEXTS[kind](record, day))
    return context
