"""``dfd scan``: each file's provenance in its JSON line and in the report, beside its verdict."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from skimage import data

from deepfake_detection.cli.environment import Environment
from deepfake_detection.cli.main import main
from deepfake_detection.testing.provenance import (
    AI,
    make_chain,
    manifest,
    png_chunk,
    png_with_chunks,
    sign,
)

pytestmark = pytest.mark.usefixtures("tiny_model_settings")


def scan(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["scan", *map(str, args)], Environment(stdout=out, stderr=err))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    face = io.BytesIO()
    Image.fromarray(data.astronaut()).save(face, "JPEG", quality=90)
    (folder / "plain.jpg").write_bytes(face.getvalue())
    (folder / "signed.jpg").write_bytes(sign(face.getvalue(), make_chain(), manifest(AI)))
    text = b"parameters\x00an astronaut, Steps: 20"
    (folder / "generated.png").write_bytes(png_with_chunks(png_chunk(b"tEXt", text)))
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    return folder


def test_each_json_line_carries_its_provenance(media: Path) -> None:
    _, out, _ = scan("--json", media)
    lines: dict[str, Any] = {Path(x["path"]).name: x for x in map(json.loads, out.splitlines())}

    signed = lines["signed.jpg"]
    assert signed["provenance"]["c2pa"]["validation"] == "untrusted_signer"
    assert signed["provenance"]["c2pa"]["ai_generated"] is True
    assert signed["provenance"]["declared_ai_generated"] is True
    assert signed["fake_probability"] == lines["plain.jpg"]["fake_probability"]
    assert lines["plain.jpg"]["provenance"] == {
        "c2pa": None,
        "declared_ai_generated": None,
        "signals": [],
    }
    assert lines["generated.png"]["provenance"]["signals"] == [
        {"source": "png_text", "name": "parameters", "value": "an astronaut, Steps: 20"}
    ]
    assert lines["broken.jpg"]["provenance"] is None
    for line in lines.values():  # the fields scripts read are all still there
        assert {"path", "kind", "fake_probability", "label", "faces", "error"} <= set(line)


def test_the_report_shows_provenance(media: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    scan("--report", report, media)
    page = report.read_text()
    assert page.count('data-testid="provenance"') == 3  # not for the broken file
    assert "signed; signer not on a trust list" in page
    assert "Declared AI-generated: <strong>yes</strong>" in page
    assert "png_text parameters: an astronaut, Steps: 20" in page
    assert "C2PA: no manifest" in page
