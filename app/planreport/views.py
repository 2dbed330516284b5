"""Pages of the planreport domain."""

from flask import Blueprint

bp = Blueprint("planreport", __name__, url_prefix="/bao-cao-ke-hoach")
