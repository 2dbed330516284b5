"""Pages of the notifications domain."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/thong-bao")
