"""Pages of aid mobilisation (url prefix /van-dong-vien-tro): contacts, proposals and the
year's funnel. One blueprint; the modules below add their routes to it."""

from flask import Blueprint

bp = Blueprint("mobilisation", __name__, url_prefix="/van-dong-vien-tro")

from app.mobilisation.views import contacts, funnel, proposals  # noqa: E402, F401
