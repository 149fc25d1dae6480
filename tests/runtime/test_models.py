import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from deepfake_detection.analysis.results import ImageAnalysis
from deepfake_detection.config import Settings
from deepfake_detection.errors import (
    InvalidOptions,
    ModelUnavailable,
    Overloaded,
    PayloadTooLarge,
)
from deepfake_detection.runtime.models import load_models
from deepfake_detection.runtime.options import AnalysisOptions
from deepfake_detection.testing.fuzzing.bombs import frame_png, png_video
from support.peak_memory import peak_memory


def test_models_built_from_the_settings(tiny_model_card: Path) -> None:
    settings = Settings(
        model_card=tiny_model_card,
        detector=" None ",
        threshold=0.4,
        max_faces=3,
        video_frames=5,
        video_max_duration_s=90.0,
    )
    models = load_models(settings, detector_names=["none"])
    assert models.detector(None).name == "none"
    assert models.detector(" NONE ").name == "none"  # as a request may spell it
    assert (models.analyzer.threshold, models.analyzer.max_faces) == (0.4, 3)
    assert models.card.version == "0"
    assert models.max_faces(None) == 3
    with pytest.raises(InvalidOptions, match="at most 3 faces"):
        models.max_faces(4)
    with pytest.raises(InvalidOptions, match="valid detectors: none"):
        models.detector("centerface")
    assert models.video_options(AnalysisOptions()).sampling.frames == 5
    assert models.video_analyzer().limits.max_duration_s == 90.0
    assert models.video_analyzer(max_duration_s=9.0).limits.max_duration_s == 9.0


def test_an_image_is_analysed_within_the_settings_limits(
    tiny_model_card: Path, tmp_path: Path
) -> None:
    path = tmp_path / "white.png"
    Image.fromarray(np.full((32, 32, 3), 255, np.uint8)).save(path)
    settings = Settings(model_card=tiny_model_card, detector="none")
    models = load_models(settings, detector_names=["none"])
    analyzed = models.analyze(path.read_bytes(), models.detector(None), None, 1)
    # The tiny model scores an all-white crop exactly 0.5: fake at the card's threshold.
    assert analyzed.analysis.verdict == "fake"
    assert models.read_image(path).shape == (32, 32, 3)
    small = Settings(model_card=tiny_model_card, detector="none", max_upload_bytes=10)
    with pytest.raises(PayloadTooLarge):
        load_models(small, detector_names=["none"]).read_image(path)


def test_a_default_detector_that_was_not_loaded_is_model_unavailable(
    tiny_model_card: Path,
) -> None:
    settings = Settings(model_card=tiny_model_card, detector="ssd")
    with pytest.raises(ModelUnavailable, match="default detector 'ssd'"):
        load_models(settings, detector_names=["none"])


@pytest.mark.parametrize("orientation", [1, 6])
def test_a_reduced_jpeg_is_answered_in_its_full_pixels(
    tiny_model_card: Path, orientation: int
) -> None:
    """A 2048x1024 photograph with two faces decoded at half scale: same faces, boxes in the full
    image's pixels (also when its EXIF orientation turns it to 1024x2048)."""
    picture = Image.fromarray(np.tile(np.asarray(data.astronaut()), (1, 2, 1))).resize((2048, 1024))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=95, exif=exif)

    def faces(reduce_above: int) -> tuple[ImageAnalysis, list[tuple[float, ...]]]:
        settings = Settings(
            model_card=tiny_model_card, jpeg_reduce_above_pixels=reduce_above, detector="centerface"
        )
        models = load_models(settings, detector_names=["centerface"])
        analysis = models.analyze(buffer.getvalue(), models.detector(None), None, 4).analysis
        boxes = sorted((f.box.x1, f.box.y1, f.box.x2, f.box.y2) for f in analysis.faces)
        return analysis, boxes

    full, full_boxes = faces(10**9)
    half, half_boxes = faces(600_000)  # 1024x512 fits: half scale
    size = (2048, 1024) if orientation == 1 else (1024, 2048)
    assert (full.width, full.height) == (half.width, half.height) == size
    assert len(full_boxes) == len(half_boxes) == 2
    for a, b in zip(full_boxes, half_boxes, strict=True):
        # The same faces (about 250 px) within 10%; a box left in half-scale pixels would be
        # hundreds of pixels off. (Turned, the faces lie sideways: the detector is less steady.)
        assert np.allclose(a, b, atol=25), (a, b)


def test_drawing_on_an_image_holds_it_in_the_decode_budget(tiny_model_card: Path) -> None:
    settings = Settings(model_card=tiny_model_card, detector="none", decode_wait_s=0)
    models = load_models(settings, detector_names=["none"])
    png = io.BytesIO()
    Image.fromarray(np.full((40, 60, 3), 90, np.uint8)).save(png, "PNG")
    budget = models.decode_budget
    with budget.reserve(budget.pixels, timeout_s=0), pytest.raises(Overloaded):
        models.annotate_image(png.getvalue(), [])
    drawn = Image.open(io.BytesIO(models.annotate_image(png.getvalue(), [])))
    assert drawn.size == (60, 40)
    assert budget.in_flight == 0


def test_drawing_on_a_video_keeps_the_settings_video_limits(
    tiny_model_card: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.avi"
    source.write_bytes(png_video([frame_png(160)] * 3))
    settings = Settings(model_card=tiny_model_card, detector="none", video_max_pixels=100 * 100)
    models = load_models(settings, detector_names=["none"])
    with pytest.raises(PayloadTooLarge, match="video stream 0"):
        models.annotate_video(source, tmp_path / "out.mp4", [])
    assert not (tmp_path / "out.mp4").exists()


def _tiny_models(card: Path) -> str:
    """Source that loads ``models`` with the tiny model, no detector and time enough to decode
    the largest images (for ``peak_memory``)."""
    return f"""
        from pathlib import Path
        from deepfake_detection.config import Settings
        from deepfake_detection.runtime.models import load_models
        settings = Settings(
            model_card=Path({str(card)!r}), detector="none",
            decode_wait_s=600, decode_timeout_s=600,
        )
        models = load_models(settings, detector_names=["none"])
        """


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["PNG"])
def test_three_drawings_of_a_large_image_at_once_stay_in_the_budget(
    tiny_model_card: Path, tmp_path: Path, fmt: str
) -> None:
    side = 7071  # 50 million pixels, the default DFD_MAX_PIXELS
    image = Image.new("RGBA", (side, side), (200, 180, 160, 255))
    image.paste(Image.fromarray(data.astronaut()).convert("RGBA"), (100, 100))
    path = tmp_path / f"big.{fmt.lower()}"
    image.save(path, fmt, **({"lossless": True, "method": 0} if fmt == "WEBP" else {}))
    del image
    peak = peak_memory(
        _tiny_models(tiny_model_card)
        + f"""
        from concurrent.futures import ThreadPoolExecutor
        data = Path({str(path)!r}).read_bytes()
        with ThreadPoolExecutor(3) as pool:
            sizes = list(pool.map(lambda _: len(models.annotate_image(data, [])), range(3)))
        print(len(sizes))
        """,
        timeout_s=600,
    )
    assert peak.output == "3"
    assert peak.mb < 800


@pytest.mark.slow
def test_the_largest_webp_accepted_stays_under_800_mb(
    tiny_model_card: Path, tmp_path: Path
) -> None:
    """Issue 22 S9: a 50 MP lossless WebP took a service to 1,140 MB. WebP may have half the pixel
    limit: the largest accepted (25 MP) is analysed and drawn on in one process under 800 MB, and
    a 50 MP one is refused from its header."""
    paths = {}
    for side in (5000, 7071):
        image = Image.new("RGB", (side, side), (200, 180, 160))
        image.paste(Image.fromarray(data.astronaut()), (100, 100))
        paths[side] = tmp_path / f"{side}.webp"
        image.save(paths[side], "WEBP", lossless=True, method=0)
    peak = peak_memory(
        _tiny_models(tiny_model_card)
        + f"""
        from deepfake_detection.errors import PayloadTooLarge
        largest = Path({str(paths[5000])!r}).read_bytes()
        result = models.analyze(largest, models.detector(None), None, 4)
        print(result.analysis.width, len(models.annotate_image(largest, [])) > 0)
        try:
            models.analyze(Path({str(paths[7071])!r}).read_bytes(), models.detector(None), None, 4)
        except PayloadTooLarge as exc:
            print("refused:", exc)
        """,
        timeout_s=600,
    )
    first, refused = peak.output.splitlines()
    assert first == "5000 True"
    assert refused.startswith("refused: the WEBP image")
    assert peak.mb < 800


def test_webp_and_avif_hold_twice_their_pixels_in_the_decode_budget(tiny_model_card: Path) -> None:
    settings = Settings(model_card=tiny_model_card, detector="none", decode_wait_s=0)
    models = load_models(settings, detector_names=["none"])
    budget = models.decode_budget
    image = Image.fromarray(np.full((10, 10, 3), 90, np.uint8))
    encoded = {}
    for fmt in ("PNG", "WEBP", "AVIF"):
        buffer = io.BytesIO()
        image.save(buffer, fmt)
        encoded[fmt] = buffer.getvalue()
    # Room for 100 pixels at the budget's cost: a 10x10 PNG fits, a 10x10 WebP or AVIF does not.
    with budget.reserve(budget.pixels - 100, timeout_s=0):
        assert models.annotate_image(encoded["PNG"], [])
        for fmt in ("WEBP", "AVIF"):
            with pytest.raises(Overloaded):
                models.annotate_image(encoded[fmt], [])
            with pytest.raises(Overloaded):
                models.analyze(encoded[fmt], models.detector(None), None, 1)
    assert models.annotate_image(encoded["WEBP"], [])
