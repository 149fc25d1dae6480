"""The whole video pipeline: real decoding, the real CenterFace detector, a fake classifier."""

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from deepfake_detection.analysis.video import FRAMES_HELD, VideoAnalyzer, VideoOptions
from deepfake_detection.detectors.registry import create_detector
from deepfake_detection.errors import InvalidOptions, Overloaded
from deepfake_detection.media.decode_budget import DecodeBudget
from deepfake_detection.media.video_sampling import Sampling
from deepfake_detection.testing.images import astronaut_face
from deepfake_detection.testing.video import face_scene, write_video
from support.fake_card import fake_card

Image = npt.NDArray[np.uint8]


class BlueIsFake:
    """Scores a crop by the share of its pixels bluer than red: a blue-tinted face is 'fake'."""

    card = fake_card(name="blue-is-fake")

    def __init__(self) -> None:
        self.batches: list[int] = []

    def predict(self, crops: Image) -> npt.NDArray[np.float32]:
        self.batches.append(len(crops))
        bluer = crops[..., 2].astype(int) > crops[..., 0].astype(int) + 10
        return bluer.reshape(len(crops), -1).mean(axis=1).astype(np.float32)


@pytest.fixture(scope="module")
def analyzer() -> VideoAnalyzer:
    return VideoAnalyzer(create_detector("centerface"), BlueIsFake(), batch_size=8)


def test_two_people_one_swapped_says_which_one(tmp_path: Path, analyzer: VideoAnalyzer) -> None:
    real = astronaut_face()
    swapped = np.ascontiguousarray(real[..., ::-1])  # red and blue exchanged
    write_video(tmp_path / "two.mp4", face_scene([real, swapped], count=40))
    result = analyzer.analyze(tmp_path / "two.mp4", VideoOptions(sampling=Sampling(frames=10)))
    assert result.sampled_frames == 10
    assert result.frames_with_faces == 10
    assert len(result.persons) == 2
    left, right = sorted(result.persons, key=lambda p: p.timeline[0].box.x1)
    assert (left.label, right.label) == ("real", "fake")
    assert result.verdict == "fake"
    assert [s.frame_index for s in left.timeline] == [2, 6, 10, 14, 18, 22, 26, 30, 34, 38]
    assert left.score == pytest.approx(np.mean([s.fake_probability for s in left.timeline]))
    assert set(result.timings_ms) == {"decode", "detect", "crop", "classify", "track", "total"}


def test_the_same_file_gives_the_same_answer(tmp_path: Path, analyzer: VideoAnalyzer) -> None:
    write_video(tmp_path / "one.mp4", face_scene([astronaut_face()], count=30))
    first = analyzer.analyze(tmp_path / "one.mp4")
    second = analyzer.analyze(tmp_path / "one.mp4")
    assert first.persons == second.persons
    assert first.verdict == second.verdict == "real"
    assert first.sampled_frames == 30  # 32 asked, only 30 frames exist


def test_no_face_and_batches_and_aggregates(tmp_path: Path) -> None:
    classifier = BlueIsFake()
    analyzer = VideoAnalyzer(create_detector("centerface"), classifier, batch_size=4)
    grey = np.full((180, 320, 3), 128, np.uint8)
    write_video(tmp_path / "empty.webm", [grey] * 20)
    result = analyzer.analyze(tmp_path / "empty.webm", VideoOptions(sampling=Sampling(frames=5)))
    assert result.verdict == "no_face"
    assert result.persons == ()
    write_video(tmp_path / "one.mkv", face_scene([astronaut_face()], count=20))
    options = VideoOptions(sampling=Sampling(frames=10), aggregate="max")
    result = analyzer.analyze(tmp_path / "one.mkv", options)
    (person,) = result.persons
    assert person.score == max(s.fake_probability for s in person.timeline)
    assert max(classifier.batches) <= 4 + 1  # one frame's faces may top up a batch
    with pytest.raises(InvalidOptions, match="median"):
        VideoOptions(aggregate="mode")


def test_progress_is_reported_and_can_stop_the_analysis(
    tmp_path: Path, analyzer: VideoAnalyzer
) -> None:
    write_video(tmp_path / "one.mp4", face_scene([astronaut_face()], count=20))
    seen: list[float] = []
    analyzer.analyze(tmp_path / "one.mp4", VideoOptions(sampling=Sampling(frames=5)), seen.append)
    assert seen == sorted(seen)
    assert len(seen) == 5

    class Stop(Exception):
        pass

    def stop(value: float) -> None:
        raise Stop

    with pytest.raises(Stop):
        analyzer.analyze(tmp_path / "one.mp4", progress=stop)


def test_frame_progress_counts_the_sampled_frames(tmp_path: Path, analyzer: VideoAnalyzer) -> None:
    write_video(tmp_path / "one.mp4", face_scene([astronaut_face()], count=20))
    counts: list[tuple[int, int]] = []
    options = VideoOptions(sampling=Sampling(frames=5))
    analyzer.analyze(tmp_path / "one.mp4", options, frame_progress=lambda *n: counts.append(n))
    assert counts == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_a_video_holds_its_frames_in_the_decode_budget(tmp_path: Path) -> None:
    grey = np.full((180, 320, 3), 128, np.uint8)
    write_video(tmp_path / "grey.mp4", [grey] * 10)
    held = 320 * 180 * FRAMES_HELD
    budget = DecodeBudget(held)
    seen: list[int] = []
    analyzer = VideoAnalyzer(create_detector("centerface"), BlueIsFake(), budget=budget)
    options = VideoOptions(sampling=Sampling(frames=3))
    analyzer.analyze(tmp_path / "grey.mp4", options, lambda _: seen.append(budget.in_flight))
    assert seen == [held] * 3
    assert budget.in_flight == 0, "released after the analysis"
    with budget.reserve(1, timeout_s=0), pytest.raises(Overloaded, match="retry shortly"):
        # Another decode holds a pixel: this video's frames do not fit beside it.
        analyzer.analyze(tmp_path / "grey.mp4", options, budget_wait_s=0.05)
    assert budget.in_flight == 0


def test_explain_gives_each_person_a_heatmap_of_its_most_fake_face(
    tmp_path: Path, analyzer: VideoAnalyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = astronaut_face()
    swapped = np.ascontiguousarray(real[..., ::-1])
    write_video(tmp_path / "two.mp4", face_scene([real, swapped], count=20))
    options = VideoOptions(sampling=Sampling(frames=5), explain=True)
    result = analyzer.analyze(tmp_path / "two.mp4", options)
    assert "explain" in result.timings_ms
    assert set(result.explanations) == {p.id for p in result.persons}
    for person in result.persons:
        explained = result.explanations[person.id]
        peak = max(person.timeline, key=lambda s: s.fake_probability)
        assert explained.explanation.fake_probability == pytest.approx(peak.fake_probability)
        assert explained.frame_index == peak.frame_index
        assert explained.explanation.heatmap.shape == (8, 8)
    fake = max(result.persons, key=lambda p: p.score)
    assert result.explanations[fake.id].explanation.heatmap.max() > 0, "blue cells move it"

    # Only the highest-scoring crops are kept: with room for one, only the fake person is explained.
    monkeypatch.setattr("deepfake_detection.analysis.video.EXPLAIN_KEEP", 1)
    result = analyzer.analyze(tmp_path / "two.mp4", options)
    assert set(result.explanations) == {fake.id}
    assert analyzer.analyze(tmp_path / "two.mp4").explanations == {}
