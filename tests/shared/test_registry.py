import sys
import types
from pathlib import Path

import pytest

from deepfake_detection.errors import InvalidOptions
from deepfake_detection.shared.registry import Registry, normalise


class Greeter:
    def __init__(self, name: str, *, loud: bool = False) -> None:
        self.name, self.loud = name, loud


def greeters() -> Registry[Greeter]:
    registry: Registry[Greeter] = Registry("greeter", "greeters", {})
    registry.register("plain")(Greeter)
    registry.register("Loud", shouts=True)(lambda name: Greeter(name, loud=True))
    return registry


def test_names_are_normalised_once_for_every_caller() -> None:
    assert normalise("  YuNet ") == "yunet"
    registry = greeters()
    assert registry.names() == ["loud", "plain"]
    assert registry.lookup(" PLAIN ") == "plain"
    assert registry.create("LOUD\n", "x").loud


def test_create_passes_the_arguments_to_the_factory() -> None:
    greeter = greeters().create("plain", "ada", loud=True)
    assert (greeter.name, greeter.loud) == ("ada", True)


def test_the_decorator_returns_the_factory_unchanged() -> None:
    registry: Registry[Greeter] = Registry("greeter", "greeters", {})
    assert registry.register("plain")(Greeter) is Greeter


def test_metadata_travels_with_the_name() -> None:
    registry = greeters()
    assert registry.metadata("loud") == {"shouts": True}
    assert registry.metadata("Plain") == {}


def test_an_unknown_name_lists_the_valid_ones() -> None:
    registry = greeters()
    with pytest.raises(
        InvalidOptions, match=r"unknown greeter 'Quiet'; valid greeters: loud, plain"
    ):
        registry.create("Quiet")
    with pytest.raises(InvalidOptions, match="valid greeters: loud, plain"):
        registry.metadata("quiet")


def test_arguments_the_factory_does_not_take_are_invalid_options() -> None:
    with pytest.raises(InvalidOptions, match=r"invalid options for greeter 'plain': .*colour"):
        greeters().create("plain", "ada", colour="red")
    with pytest.raises(InvalidOptions, match="invalid options for greeter 'loud'"):
        greeters().create("loud")


def test_a_type_error_inside_a_factory_is_not_hidden() -> None:
    registry: Registry[Greeter] = Registry("greeter", "greeters", {})

    @registry.register("broken")
    def broken() -> Greeter:
        raise TypeError("a bug")

    with pytest.raises(TypeError, match="a bug"):
        registry.create("broken")


def test_builtin_modules_are_imported_only_when_their_name_is_looked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry: Registry[Greeter] = Registry("greeter", "greeters", {"Lazy": "lazy_greeter"})
    holder = types.ModuleType("greeter_registry")
    holder.registry, holder.Greeter = registry, Greeter  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "greeter_registry", holder)
    (tmp_path / "lazy_greeter.py").write_text(
        "from greeter_registry import Greeter, registry\nregistry.register('lazy')(Greeter)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lazy_greeter", raising=False)

    assert registry.names() == ["lazy"]
    assert "lazy_greeter" not in sys.modules
    assert registry.create("LAZY", "ada").name == "ada"
    assert "lazy_greeter" in sys.modules
