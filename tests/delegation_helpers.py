"""The delegation builders, kept importable here for the test files of other domains; they
live in tests/fixtures/delegations.py."""

from tests.fixtures.delegations import (  # noqa: F401
    border_commune,
    delegation_input,
    future,
    member,
)
