"""Builders of the aid tests, kept under their old names for the test files of other
domains; they live in tests/fixtures/ (aid.py, orgs.py)."""

from tests.fixtures.aid import agency_ids, item_input
from tests.fixtures.orgs import new_org as make_org

__all__ = ["agency_ids", "item_input", "make_org"]
