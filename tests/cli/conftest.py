"""The command line's fixtures: no ``DFD_*`` variable of the developer's shell reaches a command."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def no_dfd_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``DFD_*`` variable removed for the test: the commands see the defaults."""
    for name in list(os.environ):
        if name.startswith("DFD_"):
            monkeypatch.delenv(name)


@pytest.fixture
def tiny_model_settings(
    no_dfd_settings: None, monkeypatch: pytest.MonkeyPatch, tiny_model_card: Path
) -> None:
    """The defaults, with the tiny model of ``tiny_model_card`` as the classifier."""
    monkeypatch.setenv("DFD_MODEL_CARD", str(tiny_model_card))
