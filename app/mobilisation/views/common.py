"""What the contact and proposal pages share: the donor picker's codes, the list's export
arguments, the donor's history."""

from flask import request

from app.core.countries import country_name
from app.core.text import fold
from app.extensions import db
from app.mobilisation import queries
from app.orgs.models import Organization


def donor_codes():
    """(code, name) of the live organisations, for the donor code's suggestions."""
    return db.session.execute(
        db.select(Organization.code, Organization.name)
        .where(Organization.archived_at.is_(None))
        .order_by(Organization.code)
    ).all()


def export_args(names) -> dict:
    """The list's query-string filters that its export links carry (not the page)."""
    return {k: v for k, v in request.args.items() if k in names and v}


def countries():
    """(code, Vietnamese name) of the donors' countries that have contacts or proposals."""
    from app.mobilisation.models import MobilisationContact, MobilisationProposal

    used = db.session.scalars(
        db.select(Organization.country)
        .where(
            db.or_(
                Organization.id.in_(db.select(MobilisationContact.organization_id)),
                Organization.id.in_(db.select(MobilisationProposal.organization_id)),
            )
        )
        .distinct()
    ).all()
    return sorted(((code, country_name(code)) for code in used), key=lambda pair: fold(pair[1]))


def history_context(organization: Organization) -> dict:
    """The donor's mobilisation history, for the record pages' side panel."""
    return {"donor": organization, "history": queries.donor_history(organization.id)}
