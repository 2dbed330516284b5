"""Help pages, one per workflow, in Vietnamese (issue 14): what each step means, who does
it and where in the registry. Plain templates: the text is for people, not configuration."""

from flask import Blueprint, abort, render_template

from app.core import permissions as rules
from app.core.permissions import requires

bp = Blueprint("help", __name__, url_prefix="/huong-dan")

# slug -> title, in the order the index lists them
TOPICS = {
    "vien-tro": "Tiếp nhận, thẩm định và quản lý khoản viện trợ",
    "doan": "Đoàn vào, đoàn ra",
    "doi-ngoai-nhan-dan": "Công tác đối ngoại nhân dân",
    "thong-ke": "Thống kê, báo cáo và văn bản",
    "du-lieu": "Nhập, xuất dữ liệu bằng Excel",
}


@bp.get("/")
@requires(rules.signed_in)
def index():
    return render_template("help/index.html", topics=TOPICS)


@bp.get("/<slug>")
@requires(rules.signed_in)
def topic(slug: str):
    if slug not in TOPICS:
        abort(404)
    return render_template(f"help/{slug}.html", title=TOPICS[slug], topics=TOPICS, slug=slug)
