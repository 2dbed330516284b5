"""Shared data of the training tests: a valid course, the agencies and a manager of the
internal-affairs duty (no demo login holds it)."""

from datetime import date

import sqlalchemy as sa

from app.auth.models import Agency, Role

INTERNAL_AFFAIRS_CODE = "SNV"  # Sở Nội vụ in app/demo.py (duty internal_affairs)


def course_data(**changes) -> dict:
    """A valid service input for a new course."""
    data = {
        "code": "dt-2026-01",
        "title": "Bồi dưỡng nghiệp vụ lễ tân đối ngoại",
        "start_on": date(2026, 3, 10),
        "end_on": date(2026, 3, 12),
        "organiser_agency_id": None,
        "organiser_text": "Ban Đối ngoại Trung ương",
        "place": "Hội trường Sở Nội vụ, Quảng Ngãi",
        "topics": ["le_tan", "doi_ngoai_nhan_dan"],
        "cost_vnd": 25_000_000,
        "funding_source": "Kinh phí đối ngoại nhân dân năm 2026",
        "notes": "",
    }
    data.update(changes)
    return data


def form_post(**changes) -> dict:
    """The same course as the web form posts it (dates dd/mm/yyyy, money Vietnamese)."""
    data = {
        "code": "dt-2026-01",
        "title": "Bồi dưỡng nghiệp vụ lễ tân đối ngoại",
        "start_on": "10/03/2026",
        "end_on": "12/03/2026",
        "organiser_agency_id": "",
        "organiser_text": "Ban Đối ngoại Trung ương",
        "place": "Hội trường Sở Nội vụ, Quảng Ngãi",
        "topics": ["le_tan", "doi_ngoai_nhan_dan"],
        "cost_vnd": "25.000.000",
        "funding_source": "Kinh phí đối ngoại nhân dân năm 2026",
        "notes": "",
    }
    data.update(changes)
    return data


def agency(db, code: str) -> Agency:
    return db.session.scalar(sa.select(Agency).where(Agency.code == code))


def internal_affairs_officer(db):
    """An officer of the internal-affairs agency (created once per test, committed)."""
    from app.auth import services

    user = services.ensure_user(
        "noivu.officer",
        "Cán bộ Sở Nội vụ",
        agency(db, INTERNAL_AFFAIRS_CODE),
        Role.OFFICER,
        "demo12345",
    )
    db.session.commit()
    return user
