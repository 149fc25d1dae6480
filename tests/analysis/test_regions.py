"""Face detection through a video: full passes and regions around known faces."""

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from skimage import data

from deepfake_detection.analysis.regions import RegionDetector, RegionOptions, region_around
from deepfake_detection.analysis.video import VideoAnalyzer, VideoOptions
from deepfake_detection.detectors.registry import create_detector
from deepfake_detection.media.video_sampling import Sampling
from deepfake_detection.shared.faces import Box, DetectedFace
from deepfake_detection.shared.images import RGBImage
from deepfake_detection.testing.video import write_video
from support.fake_card import fake_card

Image = npt.NDArray[np.uint8]
SIDE = 200


class WhiteSquares:
    """A fake detector: every white blob is a face. It records the size of each image it is given,
    so a test sees which calls searched the whole frame."""

    name = "white-squares"

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def detect(self, image: RGBImage) -> list[DetectedFace]:
        self.calls.append(image.shape[:2])
        white = (image.min(axis=2) > 200).astype(np.uint8)
        count, _, stats, _ = cv2.connectedComponentsWithStats(white)
        return [
            DetectedFace(Box(float(x), float(y), float(x + w), float(y + h)), 0.9)
            for x, y, w, h, area in stats[1:count]
            if area >= 4
        ]


def frame(*corners: tuple[int, int], background: int = 0) -> Image:
    image = np.full((1080, 1920, 3), background, np.uint8)
    for x, y in corners:
        image[y : y + SIDE, x : x + SIDE] = 255
    return image


def boxes(faces: list[DetectedFace]) -> list[tuple[float, ...]]:
    return sorted((f.box.x1, f.box.y1, f.box.x2, f.box.y2) for f in faces)


def run(detector: RegionDetector, frames: list[Image]) -> list[list[DetectedFace]]:
    return [detector.detect(image) for image in frames]


def test_full_passes_every_fourth_frame_and_regions_between() -> None:
    fake = WhiteSquares()
    detector = RegionDetector(fake)
    moving = [frame((400 + 30 * i, 300 + 10 * i)) for i in range(9)]
    found = run(detector, moving)
    assert (detector.full_passes, detector.region_passes) == (3, 6)
    full = [i for i, shape in enumerate(fake.calls) if shape == (1080, 1920)]
    assert full == [0, 4, 8]
    assert all(max(shape) < 400 for shape in fake.calls if shape != (1080, 1920))
    for i, faces in enumerate(found):
        (box,) = boxes(faces)
        # Found in a region shrunk to about 96/200: back in the frame's pixels within 3 px.
        truth = (400 + 30 * i, 300 + 10 * i, 400 + 30 * i + SIDE, 300 + 10 * i + SIDE)
        assert np.allclose(box, truth, atol=3), (i, box, truth)


def test_a_face_that_enters_is_found_by_the_next_full_pass() -> None:
    detector = RegionDetector(WhiteSquares())
    frames = [frame((400, 300))] + [frame((400, 300), (1400, 600))] * 4
    counts = [len(faces) for faces in run(detector, frames)]
    assert counts == [1, 1, 1, 1, 2]  # frames 1-3 search only around the first face


def test_a_scene_cut_or_a_lost_face_searches_the_whole_frame() -> None:
    detector = RegionDetector(WhiteSquares())
    frames = [
        frame((400, 300)),  # full: the first frame
        frame((410, 300)),  # a region
        frame((410, 300), (1400, 600), background=120),  # full: a cut, another scene
        frame((410, 300), (1400, 600), background=120),  # two regions
        frame((1500, 100), background=120),  # full: both known faces gone from their regions
    ]
    found = run(detector, frames)
    assert [len(faces) for faces in found] == [1, 1, 2, 2, 1]
    assert boxes(found[4]) == [(1500, 100, 1700, 300)]
    assert (detector.full_passes, detector.region_passes) == (3, 2)


@pytest.mark.parametrize(
    ("options", "corners"),
    [
        (RegionOptions(full_every=1), [(400, 300)]),
        (RegionOptions(), [(100 + 450 * i, 300) for i in range(4)]),  # more than max_regions
    ],
)
def test_when_regions_would_not_save_work_every_frame_is_a_full_pass(
    options: RegionOptions, corners: list[tuple[int, int]]
) -> None:
    detector = RegionDetector(WhiteSquares(), options)
    run(detector, [frame(*corners)] * 5)
    assert (detector.full_passes, detector.region_passes) == (5, 0)


def test_the_whole_image_detector_always_searches_in_full() -> None:
    detector = RegionDetector(create_detector("none"))
    faces = run(detector, [frame((400, 300))] * 3)
    assert detector.full_passes == 3
    assert all(boxes(f) == [(0.0, 0.0, 1920.0, 1080.0)] for f in faces)


def test_a_region_stays_inside_the_frame() -> None:
    assert region_around(Box(10, 20, 110, 120), 2.5, 640, 480) == Box(0, 0, 185, 195)
    assert region_around(Box(600, 400, 640, 480), 2.5, 640, 480) == Box(520, 340, 640, 480)


def _astronaut_frame(x: int, y: int) -> Image:
    image = np.full((720, 1280, 3), 90, np.uint8)
    image[y : y + 180, x : x + 180] = data.astronaut()[20:200, 150:330]
    return image


def test_yunet_finds_the_same_face_in_a_region_as_in_the_whole_frame() -> None:
    yunet = create_detector("yunet")
    detector = RegionDetector(yunet)
    frames = [_astronaut_frame(300 + 12 * i, 200 + 5 * i) for i in range(4)]
    through_regions = run(detector, frames)
    assert (detector.full_passes, detector.region_passes) == (1, 3)
    for image, found in zip(frames, through_regions, strict=True):
        (whole,) = yunet.detect(image)
        (region,) = found
        assert region.box.iou(whole.box) > 0.85
        assert region.landmarks is not None
        assert whole.landmarks is not None
        # Two detections of one face differ by a few pixels (measured: 6.7 px at 40 px between the
        # eyes); a region mapped back wrongly would be off by its corner, a hundred pixels or more.
        eye_distance = abs(whole.landmarks[1][0] - whole.landmarks[0][0])
        error = np.abs(np.subtract(region.landmarks, whole.landmarks)).max()
        assert error < 0.25 * eye_distance


def test_a_video_analysed_through_regions_finds_the_face_that_enters(tmp_path: Path) -> None:
    """The whole pipeline: one face throughout, a second from frame 11 on. 12 of the 24 frames are
    sampled (1, 3, 5, ...), so full passes at frames 1, 9 and 17."""
    face = np.ascontiguousarray(data.astronaut()[20:200, 150:330])
    frames = []
    for i in range(24):
        image = np.full((360, 640, 3), 90, np.uint8)
        image[60:240, 40 + 2 * i : 220 + 2 * i] = face
        if i >= 11:
            image[120:300, 420:600] = face
        frames.append(image)
    write_video(tmp_path / "enters.mp4", frames)
    options = VideoOptions(sampling=Sampling(frames=12))

    def persons(every: int) -> list[list[int]]:
        analyzer = VideoAnalyzer(
            create_detector("yunet"), _Grey(), regions=RegionOptions(full_every=every)
        )
        result = analyzer.analyze(tmp_path / "enters.mp4", options)
        return sorted([s.frame_index for s in p.timeline] for p in result.persons)

    everywhere, through_regions = persons(1), persons(4)
    assert len(everywhere) == len(through_regions) == 2
    first, second = through_regions
    assert first == everywhere[0]  # the first face, in every sampled frame
    assert everywhere[1][0] == 11
    # Missed at frames 11, 13 and 15, where only the first face's region is searched; found by the
    # next full pass, and followed from there.
    assert second == [17, 19, 21, 23]


class _Grey:
    card = fake_card(name="grey")

    def predict(self, crops: Image) -> npt.NDArray[np.float32]:
        return np.full(len(crops), 0.1, np.float32)
