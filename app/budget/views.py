"""Pages of the budget domain."""

from flask import Blueprint

bp = Blueprint("budget", __name__, url_prefix="/ngan-sach")
