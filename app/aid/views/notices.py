"""The notices after a decision (issue 12, point 9): marking one as sent, from the inbox or
the item's page."""

from flask import request, url_for
from flask_login import current_user

from app.aid import services
from app.aid.forms import NoticeDoneForm
from app.aid.notices import AidNotice
from app.aid.views import bp, detail_url
from app.core import permissions as rules
from app.core.dates import format_date, today_vn
from app.core.permissions import requires
from app.core.web import form_page, form_values, get_or_404, step_check


@bp.route("/thong-bao/<int:notice_id>/da-gui", methods=["GET", "POST"])
@requires(rules.manage_aid)
def notice_done(notice_id: int):
    notice = get_or_404(AidNotice, notice_id)
    item = notice.aid_item
    step_check(lambda: services.require_open(notice), detail_url(item))  # 409 once done
    form = NoticeDoneForm()
    if request.method == "GET":
        form.version.data = notice.version
        form.done_on.data = today_vn()
    back = url_for("aid.inbox") if request.args.get("tu") == "hop-thu" else detail_url(item)
    return form_page(
        form,
        "core/step.html",
        save=lambda: services.complete_notice(
            notice, **form_values(form), user=current_user, version=form.version_number()
        ),
        success=f"Đã ghi nhận: {notice.label}.",
        redirect_to=back,
        title=f"Đã gửi: {notice.label}",
        record=item,
        record_name=item.name,
        record_note=f"Hạn {format_date(notice.due_on)} ({notice.rule or ''})",
        record_url=detail_url(item),
        cancel_url=back,
        submit_label="Lưu",
    )
