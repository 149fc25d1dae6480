from pathlib import Path

import pytest

from support.tiny_model import write_tiny_model


@pytest.fixture(scope="session")
def data_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data-home")


@pytest.fixture(autouse=True)
def _no_real_data_dir(data_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default data directory (``DFD_DATA_DIR`` unset) is the user's: in the tests, and in
    the servers they start, it is a temporary one, never the real home's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))


@pytest.fixture
def tiny_model_card(tmp_path: Path) -> Path:
    """A tiny classifier built here: sigmoid(mean(x / 255 - 1)), so every photograph scores a
    little below 0.5 (real at the card's threshold) and an all-white crop exactly 0.5."""
    folder = tmp_path / "model"
    folder.mkdir()
    return write_tiny_model(folder, mean=1.0, std=1.0, threshold=0.5, version="0")
