"""The province's settings in one place, read-only (issue 11, item 5): which duty holders
are asked for opinions by default, the deadlines (from the environment, app/config.py) and
the legal regime of an aid dossier by the date it was received, and each regime's rules
with their legal citations (app/aid/regimes.py)."""

from flask import current_app, render_template
from sqlalchemy.orm import selectinload

from app.aid.regimes import REGIME_PERIODS, regime_table
from app.auth.views import bp
from app.core import permissions as rules
from app.core.permissions import requires
from app.extensions import db

UNITS = {"working": "ngày làm việc", "calendar": "ngày"}


def deadlines(config) -> list[tuple[str, str, str]]:
    """(setting, Vietnamese description, value) of every deadline."""
    opinion, opinion_unit = config["AID_OPINION_DEADLINE"]
    appraisal, appraisal_unit = config["AID_APPRAISAL_DEADLINE"]
    return [
        ("AID_OPINION_DAYS", "Hạn trả lời ý kiến góp ý", f"{opinion} {UNITS[opinion_unit]}"),
        (
            "AID_APPRAISAL_DAYS",
            "Hạn thẩm định từ khi hồ sơ hợp lệ",
            f"{appraisal} {UNITS.get(appraisal_unit, appraisal_unit)}",
        ),
        (
            "AID_START_MONTHS",
            "Đã phê duyệt nhưng chưa triển khai (có thể thu hồi)",
            f"{config['AID_START_MONTHS']} tháng",
        ),
        ("AID_REPORT_MONTHS", "Kỳ báo cáo định kỳ", f"{config['AID_REPORT_MONTHS']} tháng"),
        (
            "AID_REPORT_GRACE_DAYS",
            "Thời gian chờ báo cáo định kỳ",
            f"{config['AID_REPORT_GRACE_DAYS']} ngày",
        ),
        (
            "AID_CLOSING_REPORT_MONTHS",
            "Báo cáo kết thúc sau ngày kết thúc",
            f"{config['AID_CLOSING_REPORT_MONTHS']} tháng",
        ),
        (
            "DELEGATION_REQUEST_WORKING_DAYS",
            "Gửi hồ sơ đoàn vào trước ngày đến",
            f"{config['DELEGATION_REQUEST_WORKING_DAYS']} ngày làm việc",
        ),
        (
            "DELEGATION_REPORT_WORKING_DAYS",
            "Báo cáo kết quả sau chuyến đi",
            f"{config['DELEGATION_REPORT_WORKING_DAYS']} ngày làm việc",
        ),
        (
            "DELEGATION_BORDER_NOTICE_HOURS",
            "Thông báo Công an, Bộ đội Biên phòng trước khi vào khu vực biên giới",
            f"{config['DELEGATION_BORDER_NOTICE_HOURS']} giờ",
        ),
        (
            "PASSPORT_MIN_VALID_MONTHS",
            "Cảnh báo hộ chiếu còn hạn ít hơn, tính từ ngày nhập cảnh",
            f"{config['PASSPORT_MIN_VALID_MONTHS']} tháng",
        ),
        (
            "BUDGET_MIN_SHARE_BY_SEPT",
            "Ngân sách đối ngoại nhân dân: tỷ lệ kinh phí được phân bổ cần sử dụng đến 30/09",
            f"{config['BUDGET_MIN_SHARE_BY_SEPT']}%",
        ),
    ]


@bp.route("/quan-tri/cai-dat")
@requires(rules.administer)
def settings():
    from app.aid.models import Regime
    from app.aid.services.queries import CONSULTED_DUTIES, ticked_by_default
    from app.auth.models import Agency

    config = current_app.config
    code = config["PROVINCE_CODE"]
    from vietnam_provinces import Province  # 0.17 s to import: only when used

    province = next((p.name for p in Province.iter_all() if int(p.code) == code), "")
    agencies = db.session.scalars(
        db.select(Agency)
        .options(selectinload(Agency.duty_rows))
        .where(Agency.active.is_(True))
        .order_by(Agency.name)
    ).all()
    return render_template(
        "auth/settings.html",
        province=(code, province),
        consulted_duties=CONSULTED_DUTIES,
        consulted_agencies=[a for a in agencies if ticked_by_default(a)],
        deadlines=deadlines(config),
        regimes=[(p, Regime(p.regime).label) for p in REGIME_PERIODS],
        regime_rules=regime_rows(config),
    )


def regime_rows(config) -> list[tuple]:
    """The regime table by rule: (Decree 80/2020's rule, Decree 313/2025's rule)."""
    table = regime_table(config)
    nd80, nd313 = table["nd80_2020"], table["nd313_2025"]
    return [(rule, nd313[rule.key]) for rule in nd80.rules]
