"""Pages of the associations domain."""

from flask import Blueprint

bp = Blueprint("associations", __name__, url_prefix="/hoi-huu-nghi")
