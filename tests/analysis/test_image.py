import numpy as np
import numpy.typing as npt
import pytest

from deepfake_detection.analysis.image import ImageAnalyzer, select_faces
from deepfake_detection.analysis.results import ImageAnalysis, Timings
from deepfake_detection.crop.recipe import BoxFraming, CropRecipe
from deepfake_detection.shared.faces import Box, DetectedFace
from support.fake_card import fake_card

CARD = fake_card(name="fake-card", version="1.2", input_size=16, threshold=0.5)


class ListedFaces:
    """A detector that returns the faces it was given."""

    name = "listed"

    def __init__(self, *faces: DetectedFace) -> None:
        self.faces = list(faces)

    def detect(self, image: npt.NDArray[np.uint8]) -> list[DetectedFace]:
        return list(self.faces)


class MeanBrightness:
    """A classifier whose fake probability is the crop's mean brightness / 255, batch by batch."""

    card = CARD

    def __init__(self) -> None:
        self.batches: list[tuple[int, ...]] = []

    def predict(self, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        self.batches.append(crops.shape)
        return (crops.reshape(len(crops), -1).mean(axis=1) / 255).astype(np.float32)


def face(x: float, y: float, side: float, confidence: float = 0.9) -> DetectedFace:
    return DetectedFace(Box(x, y, x + side, y + side), confidence)


@pytest.fixture
def image() -> npt.NDArray[np.uint8]:
    """Left half black, right half white (100x200)."""
    pixels = np.zeros((100, 200, 3), np.uint8)
    pixels[:, 100:] = 255
    return pixels


def test_each_face_is_scored_in_one_batch(image: npt.NDArray[np.uint8]) -> None:
    classifier = MeanBrightness()
    dark, bright = face(10, 10, 40, 0.8), face(140, 10, 40, 0.95)
    result = ImageAnalyzer(ListedFaces(dark, bright), classifier).analyze(image)
    assert classifier.batches == [(2, 16, 16, 3)]
    assert [(f.box, f.label) for f in result.faces] == [(bright.box, "fake"), (dark.box, "real")]
    assert result.faces[0].fake_probability == pytest.approx(1.0)
    assert result.faces[1].fake_probability == pytest.approx(0.0)
    assert result.verdict == "fake"
    assert result.fake_probability == pytest.approx(1.0)
    assert (result.width, result.height) == (200, 100)
    assert (result.detector, result.model_name, result.model_version) == (
        "listed",
        "fake-card",
        "1.2",
    )
    assert result.threshold == 0.5
    assert result.timings.total_ms >= 0


def test_all_real(image: npt.NDArray[np.uint8]) -> None:
    result = ImageAnalyzer(ListedFaces(face(10, 10, 40)), MeanBrightness()).analyze(image)
    assert result.verdict == "real"
    assert result.fake_probability == pytest.approx(0.0)


def test_no_face(image: npt.NDArray[np.uint8]) -> None:
    classifier = MeanBrightness()
    result = ImageAnalyzer(ListedFaces(), classifier).analyze(image)
    assert result.verdict == "no_face"
    assert result.fake_probability is None
    assert result.faces == ()
    assert classifier.batches == []  # nothing to classify: the classifier is not called


def test_threshold_override(image: npt.NDArray[np.uint8]) -> None:
    analyzer = ImageAnalyzer(ListedFaces(face(140, 10, 40)), MeanBrightness(), threshold=0.3)
    assert analyzer.analyze(image).threshold == 0.3
    strict = analyzer.analyze(image, threshold=1.0)
    assert strict.faces[0].fake_probability < 1.0 or strict.faces[0].label == "fake"
    assert analyzer.analyze(image, threshold=0.0).verdict == "fake"


def test_label_is_fake_at_the_threshold() -> None:
    grey = np.full((50, 50, 3), 128, np.uint8)
    analyzer = ImageAnalyzer(ListedFaces(face(5, 5, 40)), MeanBrightness())
    assert analyzer.analyze(grey, threshold=128 / 255).faces[0].label == "fake"
    assert analyzer.analyze(grey, threshold=129 / 255).faces[0].label == "real"


def test_small_and_surplus_faces_are_reported_as_skipped(image: npt.NDArray[np.uint8]) -> None:
    faces = [
        face(10, 10, 30, 0.9),
        face(60, 10, 30, 0.8),
        face(150, 60, 8, 0.99),
        face(110, 10, 30, 0.7),
    ]
    analyzer = ImageAnalyzer(ListedFaces(*faces), MeanBrightness(), max_faces=2, min_face_size=20)
    result = analyzer.analyze(image)
    assert [f.box for f in result.faces] == [faces[0].box, faces[1].box]
    assert [(s.box, s.reason) for s in result.skipped] == [
        (faces[2].box, "too_small"),
        (faces[3].box, "over_max_faces"),
    ]
    assert len(analyzer.analyze(image, max_faces=3).faces) == 3


def test_only_small_faces_is_no_face(image: npt.NDArray[np.uint8]) -> None:
    result = ImageAnalyzer(ListedFaces(face(10, 10, 5)), MeanBrightness()).analyze(image)
    assert result.verdict == "no_face"
    assert len(result.skipped) == 1


def test_detector_per_call(image: npt.NDArray[np.uint8]) -> None:
    analyzer = ImageAnalyzer(ListedFaces(), MeanBrightness())
    other = ListedFaces(face(10, 10, 40))
    other.name = "other"
    result = analyzer.analyze(image, detector=other)
    assert result.detector == "other"
    assert len(result.faces) == 1


def test_select_faces_keeps_the_most_confident() -> None:
    faces = [face(0, 0, 30, c) for c in (0.5, 0.9, 0.7)]
    kept, skipped = select_faces(faces, min_face_size=0, max_faces=2)
    assert [f.confidence for f in kept] == [0.9, 0.7]
    assert [s.confidence for s in skipped] == [0.5]


def test_analysis_is_frozen() -> None:
    result = ImageAnalysis(1, 1, "d", "m", "v", 0.5, (), (), Timings(1, 2, 3))
    assert result.timings.total_ms == 6
    with pytest.raises(AttributeError):
        result.width = 2  # type: ignore[misc]


def test_the_card_can_frame_each_detector_differently(image: npt.NDArray[np.uint8]) -> None:
    recipe = CropRecipe(box_scale=1.0, by_detector={"listed": BoxFraming(box_scale=3.0)})
    card = CARD.model_copy(update={"crop": recipe})
    classifier = MeanBrightness()
    classifier.card = card
    box = face(80, 40, 20)  # a black face just left of the white half
    tight = ImageAnalyzer(ListedFaces(box), classifier).analyze(image)
    other = ListedFaces(box)
    other.name = "other"
    loose = ImageAnalyzer(other, classifier).analyze(image)
    # "listed" boxes are framed 3x wider, reaching into the white half; "other" boxes are not.
    assert tight.faces[0].fake_probability > 0.3
    assert loose.faces[0].fake_probability == pytest.approx(0.0)
    assert recipe.for_detector("other") is recipe
