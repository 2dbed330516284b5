"""The aid mobilisation funnel of a year, by donor country (docs/spec/mobilisation.md):
contacts → proposals → pledges → approved items → disbursed.

`load_mobilisation_frames` reads one SQL query per source table; `mobilisation_funnel` is
a pure function of the four frames (no Flask, no database), tested on hand-made frames.

Input frames (extra columns are ignored; an `archived_at` column drops archived rows):
- contacts: id, occurred_on, country (the donor's)
- proposals: id, country (the donor's), sent_on, requested_vnd, outcome, outcome_on,
  pledged_vnd, aid_item_id
- items: id, status, decision_date, value_vnd
- disbursements: aid_item_id, disbursed_on, value_vnd
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from app.aid.states import APPROVED_OR_LATER
from app.core.countries import country_name
from app.core.text import fold
from app.mobilisation import states
from app.stats.frames import in_year, to_datetime

COLUMNS = {
    "contacts": ("id", "occurred_on", "country"),
    "proposals": (
        "id",
        "country",
        "sent_on",
        "requested_vnd",
        "outcome",
        "outcome_on",
        "pledged_vnd",
        "aid_item_id",
    ),
    "items": ("id", "status", "decision_date", "value_vnd"),
    "disbursements": ("aid_item_id", "disbursed_on", "value_vnd"),
}
DATES = {
    "contacts": ("occurred_on",),
    "proposals": ("sent_on", "outcome_on"),
    "items": ("decision_date",),
    "disbursements": ("disbursed_on",),
}
# The JSON keys of each country's row and of the total, in the funnel's order.
FIGURES = (
    "contacts",
    "proposals",
    "requested_vnd",
    "pledges",
    "pledged_vnd",
    "approved_items",
    "approved_vnd",
    "disbursed_vnd",
)
UNKNOWN_COUNTRY = ""


def empty_frame(kind: str) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in COLUMNS[kind]})


def _prepared(kind: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None:
        frame = empty_frame(kind)
    missing = [c for c in COLUMNS[kind] if c not in frame.columns]
    if missing:
        raise ValueError(f"{kind}: missing columns {missing}")
    if "archived_at" in frame.columns:
        frame = frame[frame["archived_at"].isna()]
    frame = frame.loc[:, list(COLUMNS[kind])].copy()
    for column in DATES[kind]:
        frame[column] = to_datetime(frame[column])
    if "country" in frame.columns:
        frame["country"] = frame["country"].astype("object").fillna(UNKNOWN_COUNTRY).str.upper()
    for column in ("requested_vnd", "pledged_vnd", "value_vnd"):
        if column in frame.columns:
            frame[column] = [int(v) if pd.notna(v) else 0 for v in frame[column]]
    for column in ("aid_item_id", "id"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    if "outcome" in frame.columns:
        frame["outcome"] = frame["outcome"].astype("object").map(lambda v: getattr(v, "value", v))
    if "status" in frame.columns:
        frame["status"] = frame["status"].astype("object").map(lambda v: getattr(v, "value", v))
    return frame.reset_index(drop=True)


def _count(frame: pd.DataFrame) -> dict:
    return {str(k): int(v) for k, v in frame.groupby("country").size().items()}


def _sum(frame: pd.DataFrame, column: str) -> dict:
    totals: dict[str, int] = {}
    for country, value in zip(frame["country"], frame[column], strict=True):
        totals[country] = totals.get(country, 0) + int(value)
    return totals


def mobilisation_funnel(
    contacts_df: pd.DataFrame | None,
    proposals_df: pd.DataFrame | None,
    items_df: pd.DataFrame | None,
    disbursements_df: pd.DataFrame | None,
    year: int,
) -> dict:
    """The funnel of `year`, per donor country and in total (counting rules in
    docs/spec/mobilisation.md):
    - contacts: contacts dated in the year;
    - proposals (requested_vnd): proposals sent in the year (their requested value);
    - pledges (pledged_vnd): proposals whose outcome is "pledged" with the outcome dated in
      the year, whenever they were sent;
    - approved_items (approved_vnd): aid items linked to a proposal (sent any year) whose
      approval decision is dated in the year and whose status is approved or later; an
      item linked by several proposals counts once per donor country and once in the total;
    - disbursed_vnd: disbursements dated in the year to the items linked to a proposal
      (whatever the item's status), once per donor country and once in the total.
    Archived rows are left out. Countries without any figure are not listed.
    """
    contacts = _prepared("contacts", contacts_df)
    proposals = _prepared("proposals", proposals_df)
    items = _prepared("items", items_df)
    paid = _prepared("disbursements", disbursements_df)

    contacts = contacts[in_year(contacts["occurred_on"], year)]
    sent = proposals[in_year(proposals["sent_on"], year)]
    pledged = proposals[
        (proposals["outcome"] == states.PLEDGED) & in_year(proposals["outcome_on"], year)
    ]
    # (country, item) pairs: each linked item once per donor country.
    links = proposals.dropna(subset=["aid_item_id"])[["country", "aid_item_id"]].drop_duplicates()
    approved = items[
        items["status"].isin(APPROVED_OR_LATER) & in_year(items["decision_date"], year)
    ]
    approved_links = links.merge(
        approved[["id", "value_vnd"]], left_on="aid_item_id", right_on="id", how="inner"
    )
    live_items = set(items["id"].dropna().astype(int))
    paid = paid[in_year(paid["disbursed_on"], year)]
    paid = paid[paid["aid_item_id"].isin(live_items)]
    paid_by_item = paid.groupby("aid_item_id")["value_vnd"].agg(lambda s: sum(int(v) for v in s))
    paid_links = links.merge(
        paid_by_item.rename("value_vnd").reset_index(), on="aid_item_id", how="inner"
    )

    per_country = {
        "contacts": _count(contacts),
        "proposals": _count(sent),
        "requested_vnd": _sum(sent, "requested_vnd"),
        "pledges": _count(pledged),
        "pledged_vnd": _sum(pledged, "pledged_vnd"),
        "approved_items": _count(approved_links),
        "approved_vnd": _sum(approved_links, "value_vnd"),
        "disbursed_vnd": _sum(paid_links, "value_vnd"),
    }
    countries = sorted(
        {country for figures in per_country.values() for country in figures},
        key=lambda code: (code == UNKNOWN_COUNTRY, fold(country_name(code)), code),
    )
    rows = [
        {
            "country": code,
            "country_name": country_name(code) if code else "Không rõ",
            **{key: per_country[key].get(code, 0) for key in FIGURES},
        }
        for code in countries
    ]
    linked_approved = approved_links.drop_duplicates(subset=["aid_item_id"])
    linked_paid = paid_links.drop_duplicates(subset=["aid_item_id"])
    total = {
        "contacts": len(contacts),
        "proposals": len(sent),
        "requested_vnd": sum(int(v) for v in sent["requested_vnd"]),
        "pledges": len(pledged),
        "pledged_vnd": sum(int(v) for v in pledged["pledged_vnd"]),
        "approved_items": len(linked_approved),
        "approved_vnd": sum(int(v) for v in linked_approved["value_vnd"]),
        "disbursed_vnd": sum(int(v) for v in linked_paid["value_vnd"]),
    }
    return {"year": year, "by_country": rows, "total": total}


# --- Loading -------------------------------------------------------------------------------


def _text(column):
    return sa.type_coerce(column, sa.String).label(column.key)


def _read(connection, query, kind: str) -> pd.DataFrame:
    frame = pd.read_sql_query(query, connection)
    return empty_frame(kind) if frame.empty else frame


def load_mobilisation_frames(connection, year: int) -> dict[str, pd.DataFrame]:
    """The funnel's four frames for `year`, one query per table, archived rows left out:
    contacts dated in the year; proposals sent in the year, answered in the year or linked
    to an aid item; the linked live items; the year's disbursements to linked items."""
    from app.aid.models import AidItem, Disbursement
    from app.mobilisation.models import MobilisationContact as C
    from app.mobilisation.models import MobilisationProposal as P
    from app.orgs.models import Organization

    first, last = date(year, 1, 1), date(year, 12, 31)
    contacts = _read(
        connection,
        sa.select(C.id, C.occurred_on, Organization.country)
        .join(Organization, C.organization_id == Organization.id)
        .where(C.archived_at.is_(None), C.occurred_on.between(first, last)),
        "contacts",
    )
    proposals = _read(
        connection,
        sa.select(
            P.id,
            Organization.country,
            P.sent_on,
            P.requested_vnd,
            _text(P.outcome),
            P.outcome_on,
            P.pledged_vnd,
            P.aid_item_id,
        )
        .join(Organization, P.organization_id == Organization.id)
        .where(
            P.archived_at.is_(None),
            sa.or_(
                P.sent_on.between(first, last),
                P.outcome_on.between(first, last),
                P.aid_item_id.is_not(None),
            ),
        ),
        "proposals",
    )
    linked = sa.select(P.aid_item_id).where(P.archived_at.is_(None), P.aid_item_id.is_not(None))
    items = _read(
        connection,
        sa.select(
            AidItem.id, _text(AidItem.status), AidItem.decision_date, AidItem.value_vnd
        ).where(AidItem.archived_at.is_(None), AidItem.id.in_(linked)),
        "items",
    )
    disbursements = _read(
        connection,
        sa.select(
            Disbursement.aid_item_id, Disbursement.disbursed_on, Disbursement.value_vnd
        ).where(
            Disbursement.archived_at.is_(None),
            Disbursement.disbursed_on.between(first, last),
            Disbursement.aid_item_id.in_(linked),
        ),
        "disbursements",
    )
    return {
        "contacts_df": contacts,
        "proposals_df": proposals,
        "items_df": items,
        "disbursements_df": disbursements,
    }
