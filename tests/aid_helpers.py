"""Builders shared by the aid tests."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.aid import services
from app.auth.models import Agency
from app.orgs.models import Organization


def make_org(db, code="ORG1", country="US", name=None):
    org = Organization(code=code, name=name or f"Organisation {code}", kind="ngo", country=country)
    db.session.add(org)
    db.session.flush()
    return org


def item_input(donor_ids, code="VT-001", **overrides) -> services.ItemInput:
    fields = {
        "code": code,
        "name": "Dự án nước sạch xã Đăk Tô",
        "name_en": "Clean water",
        "modality": "du_an",
        "regime": "nd313_2025",
        "owner_name": "UBND xã Đăk Tô",
        "governing_agency": "UBND tỉnh",
        "objectives": None,
        "description": None,
        "beneficiaries": None,
        "legacy_location": None,
        "value": Decimal("100000"),
        "currency": "USD",
        "rate_vnd": Decimal("25000"),
        "rate_usd": None,
        "counterpart_vnd": 50_000_000,
        "is_budget_revenue": True,
        "start_on": None,
        "end_on": None,
        "dossier_received_on": date(2025, 3, 3),
        "dossier_complete_on": date(2025, 3, 5),
        "dossier_documents": ["cong_van_de_nghi"],
    }
    sectors = overrides.pop("sectors", [("nuoc_ve_sinh", Decimal("60")), ("y_te", Decimal("40"))])
    communes = overrides.pop("communes", [])
    fields.update(overrides)
    return services.ItemInput(
        fields=fields, donor_ids=list(donor_ids), sectors=sectors, commune_codes=communes
    )


def agency_ids(db, *kinds):
    return list(db.session.scalars(sa.select(Agency.id).where(Agency.kind.in_(kinds))))
