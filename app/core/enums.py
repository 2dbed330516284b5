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
