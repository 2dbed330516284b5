"""Coded values with Vietnamese labels, built from {key: label} dicts."""

import enum


class Labelled(enum.StrEnum):
    """An enum whose members carry a Vietnamese label in the class's LABELS dict."""

    @property
    def label(self) -> str:
        return type(self).labels()[self.value]

    @classmethod
    def labels(cls) -> dict[str, str]:
        return cls._labels  # type: ignore[attr-defined]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return list(cls.labels().items())


def labelled(name: str, labels: dict[str, str]) -> type[Labelled]:
    """Build a Labelled enum from {key: Vietnamese label} (keys become member values)."""
    members = {key.upper(): key for key in labels}
    enum_class = Labelled(name, members)
    enum_class._labels = dict(labels)  # set after creation, so it is not a member
    return enum_class


def group(*members: Labelled) -> frozenset[str]:
    """A named group of coded values (e.g. the states an item may be edited in), as plain
    strings so SQL parameters and pandas comparisons see ordinary text."""
    return frozenset(str(member.value) for member in members)
