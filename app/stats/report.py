"""The annual report (spec/annual-report.md) as pure functions from DataFrames.

Nothing here touches Flask or the database: the loaders (app.stats.loaders) feed one frame
per source table and the figures apply every counting rule of the spec. Tests build the
frames by hand. The work is split by job; this module assembles the JSON and keeps the names
callers use (`report.annual_report`, `report.Frames`, `report.yearly_figures`, ...):

- app.stats.frames: the input frames, their columns and dtypes
- app.stats.money: exact USD totals and half-up rounding
- app.stats.aid_figures / app.stats.delegation_figures: the counting rules
- app.stats.yearly: yearly figures from daily totals (comparison, home page)
- app.stats.people_diplomacy: the people-to-people diplomacy sections (associations,
  training, budget, mobilisation; docs/spec/annual-report-people-diplomacy.md)
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd

from app.stats.aid_figures import (
    ACTIVE_STATUSES,
    APPROVED_OR_LATER,
    active_items,
    approved_items,
    approved_summary,
    by_country,
    by_donor,
    by_modality,
    by_sector,
    disbursed_from,
    disbursed_summary,
    disbursements_in_year,
    paid_totals,
)
from app.stats.delegation_figures import (
    COUNTED_DELEGATION_STATUSES,
    INCOMING,
    OUTGOING,
    counted_delegations,
    delegation_summary,
    delegations_by_country,
    delegations_by_month,
    delegations_by_purpose,
)
from app.stats.frames import (
    COLUMNS,
    DELEGATION_COLUMNS,
    DISBURSEMENT_COLUMNS,
    ITEM_COLUMNS,
    MEMBER_COLUMNS,
    ORGANIZATION_COLUMNS,
    SECTOR_COLUMNS,
    Frames,
    PaidTotals,
    empty_frame,
    plain,
)
from app.stats.money import round_half_up_fraction, usd_rate_micros, usd_total
from app.stats.people_diplomacy import PeopleInput, sections
from app.stats.yearly import (
    COMPARISON_COLUMNS,
    Totals,
    daily_totals,
    key_figures_from,
    yearly_figures,
)

__all__ = [
    "ACTIVE_STATUSES",
    "APPROVED_OR_LATER",
    "COLUMNS",
    "COMPARISON_COLUMNS",
    "COUNTED_DELEGATION_STATUSES",
    "DELEGATION_COLUMNS",
    "DISBURSEMENT_COLUMNS",
    "INCOMING",
    "ITEM_COLUMNS",
    "MEMBER_COLUMNS",
    "ORGANIZATION_COLUMNS",
    "OUTGOING",
    "SECTOR_COLUMNS",
    "VN_TZ",
    "Frames",
    "PaidTotals",
    "PeopleInput",
    "Totals",
    "active_items",
    "aid_section",
    "annual_report",
    "approved_items",
    "approved_summary",
    "assemble",
    "by_country",
    "by_donor",
    "by_modality",
    "by_sector",
    "counted_delegations",
    "daily_totals",
    "delegation_section",
    "delegation_summary",
    "delegations_by_country",
    "delegations_by_month",
    "delegations_by_purpose",
    "disbursed_from",
    "disbursed_summary",
    "disbursements_in_year",
    "empty_frame",
    "generated_now",
    "key_figures_from",
    "paid_totals",
    "round_half_up_fraction",
    "usd_rate_micros",
    "usd_total",
    "yearly_figures",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of Python values, in the frame's column order."""
    columns = list(frame.columns)
    return [
        {name: plain(value) for name, value in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _usd(value: Decimal) -> float:
    return float(value)


def aid_section(frames: Frames, year: int) -> dict:
    f = frames.prepared()
    approved = approved_summary(f.items, year)
    disbursed = disbursed_from(paid_totals(f, year))
    approved["value_usd"] = _usd(approved["value_usd"])
    disbursed["value_usd"] = _usd(disbursed["value_usd"])
    return {
        "approved": {
            "count": approved["count"],
            "value_vnd": approved["value_vnd"],
            "value_usd": approved["value_usd"],
            "usd_missing": approved["usd_missing"],
            "counterpart_vnd": approved["counterpart_vnd"],
        },
        "disbursed": disbursed,
        "active_count": len(active_items(f.items, year)),
        "by_sector": _records(by_sector(f.items, f.sectors, year)),
        "by_country": _records(by_country(f, year)),
        "by_donor": _records(by_donor(f, year)),
        "by_modality": _records(by_modality(f.items, year)),
    }


def delegation_section(frames: Frames, year: int) -> dict:
    f = frames.prepared()
    summary = delegation_summary(f.delegations, f.members, year)
    return {
        "incoming": summary["incoming"],
        "outgoing": summary["outgoing"],
        "by_country": _records(delegations_by_country(f.delegations, f.members, year)),
        "by_purpose": _records(delegations_by_purpose(f.delegations, year)),
        "by_month": _records(delegations_by_month(f.delegations, year)),
    }


def generated_now() -> datetime:
    return datetime.now(VN_TZ).replace(microsecond=0)


def annual_report(
    frames: Frames,
    year: int,
    generated_at: datetime | None = None,
    people: PeopleInput | None = None,
) -> dict:
    """The report of `year` in the JSON shape of the spec (same keys, same order); with
    `people`, followed by the people-to-people diplomacy sections (associations, training,
    budget, mobilisation: docs/spec/annual-report-people-diplomacy.md)."""
    frames = frames.prepared()
    return assemble(
        year,
        aid_section(frames, year),
        delegation_section(frames, year),
        sections(people, year) if people is not None else None,
        generated_at,
    )


def assemble(
    year: int,
    aid: dict,
    delegations: dict,
    people_sections: dict | None = None,
    generated_at: datetime | None = None,
) -> dict:
    """The report's JSON from its sections (the services compute and keep them apart)."""
    moment = (generated_at or generated_now()).astimezone(VN_TZ).replace(microsecond=0)
    result = {
        "year": year,
        "generated_at": moment.isoformat(),
        "aid": aid,
        "delegations": delegations,
    }
    if people_sections is not None:
        result.update(people_sections)
    return result
