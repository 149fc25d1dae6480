"""Peak memory of the decode paths that the image and video bombs elsewhere do not reach (issue 22
item 2): each runs alone in a fresh interpreter on the largest input the default limits accept,
and its high-water mark (``VmHWM``) must stay under the 800 MB that every bomb is held to.

Elsewhere: images and drawing on them (tests/runtime/test_models.py), the video probe and every
stream (tests/media/test_video.py), drawing on a video (tests/analysis/test_annotate.py)."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from deepfake_detection.testing.video import write_video
from support.peak_memory import peak_memory

pytestmark = pytest.mark.slow

BUDGET_MB = 800
# DFD_VIDEO_MAX_PIXELS: the largest frame a video may have.
UHD = (2160, 3840)


def _uhd_video(path: Path, frames: int) -> None:
    """3840x2160 H.264 with a face drifting right and a keyframe every 12 frames."""
    face = cv2.resize(data.astronaut()[20:220, 150:330], (540, 600))
    background = np.full((*UHD, 3), 110, np.uint8)

    def frame(i: int) -> np.ndarray:
        image = background.copy()
        image[700:1300, 1000 + 20 * i : 1540 + 20 * i] = face
        return image

    write_video(path, (frame(i) for i in range(frames)), fps=12, codec_options={"g": "12"})


def _run(code: str) -> tuple[str, float]:
    peak = peak_memory(
        """
        from pathlib import Path
        from deepfake_detection.config import Settings
        from deepfake_detection.runtime.models import load_models
        models = load_models(Settings(decode_timeout_s=600, video_decode_timeout_s=600))
        """
        + code,
        timeout_s=600,
    )
    return peak.output, peak.mb


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_a_uhd_video_with_thumbnails_and_explanations(tmp_path: Path, mode: str) -> None:
    """Sampling (the keyframe fast path or exact frames), the regions of interest around the
    face, server-side thumbnails and the explanation of the person, on frames at the size limit."""
    path = tmp_path / "uhd.mp4"
    _uhd_video(path, 48)
    output, mb = _run(
        f"""
        from deepfake_detection.analysis.video import VideoOptions
        from deepfake_detection.media.video_sampling import Sampling
        options = VideoOptions(
            sampling=Sampling(frames=32, mode={mode!r}), thumbnails=True, explain=True
        )
        result = models.video_analyzer().analyze(Path({str(path)!r}), options)
        print(len(result.persons), len(result.thumbnails), len(result.explanations))
        """
    )
    assert output == "1 1 1"
    assert mb < BUDGET_MB, mb


def test_an_image_with_sixteen_faces_explained(tmp_path: Path) -> None:
    """Explanations on the largest JPEG decoded at full scale (16 MP) with 16 faces: four of them
    are explained (DFD_EXPLAIN_MAX_FACES), each an occlusion map."""
    image = np.full((4000, 4000, 3), 120, np.uint8)
    face = data.astronaut()[20:220, 150:330]
    for k in range(16):
        row, col = divmod(k, 4)
        image[300 + 900 * row : 500 + 900 * row, 300 + 900 * col : 480 + 900 * col] = face
    path = tmp_path / "sixteen.jpg"
    Image.fromarray(image).save(path, quality=92)
    output, mb = _run(
        f"""
        data = Path({str(path)!r}).read_bytes()
        done = models.analyze(data, models.detector(None), None, 16, explain=True)
        print(len(done.analysis.faces), sum(e is not None for e in done.explanations))
        """
    )
    assert output == "16 4"
    assert mb < BUDGET_MB, mb


def test_provenance_of_an_image_with_a_manifest_at_the_size_limit(tmp_path: Path) -> None:
    """A JPEG whose APP11 (JUMBF, where C2PA lives) segments carry 4 MiB of junk: read, found
    unreadable, under the budget."""
    picture = tmp_path / "plain.jpg"
    Image.fromarray(data.astronaut()).save(picture, quality=90)
    jpeg = picture.read_bytes()
    chunk = 65_000
    segments = b"".join(
        b"\xff\xeb" + (chunk + 2).to_bytes(2, "big") + b"JP" + bytes(chunk - 2)
        for _ in range(4 * 1024 * 1024 // chunk)
    )
    path = tmp_path / "junk-manifest.jpg"
    path.write_bytes(jpeg[:2] + segments + jpeg[2:])
    output, mb = _run(
        f"""
        found = models.provenance.read(Path({str(path)!r}))
        print(type(found).__name__)
        """
    )
    assert output == "Provenance"
    assert mb < BUDGET_MB, mb
