import functools
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image
from skimage import data

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.cli.main import COMMANDS, main
from deepfake_detection.cli.scan import exit_status

pytestmark = pytest.mark.usefixtures("tiny_model_settings")


def scan(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["scan", *map(str, args)], Environment(stdout=out, stderr=err))
    return status, out.getvalue(), err.getvalue()


def scan_json(*args: str | Path) -> tuple[int, dict[str, dict[str, Any]]]:
    status, out, _ = scan("--json", *args)
    lines = [json.loads(line) for line in out.splitlines()]
    return status, {Path(line["path"]).name: line for line in lines}


@functools.cache
def astronaut_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


@functools.cache
def six_faces_png() -> bytes:
    """The photograph 2 x 3 times (1024x1536): encoded once, it takes a quarter of a second."""
    return png(np.tile(data.astronaut(), (2, 3, 1)))


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 999))


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.txt", "hello")
    return buffer.getvalue()


def write_video(path: Path, frames: int = 8) -> None:
    image = np.ascontiguousarray(data.astronaut()[::2, ::2])
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=8)
        stream.width, stream.height, stream.pix_fmt = 256, 256, "yuv420p"
        for _ in range(frames):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "media"
    (root / "nested").mkdir(parents=True)
    (root / "one.jpg").write_bytes(astronaut_jpeg())
    (root / "nested" / "six.png").write_bytes(six_faces_png())
    ramp = np.tile(np.linspace(0, 255, 200, dtype=np.uint8), (120, 1))
    (root / "none.png").write_bytes(png(np.stack([ramp] * 3, axis=2)))
    (root / "notes.txt").write_text("not media: skipped in folders")
    return root


@pytest.fixture
def bad_files(tmp_path: Path) -> Path:
    root = tmp_path / "bad"
    root.mkdir()
    (root / "truncated.jpg").write_bytes(astronaut_jpeg()[:5000])
    (root / "archive.jpg").write_bytes(zip_bytes())
    (root / "bomb.png").write_bytes(png_claiming(30_000, 30_000))
    (root / "empty.jpg").write_bytes(b"")
    return root


def test_folder_of_images(folder: Path) -> None:
    status, results = scan_json(folder)
    assert status == ExitStatus.OK
    assert sorted(results) == ["none.png", "one.jpg", "six.png"]
    one, six, none = results["one.jpg"], results["six.png"], results["none.png"]
    assert (one["kind"], one["verdict"], one["error"]) == ("image", "real", None)
    assert one["label"] == one["verdict"]  # the old name, kept
    face = one["faces"][0]
    assert face["confidence"] == face["detector_confidence"]
    assert one["skipped_faces"] == 0
    assert len(one["faces"]) == 1
    box = one["faces"][0]["box"]
    x1, y1, x2, y2 = box["x1"], box["y1"], box["x2"], box["y2"]
    assert 150 < x1 < x2 < 300
    assert 30 < y1 < y2 < 210
    assert one["fake_probability"] == one["faces"][0]["fake_probability"]
    assert 0.0 < one["fake_probability"] < 0.5
    assert len(six["faces"]) == 6
    assert six["fake_probability"] == max(f["fake_probability"] for f in six["faces"])
    assert (none["label"], none["fake_probability"], none["faces"]) == ("no_face", None, [])


def test_threshold_turns_faces_fake(folder: Path) -> None:
    status, results = scan_json("--threshold", "0.1", folder / "one.jpg")
    assert status == ExitStatus.FAKE_FOUND
    assert results["one.jpg"]["label"] == "fake"
    assert results["one.jpg"]["faces"][0]["label"] == "fake"


def test_bad_files_get_error_lines_and_the_scan_goes_on(bad_files: Path, folder: Path) -> None:
    missing = bad_files / "missing.jpg"
    status, results = scan_json(bad_files, missing, folder / "one.jpg")
    assert status == ExitStatus.ERROR
    errors = {name: r["error"] for name, r in results.items()}
    assert errors == {
        "archive.jpg": "unsupported_media",
        "bomb.png": "too_large",
        "empty.jpg": "bad_request",
        "missing.jpg": "not_found",
        "truncated.jpg": "corrupt_media",
        "one.jpg": None,
    }
    assert all(r["message"] for name, r in results.items() if name != "one.jpg")
    assert all(r["label"] is None for name, r in results.items() if name != "one.jpg")


def test_a_fake_wins_over_an_error(bad_files: Path, folder: Path) -> None:
    status, _ = scan_json("--threshold", "0", bad_files / "empty.jpg", folder / "one.jpg")
    assert status == ExitStatus.FAKE_FOUND


def test_detector_none_scores_the_whole_image(folder: Path) -> None:
    status, results = scan_json("--detector", "none", folder / "none.png")
    assert status == ExitStatus.OK
    whole = {"x1": 0.0, "y1": 0.0, "x2": 200.0, "y2": 120.0}
    assert [f["box"] for f in results["none.png"]["faces"]] == [whole]
    assert results["none.png"]["label"] == "real"


def test_unknown_detector_is_a_clear_error(folder: Path) -> None:
    status, out, err = scan("--detector", "mtcn", folder)
    assert status == ExitStatus.USAGE
    assert "argument --detector: unknown face detector 'mtcn'" in err
    assert "centerface" in err
    assert out == ""


def test_video(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    write_video(video)
    status, results = scan_json(video)
    result = results["clip.mp4"]
    assert status == ExitStatus.OK, result
    assert (result["kind"], result["label"], result["error"]) == ("video", "real", None)
    assert len(result["faces"]) == 1
    assert result["faces"][0]["frames"] >= 1
    assert result["fake_probability"] == result["faces"][0]["fake_probability"]


def test_table(folder: Path, bad_files: Path) -> None:
    status, out, _ = scan(folder / "one.jpg", bad_files / "archive.jpg")
    assert status == ExitStatus.ERROR
    header, first, face, second = out.splitlines()
    assert header.split() == ["LABEL", "P(FAKE)", "FACES", "PATH"]
    assert first.split()[0] == "real"
    assert first.split()[2] == "1"
    assert first.endswith("one.jpg")
    assert face.split()[:3] == ["real", first.split()[1], "face,"]
    assert second.startswith("error")
    assert "[unsupported_media]" in second


@pytest.mark.parametrize("value", ["1.5", "-0.1", "half"])
def test_threshold_out_of_range_is_a_usage_error(value: str, folder: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        scan("--threshold", value, folder)
    assert exit_info.value.code == ExitStatus.USAGE


def test_video_follows_the_service_video_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = tmp_path / "clip.mp4"
    write_video(video, frames=8)
    _, results = scan_json(video)
    assert results["clip.mp4"]["faces"][0]["frames"] == 8
    monkeypatch.setenv("DFD_VIDEO_FRAMES", "3")
    _, results = scan_json(video)
    assert results["clip.mp4"]["faces"][0]["frames"] == 3
    monkeypatch.setenv("DFD_VIDEO_MAX_DURATION_S", "0.5")
    status, results = scan_json(video)
    assert results["clip.mp4"]["error"] == "too_large"
    assert results["clip.mp4"]["fake_probability"] is None
    assert status != ExitStatus.OK


def test_one_row_per_face_under_each_file(folder: Path) -> None:
    _, out, _ = scan(folder / "nested" / "six.png")
    _, file_row, *face_rows = out.splitlines()
    assert file_row.split()[2] == "6"
    assert len(face_rows) == 6
    assert all(row.startswith("  ") and "face, box" in row for row in face_rows)
    top = max(float(row.split()[1]) for row in face_rows)
    assert f"{top:.3f}" == file_row.split()[1]


@pytest.mark.parametrize(
    ("flag", "value"), [("--max-faces", "0"), ("--max-faces", "x"), ("--frames", "0")]
)
def test_a_bad_flag_is_a_usage_error_that_names_it(
    flag: str, value: str, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        scan(flag, value, folder)
    assert exit_info.value.code == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert f"argument {flag}:" in err
    assert "DFD_" not in err


def test_frames_over_the_settings_limit_is_a_usage_error(folder: Path) -> None:
    status, out, err = scan("--frames", "999", folder)
    assert status == ExitStatus.USAGE
    assert "argument --frames: frames must be 1..300" in err
    assert out == ""


def test_frames_and_every_s_choose_the_video_frames(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    write_video(video, frames=8)  # 1 s at 8 frames/s
    _, results = scan_json("--frames", "2", video)
    person = results["clip.mp4"]["faces"][0]
    assert person["frames"] == 2
    assert (person["id"], person["person"]) == (0, 0)
    assert person["score"] == person["fake_probability"] == results["clip.mp4"]["fake_probability"]
    assert set(person["box"]) == {"x1", "y1", "x2", "y2"}
    _, results = scan_json("--every-s", "0.25", video)
    assert results["clip.mp4"]["faces"][0]["frames"] == 4
    _, results = scan_json("--sampling", "fast", "--frames", "2", video)
    assert results["clip.mp4"]["faces"][0]["frames"] == 2
    with pytest.raises(SystemExit) as exited:  # argparse's choices: exit 2 with its message
        scan("--sampling", "quick", video)
    assert exited.value.code == ExitStatus.USAGE


def test_help_describes_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "see `dfd" not in out
    for summary in COMMANDS.values():
        assert " ".join(summary.split()[:4]) in " ".join(out.split())


@pytest.fixture
def uncertain_png(tmp_path: Path) -> Path:
    """With --detector none, a 24 px image is one face under the card's 32 px: uncertain."""
    path = tmp_path / "small.png"
    path.write_bytes(png(np.full((24, 24, 3), 128, np.uint8)))
    return path


def test_uncertain_exits_0_unless_fail_on_uncertain(uncertain_png: Path, folder: Path) -> None:
    files = ("--detector", "none", uncertain_png, folder / "one.jpg")
    status, results = scan_json(*files)
    assert results["small.png"]["verdict"] == "uncertain"
    assert results["one.jpg"]["verdict"] == "real"
    assert status == ExitStatus.OK
    status, _ = scan_json("--fail-on", "uncertain", *files)
    assert status == ExitStatus.UNCERTAIN_FOUND == 4
    assert scan_json("--fail-on", "fake", *files)[0] == ExitStatus.OK


def test_with_fail_on_uncertain_a_fake_then_an_error_still_win(
    uncertain_png: Path, folder: Path, bad_files: Path
) -> None:
    uncertain = ("--fail-on", "uncertain", "--detector", "none", uncertain_png)
    broken = bad_files / "truncated.jpg"
    assert scan_json(*uncertain, broken)[0] == ExitStatus.ERROR
    # At threshold 0.1 the grey 24 px face stays uncertain (too small); the astronaut is fake.
    fake = scan_json("--threshold", "0.1", *uncertain, broken, folder / "one.jpg")
    assert fake[1]["one.jpg"]["verdict"] == "fake"
    assert fake[1]["small.png"]["verdict"] == "uncertain"
    assert fake[0] == ExitStatus.FAKE_FOUND


@pytest.mark.parametrize(
    ("verdicts", "errors", "fail_on", "status"),
    [
        ({"real", "no_face"}, False, "uncertain", ExitStatus.OK),
        ({"real", "uncertain"}, False, "fake", ExitStatus.OK),
        ({"real", "uncertain"}, False, "uncertain", ExitStatus.UNCERTAIN_FOUND),
        ({"uncertain", None}, True, "uncertain", ExitStatus.ERROR),
        ({"uncertain", "fake", None}, True, "uncertain", ExitStatus.FAKE_FOUND),
        ({"fake"}, False, "fake", ExitStatus.FAKE_FOUND),
        ({None}, True, "fake", ExitStatus.ERROR),
    ],
)
def test_exit_status_order(
    verdicts: set[str | None], errors: bool, fail_on: str, status: ExitStatus
) -> None:
    assert exit_status(verdicts, errors, fail_on=fail_on) == status


def test_fail_on_takes_fake_or_uncertain(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        scan("--fail-on", "real", folder)
    assert exited.value.code == ExitStatus.USAGE
    assert "--fail-on" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "where", "says"),
    [
        ("--report", "/nonexistent/dir/r.html", "the folder /nonexistent/dir does not exist"),
        ("--report", "/proc/dfd-report.html", "cannot write /proc/dfd-report.html"),
        ("--report", "{tmp}", "is a folder; give the report a file name"),
        ("--report", "{tmp}/file.txt/r.html", "is not a folder"),
        ("--annotate", "/proc/nope", "cannot write in /proc/nope"),
        ("--annotate", "{tmp}/file.txt", "is a file, not a folder"),
    ],
)
def test_output_paths_are_checked_before_any_work(
    tmp_path: Path, folder: Path, flag: str, where: str, says: str
) -> None:
    (tmp_path / "file.txt").write_text("a file")
    status, out, err = scan(flag, where.format(tmp=tmp_path), folder)
    assert status == ExitStatus.USAGE
    assert out == ""  # not one file was scanned
    assert len(err.splitlines()) == 1
    assert err.startswith(f"dfd scan: error: argument {flag}: ")
    assert says in err


@pytest.mark.slow  # two dfd scan processes
def test_a_bad_output_path_is_one_line_without_a_traceback(tmp_path: Path, folder: Path) -> None:
    command = [sys.executable, "-m", "deepfake_detection.cli.main", "scan"]
    for flag, where in (("--report", "/nonexistent/dir/r.html"), ("--annotate", "/proc/nope")):
        done = subprocess.run(
            [*command, flag, where, str(folder)],
            capture_output=True,
            text=True,
            timeout=120,
            env=os.environ.copy(),
        )
        assert done.returncode == ExitStatus.USAGE
        assert done.stdout == ""
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr


def test_checking_a_report_path_changes_nothing(tmp_path: Path, folder: Path) -> None:
    existing = tmp_path / "kept.html"
    existing.write_text("an older report")
    status, _, err = scan("--report", existing, "--annotate", "/proc/nope", folder)
    assert status == ExitStatus.USAGE
    assert existing.read_text() == "an older report"  # checked, not truncated
    # The report's check passes, then the command fails: the probe file is not left behind.
    status, _, err = scan("--report", tmp_path / "new.html", "--frames", "999", folder)
    assert (status, "--frames" in err) == (ExitStatus.USAGE, True)
    assert not (tmp_path / "new.html").exists()
