"""The mobilisation funnel as a pure function of four frames (no Flask, no database):
each stage's counting rule, by donor country and in total; and the loader on the
database gives the frames these rules expect."""

from datetime import date

import pandas as pd
import pytest

from app.stats.mobilisation_figures import FIGURES, mobilisation_funnel

Y = 2025


def frames(contacts=(), proposals=(), items=(), disbursements=()):
    """Frames from tuples, in the columns of app/stats/mobilisation_figures.py."""
    return {
        "contacts_df": pd.DataFrame(contacts, columns=["id", "occurred_on", "country"]),
        "proposals_df": pd.DataFrame(
            proposals,
            columns=[
                "id",
                "country",
                "sent_on",
                "requested_vnd",
                "outcome",
                "outcome_on",
                "pledged_vnd",
                "aid_item_id",
            ],
        ),
        "items_df": pd.DataFrame(items, columns=["id", "status", "decision_date", "value_vnd"]),
        "disbursements_df": pd.DataFrame(
            disbursements, columns=["aid_item_id", "disbursed_on", "value_vnd"]
        ),
    }


def by_country(result) -> dict:
    return {row["country"]: {k: row[k] for k in FIGURES} for row in result["by_country"]}


def test_nothing_gives_zeros_and_no_rows():
    result = mobilisation_funnel(None, None, None, None, Y)
    assert result == {"year": Y, "by_country": [], "total": dict.fromkeys(FIGURES, 0)}


def test_contacts_are_counted_in_the_year_of_their_date():
    data = frames(
        contacts=[
            (1, date(2025, 1, 1), "US"),
            (2, date(2025, 12, 31), "us"),
            (3, date(2024, 12, 31), "US"),
            (4, date(2026, 1, 1), "JP"),
            (5, None, "JP"),
        ]
    )
    result = mobilisation_funnel(**data, year=Y)
    assert by_country(result)["US"]["contacts"] == 2 and "JP" not in by_country(result)
    assert result["total"]["contacts"] == 2


def test_proposals_by_sent_date_and_pledges_by_outcome_date():
    data = frames(
        proposals=[
            # sent 2024, pledged 2025: a pledge of 2025, not a proposal of 2025
            (1, "US", date(2024, 11, 1), 100, "cam_ket", date(2025, 1, 5), 80, None),
            # sent 2025, pledged 2026: a proposal of 2025 only
            (2, "US", date(2025, 11, 1), 200, "cam_ket", date(2026, 1, 5), 150, None),
            # sent 2025, declined in 2025: a proposal, not a pledge
            (3, "JP", date(2025, 3, 1), 300, "khong_tai_tro", date(2025, 4, 1), None, None),
            # sent 2025, pending
            (4, "JP", date(2025, 5, 1), 400, "cho_phan_hoi", None, None, None),
        ]
    )
    rows = by_country(mobilisation_funnel(**data, year=Y))
    assert rows["US"]["proposals"] == 1 and rows["US"]["requested_vnd"] == 200
    assert rows["US"]["pledges"] == 1 and rows["US"]["pledged_vnd"] == 80
    assert rows["JP"]["proposals"] == 2 and rows["JP"]["requested_vnd"] == 700
    assert rows["JP"]["pledges"] == 0 and rows["JP"]["pledged_vnd"] == 0


def test_approved_items_are_the_linked_items_decided_in_the_year():
    data = frames(
        proposals=[
            (1, "US", date(2024, 1, 1), 1, "cam_ket", date(2024, 2, 1), 1, 10),
            (2, "US", date(2025, 1, 1), 1, "cam_ket", date(2025, 2, 1), 1, 10),  # same item
            (3, "JP", date(2025, 1, 1), 1, "cam_ket", date(2025, 2, 1), 1, 10),  # co-donor
            (4, "JP", date(2025, 1, 1), 1, "cam_ket", date(2025, 2, 1), 1, 11),
            (5, "DE", date(2025, 1, 1), 1, "cam_ket", date(2025, 2, 1), 1, 12),
            (6, "FR", date(2025, 1, 1), 1, "cam_ket", date(2025, 2, 1), 1, 13),
        ],
        items=[
            (10, "dang_thuc_hien", date(2025, 6, 1), 1_000),  # approved in 2025, running now
            (11, "da_phe_duyet", date(2024, 6, 1), 2_000),  # approved the year before
            (12, "tham_dinh", None, 3_000),  # not approved yet
            (13, "thu_hoi", date(2025, 3, 1), 4_000),  # approved in 2025, revoked later
            (14, "da_phe_duyet", date(2025, 3, 1), 5_000),  # linked by no proposal
        ],
    )
    result = mobilisation_funnel(**data, year=Y)
    rows = by_country(result)
    assert rows["US"]["approved_items"] == 1 and rows["US"]["approved_vnd"] == 1_000
    assert rows["JP"]["approved_items"] == 1 and rows["JP"]["approved_vnd"] == 1_000
    assert rows["DE"]["approved_items"] == 0 and rows["FR"]["approved_items"] == 1
    # Item 10 is counted once in the total although two countries share it.
    assert result["total"]["approved_items"] == 2 and result["total"]["approved_vnd"] == 5_000


def test_disbursed_is_the_years_money_to_linked_items():
    data = frames(
        proposals=[
            (1, "US", date(2024, 1, 1), 1, "cam_ket", date(2024, 2, 1), 1, 10),
            (2, "JP", date(2024, 1, 1), 1, "cam_ket", date(2024, 2, 1), 1, 10),
            (3, "KR", date(2024, 1, 1), 1, "cam_ket", date(2024, 2, 1), 1, 11),
        ],
        items=[(10, "dang_thuc_hien", date(2024, 6, 1), 9), (11, "hoan_thanh", None, 9)],
        disbursements=[
            (10, date(2025, 2, 1), 300),
            (10, date(2025, 9, 1), 700),
            (10, date(2024, 9, 1), 5_000),  # the year before
            (11, date(2025, 1, 1), 50),
            (99, date(2025, 1, 1), 8_000),  # an item linked by no proposal
        ],
    )
    result = mobilisation_funnel(**data, year=Y)
    rows = by_country(result)
    assert rows["US"]["disbursed_vnd"] == 1_000 and rows["JP"]["disbursed_vnd"] == 1_000
    assert rows["KR"]["disbursed_vnd"] == 50
    assert result["total"]["disbursed_vnd"] == 1_050


def test_archived_rows_and_items_are_left_out():
    data = frames(
        contacts=[(1, date(2025, 1, 1), "US"), (2, date(2025, 1, 1), "US")],
        proposals=[(1, "US", date(2025, 1, 1), 5, "cam_ket", date(2025, 1, 2), 5, 10)],
        items=[(10, "da_phe_duyet", date(2025, 3, 1), 9)],
        disbursements=[(10, date(2025, 4, 1), 3)],
    )
    data["contacts_df"]["archived_at"] = [None, pd.Timestamp("2025-05-01")]
    data["items_df"]["archived_at"] = [pd.Timestamp("2025-05-01")]
    total = mobilisation_funnel(**data, year=Y)["total"]
    assert total["contacts"] == 1 and total["proposals"] == 1
    assert total["approved_items"] == 0 and total["disbursed_vnd"] == 0


def test_countries_are_listed_by_vietnamese_name_with_their_names():
    data = frames(
        contacts=[
            (1, date(2025, 1, 1), "US"),
            (2, date(2025, 1, 1), "DE"),
            (3, date(2025, 1, 1), "AU"),
        ]
    )
    rows = mobilisation_funnel(**data, year=Y)["by_country"]
    assert [r["country_name"] for r in rows] == ["Đức", "Hoa Kỳ", "Úc"]  # folded: d < h < u
    assert [r["country"] for r in rows] == ["DE", "US", "AU"]


def test_big_amounts_stay_exact():
    big = 9 * 10**17
    data = frames(
        proposals=[
            (1, "US", date(2025, 1, 1), big, "cam_ket", date(2025, 1, 2), big, None),
            (2, "US", date(2025, 1, 1), big, "cho_phan_hoi", None, None, None),
        ]
    )
    total = mobilisation_funnel(**data, year=Y)["total"]
    assert total["requested_vnd"] == 2 * big and total["pledged_vnd"] == big


def test_a_frame_without_a_required_column_is_refused():
    with pytest.raises(ValueError, match="contacts: missing columns"):
        mobilisation_funnel(pd.DataFrame({"id": [1]}), None, None, None, Y)


def test_the_loader_reads_what_the_rules_expect(app, db, user, make_org, make_item):
    """Through the services and the real database: one contact, one proposal pledged and
    linked to an item approved (25/03/2025) and disbursed in 2025."""
    from decimal import Decimal

    from app.aid import services as aid_services
    from app.aid.states import AidStatus
    from app.mobilisation import services
    from app.stats.mobilisation_figures import load_mobilisation_frames

    fa, planner = user("foreign_affairs.officer"), user("planning.officer")
    donor = make_org("KOICA-F", "KR")
    item = make_item("VT-FIG", status=AidStatus.DANG_THUC_HIEN, donor=donor)
    with app.app_context():
        services.create_contact(
            {"occurred_on": date(2025, 1, 9), "kind": "thu", "donor_code": "KOICA-F",
             "participants": "A", "topic": "B"},
            user=fa,
        )  # fmt: skip
        proposal = services.create_proposal(
            {"code": "DX-FIG", "title": "T", "donor_code": "KOICA-F", "sent_on": date(2025, 1, 20),
             "sector": "y_te", "requested_value": Decimal("5000000"), "currency": "VND"},
            user=fa,
        )  # fmt: skip
        services.record_outcome(
            proposal,
            {"outcome": "cam_ket", "outcome_on": date(2025, 2, 1),
             "pledged_value": Decimal("4000000"), "aid_item_code": "VT-FIG"},
            user=fa, version=proposal.version,
        )  # fmt: skip
        aid_services.add_disbursement(
            item, date(2025, 5, 1), Decimal("7000000"), "VND", None, None, user=planner
        )
        db.session.commit()
        loaded = load_mobilisation_frames(db.session.connection(), 2025)
    result = mobilisation_funnel(**loaded, year=2025)
    assert by_country(result)["KR"] == {
        "contacts": 1,
        "proposals": 1,
        "requested_vnd": 5_000_000,
        "pledges": 1,
        "pledged_vnd": 4_000_000,
        "approved_items": 1,
        "approved_vnd": item.value_vnd,
        "disbursed_vnd": 7_000_000,
    }
    assert mobilisation_funnel(**loaded, year=2024)["by_country"] == []
