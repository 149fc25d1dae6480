"""One registry for every extension point (face detectors, classifiers, job backends): a decorator
that files a factory under a name, ``create(name, ...)`` and ``names()``. Names are normalised
once, here, in the lookup: a name from a request, the command line or the settings is the same
name however it is spaced or cased."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from deepfake_detection.errors import InvalidOptions

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def normalise(name: str) -> str:
    """The form every registry files and looks up a name in: ``" YuNet "`` is ``yunet``."""
    return name.strip().lower()


class Registry(Generic[T]):
    """Factories of ``T`` by name, with metadata of their own (``register(name, threaded=True)``).

    ``builtins`` maps the names that ship with the package to the module that registers each: a
    module is imported only when its name is looked up, so choosing one never imports the others'
    dependencies (Celery for the embedded job backend). ``kind`` and ``plural`` word the errors:
    ``unknown face detector 'x'; valid detectors: ...``.
    """

    def __init__(self, kind: str, plural: str, builtins: Mapping[str, str]) -> None:
        self.kind = kind
        self.plural = plural
        self._builtins = {normalise(name): module for name, module in builtins.items()}
        self._factories: dict[str, Callable[..., T]] = {}
        self._metadata: dict[str, dict[str, object]] = {}

    def register(self, name: str, **metadata: object) -> Callable[[F], F]:
        """Decorator: make the factory (a class or a function) available under ``name``."""
        key = normalise(name)

        def register(factory: F) -> F:
            self._factories[key] = factory
            self._metadata[key] = metadata
            return factory

        return register

    def names(self) -> list[str]:
        """The names ``create`` accepts, sorted (built-in ones without importing them)."""
        return sorted(self._builtins.keys() | self._factories.keys())

    def lookup(self, name: str) -> str:
        """The registered name that ``name`` stands for; ``InvalidOptions`` naming the valid
        ones when there is none."""
        key = normalise(name)
        if key not in self._factories and key in self._builtins:
            importlib.import_module(self._builtins[key])
        if key not in self._factories:
            valid = ", ".join(self.names())
            raise InvalidOptions(f"unknown {self.kind} {name!r}; valid {self.plural}: {valid}")
        return key

    def metadata(self, name: str) -> Mapping[str, object]:
        """What ``name`` was registered with (``{}`` when nothing)."""
        return self._metadata[self.lookup(name)]

    def create(self, name: str, /, *args: object, **kwargs: object) -> T:
        """A new ``T`` from the factory of ``name``; arguments the factory does not take are an
        ``InvalidOptions`` that names them (a ``TypeError`` from inside the factory is a bug and
        passes through)."""
        factory = self._factories[self.lookup(name)]
        try:
            inspect.signature(factory).bind(*args, **kwargs)
        except TypeError as exc:
            raise InvalidOptions(f"invalid options for {self.kind} {name!r}: {exc}") from exc
        return factory(*args, **kwargs)
