"""A delegation's history page: who changed what, when, in the delegation and its parts;
members' personal data as `see_personal_data` says, an unmasked view audited."""

from flask_login import current_user

from app.core import permissions as rules
from app.core.listing import paginate
from app.core.permissions import requires
from app.delegations.history import describe_history, history_query
from app.delegations.services.delegation import logged
from app.delegations.states import DelegationAudit
from app.delegations.views import audited_page, bp, get_visible

PER_PAGE = 50


@bp.route("/<int:delegation_id>/lich-su")
@requires(rules.read_delegations)
def history(delegation_id: int):
    delegation = get_visible(delegation_id)
    personal = rules.see_personal_data.allows(current_user, delegation)
    page = paginate(history_query(delegation), per_page=PER_PAGE)
    described = describe_history(delegation, page.items, personal=personal)
    if described.personal_shown:
        summary = f"Xem ngày sinh, số hộ chiếu thành viên đoàn {delegation.code} (lịch sử hồ sơ)"
        logged(delegation, DelegationAudit.PERSONAL_DATA_VIEW, summary, user=current_user)
    return audited_page("delegations/history.html", d=delegation, page=page, rows=described.rows)
