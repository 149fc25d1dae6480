"""``dfd scan --annotate DIR --report FILE``: the drawn files and the self-contained report."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from skimage import data

from api.videos import video_bytes
from deepfake_detection.cli.environment import Environment
from deepfake_detection.cli.main import main


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch, tiny_model_card: Path) -> None:
    for name in list(os.environ):
        if name.startswith("DFD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DFD_MODEL_CARD", str(tiny_model_card))


def scan(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["scan", *map(str, args)], Environment(stdout=out, stderr=err))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    Image.fromarray(data.astronaut()).save(folder / "face.jpg", quality=90)
    (folder / "sub").mkdir()
    Image.fromarray(data.astronaut()).save(folder / "sub" / "face.png")
    (folder / "clip.mp4").write_bytes(video_bytes(tmp_path, "source.mp4", count=15))
    (folder / "notes.txt").write_text("not media")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    return folder


def test_annotate_writes_each_file_drawn(media: Path, tmp_path: Path) -> None:
    out = tmp_path / "annotated"
    status, _lines, errors = scan("--json", "--annotate", out, media)

    assert status == 1  # broken.jpg could not be analysed; the others were real
    names = sorted(p.name for p in out.iterdir())
    assert names == ["clip.annotated.mp4", "face-2.annotated.png", "face.annotated.png"]
    drawn = np.asarray(Image.open(out / "face.annotated.png"))
    assert drawn.shape == (512, 512, 3)
    assert not np.array_equal(drawn, np.asarray(data.astronaut()))  # boxes were drawn
    with av.open(str(out / "clip.annotated.mp4")) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert sum(1 for _ in container.decode(stream)) == 15
    assert errors == ""


def test_report_is_one_self_contained_page(media: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    scan("--report", report, media)

    page = report.read_text()
    assert page.startswith("<!doctype html>")
    assert page.count('<section class="file">') == 4  # 3 media files and the broken one
    assert page.count("data:image/jpeg;base64,") == 3  # a thumbnail per analysed file
    assert "<svg" in page
    assert "Person 1" in page
    assert "corrupt_media" in page
    # Nothing is loaded from elsewhere: every src is inline data.
    assert all(src.startswith("data:") for src in re.findall(r'src="([^"]*)"', page))
    assert "<script" not in page
    assert "<link" not in page
