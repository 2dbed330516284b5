"""Donor organisations: list, profile, create, edit, archive."""

from flask import Blueprint

bp = Blueprint("orgs", __name__, url_prefix="/to-chuc")
