import json
from pathlib import Path

import pytest

from deepfake_detection.classifiers.model_card import default_model_card_path
from deepfake_detection.config import Settings, get_settings, legacy_data_dir_hint
from deepfake_detection.errors import InvalidOptions


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("DFD_"):
            monkeypatch.delenv(name)


def test_defaults() -> None:
    settings = get_settings()
    assert settings.model_card == default_model_card_path()
    assert settings.detector == "yunet"
    assert settings.threshold is None
    assert settings.port == 8080


def test_environment_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DFD_PORT", "9000")
    monkeypatch.setenv("DFD_THRESHOLD", "0.7")
    settings = get_settings()
    assert (settings.port, settings.threshold) == (9000, 0.7)


def test_component_names_are_spelled_as_the_registries_file_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DFD_DETECTOR", " CenterFace ")
    monkeypatch.setenv("DFD_JOB_BACKEND", "Celery")
    settings = get_settings()
    assert (settings.detector, settings.job_backend) == ("centerface", "celery")
    assert Settings(classifier="ONNX").classifier == "onnx"


def test_json_settings_file_under_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dfd.json"
    path.write_text(json.dumps({"port": 9001, "max_faces": 3}))
    monkeypatch.setenv("DFD_SETTINGS_FILE", str(path))
    monkeypatch.setenv("DFD_MAX_FACES", "5")
    settings = get_settings()
    assert (settings.port, settings.max_faces) == (9001, 5)


def test_dotenv_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "dfd.env"
    path.write_text("DFD_DETECTOR=ssd\n")
    monkeypatch.setenv("DFD_SETTINGS_FILE", str(path))
    assert get_settings().detector == "ssd"


def test_keyword_overrides_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DFD_PORT", "9000")
    assert get_settings(port=1234).port == 1234


@pytest.mark.parametrize(
    ("name", "value"), [("DFD_PORT", "http"), ("DFD_THRESHOLD", "1.5"), ("DFD_MAX_FACES", "0")]
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(InvalidOptions, match=name):
        get_settings()


def test_missing_settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DFD_SETTINGS_FILE", str(tmp_path / "nope.json"))
    with pytest.raises(InvalidOptions, match="no such file"):
        get_settings()


def test_unknown_key_in_a_settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "dfd.json"
    path.write_text(json.dumps({"prot": 1}))
    monkeypatch.setenv("DFD_SETTINGS_FILE", str(path))
    with pytest.raises(InvalidOptions, match="PROT"):
        get_settings()


def test_settings_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        Settings().port = 1  # type: ignore[misc]


def test_thread_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_settings().video_decode_threads is None  # one per usable CPU
    monkeypatch.setenv("DFD_ONNX_THREADS", "1")
    monkeypatch.setenv("DFD_VIDEO_DECODE_THREADS", "1")
    settings = get_settings()
    assert (settings.onnx_threads, settings.video_decode_threads) == (1, 1)
    monkeypatch.setenv("DFD_VIDEO_DECODE_THREADS", "0")
    with pytest.raises(InvalidOptions, match="DFD_VIDEO_DECODE_THREADS"):
        get_settings()


def test_the_data_dir_is_the_users_wherever_dfd_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert get_settings().data_dir == tmp_path / "xdg" / "deepfake-detection"
    monkeypatch.setenv("DFD_DATA_DIR", str(tmp_path / "elsewhere"))
    assert get_settings().data_dir == tmp_path / "elsewhere"


def test_an_old_dfd_data_is_mentioned_only_when_it_holds_something_else(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    data_dir = tmp_path / "data"
    assert legacy_data_dir_hint(data_dir) is None
    (tmp_path / "dfd-data").mkdir()
    assert legacy_data_dir_hint(data_dir) is None
    (tmp_path / "dfd-data" / "jobs.sqlite3").touch()
    assert legacy_data_dir_hint(Path("dfd-data")) is None
    assert legacy_data_dir_hint(tmp_path / "dfd-data") is None
    hint = legacy_data_dir_hint(data_dir)
    assert hint is not None
    assert "(jobs.sqlite3)" in hint
    assert f"DFD_DATA_DIR={tmp_path.resolve() / 'dfd-data'}" in hint


def test_c2pa_trust_anchors_must_be_a_readable_pem_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    not_pem = tmp_path / "anchors.txt"
    not_pem.write_text("not a certificate")
    for path in (not_pem, tmp_path / "missing.pem"):
        monkeypatch.setenv("DFD_C2PA_TRUST_ANCHORS", str(path))
        with pytest.raises(InvalidOptions, match="DFD_C2PA_TRUST_ANCHORS"):
            get_settings()
    pem = tmp_path / "anchors.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    monkeypatch.setenv("DFD_C2PA_TRUST_ANCHORS", str(pem))
    assert get_settings().c2pa_trust_anchors == pem
