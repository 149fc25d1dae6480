"""Drawing the answer on the media: boxes where the faces are, in each label's colour, on every
frame of a video between a person's samples."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from deepfake_detection.analysis.annotate import (
    COLOURS,
    OTHER_COLOUR,
    Mark,
    Sample,
    Track,
    annotate_video,
    draw_marks,
    marks_at,
    sampling_reach,
)
from deepfake_detection.errors import CorruptMedia, Overloaded
from deepfake_detection.media.decode_budget import DecodeBudget
from deepfake_detection.media.video import VideoLimits
from deepfake_detection.shared.faces import Box
from deepfake_detection.testing.fuzzing.bombs import frame_png, png_video
from deepfake_detection.testing.video import write_video
from support.peak_memory import peak_memory


def grey(height: int = 120, width: int = 160) -> np.ndarray:
    return np.full((height, width, 3), 90, np.uint8)


@pytest.mark.parametrize("label", ["real", "fake", "uncertain", "no_face_reason"])
def test_a_box_is_drawn_in_its_labels_colour(label: str) -> None:
    image = grey()
    drawn = draw_marks(image, [Mark(Box(40, 50, 100, 110), label, "x")])
    colour = COLOURS.get(label, OTHER_COLOUR)
    assert tuple(drawn[80, 40]) == colour  # the left edge
    assert tuple(drawn[80, 70]) == (90, 90, 90)  # inside the box: the face stays visible
    assert (image == 90).all()  # the input is not drawn on


def test_a_persons_box_moves_between_its_samples() -> None:
    track = Track(
        "P1",
        "fake",
        0.8,
        (Sample(1.0, Box(0, 0, 10, 10), 0.7), Sample(2.0, Box(10, 0, 20, 10), 0.9)),
    )
    (halfway,) = marks_at([track], 1.5, reach_s=0.5)
    assert halfway.box == Box(5, 0, 15, 10)
    assert halfway.label == "fake"
    (late,) = marks_at([track], 1.9, reach_s=0.5)
    assert "(0.90)" in late.caption  # the nearest sample's score
    assert marks_at([track], 0.4, reach_s=0.5) == []
    assert marks_at([track], 2.6, reach_s=0.5) == []
    assert sampling_reach([track]) == 0.5


def test_every_frame_of_a_video_is_written_with_the_boxes(tmp_path: Path) -> None:
    source = tmp_path / "in.mp4"
    write_video(source, [grey() for _ in range(12)], fps=12)
    box = Box(40, 30, 100, 90)
    track = Track("P1", "real", 0.1, (Sample(0.0, box, 0.1), Sample(11 / 12, box, 0.1)))
    target = tmp_path / "out.mp4"

    written = annotate_video(source, target, [track])

    assert written == 12
    with av.open(str(target)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(frames) == 12
    for frame in frames:
        # H.264 is lossy: the left edge is near the label's green, the inside near the grey.
        assert np.abs(frame[60, 41].astype(int) - COLOURS["real"]).max() < 40
        assert np.abs(frame[60, 70].astype(int) - 90).max() < 20


def test_a_file_that_is_no_video_is_corrupt_media(tmp_path: Path) -> None:
    source = tmp_path / "in.mp4"
    source.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    with pytest.raises(CorruptMedia):
        annotate_video(source, tmp_path / "out.mp4", [])


def _small_frames_then_huge_ones() -> bytes:
    """Six 160 px frames, then two 16000x16000 ones (768 MB each decoded), in one stream whose
    header says 160 px: an analysis sampling the start passes, and only drawing on every frame
    reaches the large ones."""
    return png_video([frame_png(160)] * 6 + [frame_png(16000)] * 2)


def test_frames_over_the_pixel_limit_are_not_drawn(tmp_path: Path) -> None:
    source = tmp_path / "in.avi"
    source.write_bytes(_small_frames_then_huge_ones())
    written = annotate_video(source, tmp_path / "out.mp4", [], limits=VideoLimits())
    assert written == 6


def test_drawing_holds_its_frames_in_the_decode_budget(tmp_path: Path) -> None:
    source = tmp_path / "in.mp4"
    write_video(source, [grey() for _ in range(4)], fps=4)
    budget = DecodeBudget(pixels=1000)
    with budget.reserve(1000, timeout_s=0), pytest.raises(Overloaded):
        annotate_video(source, tmp_path / "out.mp4", [], budget=budget, wait_s=0)
    assert annotate_video(source, tmp_path / "out.mp4", [], budget=budget, wait_s=0) == 4
    assert budget.in_flight == 0


@pytest.mark.slow
def test_drawing_on_a_video_with_huge_late_frames_stays_small(tmp_path: Path) -> None:
    source = tmp_path / "in.avi"
    source.write_bytes(_small_frames_then_huge_ones())
    peak = peak_memory(
        f"""
        from pathlib import Path
        from deepfake_detection.analysis.annotate import annotate_video
        from deepfake_detection.media.video import VideoLimits
        folder = Path({str(tmp_path)!r})
        print(annotate_video(folder / "in.avi", folder / "out.mp4", [], limits=VideoLimits()))
        """
    )
    assert peak.output == "6"
    # Before drawing decoded within the limits: 4,730 MB, each 16000x16000 frame decoded.
    assert peak.mb < 800
