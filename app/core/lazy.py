"""Modules and values imported when first used, not when the application starts
(issue 15, item 7: `flask` commands start without pandas, numpy or openpyxl)."""

import importlib


class LazyModule:
    """Stands for a module: the first attribute asked imports it."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"


def lazy_function(module: str, name: str):
    """A function of a module, imported when first called."""

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = name
    return call


class LazyValue:
    """Stands for a module's constant (a dict, a tuple): read when first used."""

    def __init__(self, module: str, name: str):
        self._module, self._name = module, name

    def _value(self):
        return getattr(importlib.import_module(self._module), self._name)

    def __getattr__(self, attribute: str):
        return getattr(self._value(), attribute)

    def __getitem__(self, key):
        return self._value()[key]

    def __iter__(self):
        return iter(self._value())

    def __contains__(self, item) -> bool:
        return item in self._value()

    def __len__(self) -> int:
        return len(self._value())
