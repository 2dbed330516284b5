"""Builders shared by the delegation tests."""

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.dates import today_vn
from app.core.models import Commune
from app.delegations import services


def future(days: int) -> date:
    return today_vn() + timedelta(days=days)


def delegation_input(code="DV-001", direction="vao", start=None, end=None, stops=None, **fields):
    start = start or future(30)
    end = end or start + timedelta(days=3)
    values = {
        "code": code,
        "direction": direction,
        "title": "Đoàn khảo sát dự án nước sạch",
        "purpose": "khao_sat",
        "organization_id": None,
        "sending_party": "Korea Water Aid",
        "country": "KR",
        "other_countries": None,
        "start_on": start,
        "end_on": end,
        "host_agency_id": None,
        "funding": "nha_tai_tro",
        "aid_item_id": None,
        "contact": None,
        "notes": None,
    }
    values.update(fields)
    return services.DelegationInput(fields=values, stops=stops or [])


def member(name="Kim Min-jun", nationality="KR", passport="M1234567", **extra):
    values = {
        "full_name": name,
        "sex": "nam",
        "birth_date": date(1980, 5, 1),
        "nationality": nationality,
        "passport_number": passport,
        "passport_type": "pho_thong",
        "passport_expiry": future(400),
        "position": "Trưởng đoàn",
        "organization_name": "KWA",
        "is_head": False,
    }
    values.update(extra)
    return values


def border_commune(db) -> Commune:
    commune = db.session.scalar(
        sa.select(Commune).where(Commune.province_code == 51).order_by(Commune.code).limit(1)
    )
    commune.is_border = True
    db.session.flush()
    return commune
