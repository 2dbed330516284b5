"""Pages of the training domain."""

from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/dao-tao")
