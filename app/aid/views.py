"""Aid items: list, detail, the procedure's actions, follow-up, inbox."""

from flask import Blueprint

bp = Blueprint("aid", __name__, url_prefix="/vien-tro")
