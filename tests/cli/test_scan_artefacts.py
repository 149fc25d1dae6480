"""``dfd scan --annotate DIR --report FILE``: the drawn files and the self-contained report."""

from __future__ import annotations

import hashlib
import html
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from skimage import data

from api.videos import video_bytes
from deepfake_detection import __version__
from deepfake_detection.analysis.wording import LIMITS
from deepfake_detection.cli.environment import Environment
from deepfake_detection.cli.main import main

pytestmark = pytest.mark.usefixtures("tiny_model_settings")


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
    assert "corrupt_media" in page
    # Nothing is loaded from elsewhere: every src is inline data.
    assert all(src.startswith("data:") for src in re.findall(r'src="([^"]*)"', page))
    assert "<script" not in page
    assert "<link" not in page


def test_the_report_is_a_record_of_what_was_checked_and_how(media: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    before = datetime.now(UTC).replace(microsecond=0)
    scan("--report", report, "--frames", "6", "--threshold", "0.45", media)

    page = report.read_text()
    header = _cells(re.search(r'<table class="header">(.*?)</table>', page).group(1))  # type: ignore[union-attr]
    assert header["tool"] == f"dfd {__version__}"
    assert header["model"] == "tiny 0"  # the tiny card's name and version
    assert header["threshold"] == "0.45 (fake at or above)"
    assert re.fullmatch(r"\[[\d.]+, [\d.]+\)", header["uncertain band"])
    assert before <= datetime.fromisoformat(header["date"]) <= datetime.now(UTC)
    assert header["face detector"] == "yunet"
    assert header["video frames sampled"] == "6, evenly spread"
    # Each file's SHA-256, as sha256sum gives it (the broken file's too: it is what was checked).
    hashes = re.findall(r"<h2>([^<]*)</h2>.*?SHA-256 <code>([0-9a-f]{64})</code>", page)
    assert len(hashes) == 4
    for path, digest in hashes:
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest


def test_persons_have_one_name_in_the_report(media: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    scan("--report", report, media / "clip.mp4", media / "face.jpg")

    page = report.read_text()
    video, image = page.split('<section class="file">')[1:]
    # The video's person: P1 in the table, the chart's heading and its label, as drawn on the
    # thumbnail; never its 0-based id or "Person 1".
    assert re.search(
        r"<tbody><tr><td>P1( \(decided the verdict\))?</td><td>(real|fake|uncertain)</td>", video
    )
    assert "<h3>P1: " in video
    assert 'aria-label="Fake probability of P1 over time"' in video
    assert "Person 1" not in page
    assert "<td>0</td>" not in video
    # An image's faces are numbered from 1, as their captions on the thumbnail.
    assert "<thead><tr><th>face</th>" in image
    assert re.search(r"<tbody><tr><td>1( \(decided the verdict\))?</td>", image)


def test_each_verdict_reads_as_a_sentence_in_the_report(media: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    scan("--report", report, media / "clip.mp4", media / "face.jpg", media / "notes.txt")

    page = report.read_text()
    # The model's limits, once, in the words of analysis.wording (as on the service's page).
    assert page.count('data-testid="model-limits"') == 1
    for line in LIMITS:
        assert html.escape(line) in page
    video, image = page.split('<section class="file">')[1:3]
    for section, kind in ((video, "video"), (image, "image")):
        sentence = re.search(
            r'<p class="sentence" data-testid="verdict-sentence">(.*?)</p>', section
        )
        assert sentence is not None, kind
        verdict = re.search(r'class="label label-\w+">(\w+)<', section)
        assert verdict is not None
        words = html.unescape(sentence.group(1))
        expected = {
            "real": "No sign of a face swap or re-enactment on ",
            "fake": " looks manipulated (a face swap or re-enactment)",
            "uncertain": "The model cannot say whether ",
            "no_face": "No face was found",
        }[verdict.group(1)]
        assert expected in words, (kind, words)
    # The video's sentence names its person as the table does.
    assert "person P1" in html.unescape(video) or "this video" in html.unescape(video)


def _cells(table: str) -> dict[str, str]:
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", table)
    }
