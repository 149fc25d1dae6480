from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import pytest

from deepfake_detection.detectors.registry import create_detector, list_detectors
from deepfake_detection.errors import InvalidOptions

Image = npt.NDArray[np.uint8]


def test_lists_the_builtin_detectors() -> None:
    assert list_detectors() == ["centerface", "none", "ssd", "yunet"]


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidOptions, match=r"mtcnn.*centerface, none, ssd, yunet"):
        create_detector("mtcnn")


def test_unknown_option_is_invalid_options() -> None:
    with pytest.raises(InvalidOptions, match="none"):
        create_detector("none", threshold=0.3)


def test_names_are_case_insensitive() -> None:
    assert create_detector("SSD").name == "ssd"


def test_threads_reach_the_detectors_that_run_their_own() -> None:
    for name in ("centerface", "yunet"):
        detector = create_detector(name, threads=1)
        options = detector._session.get_session_options()  # type: ignore[attr-defined]
        assert options.intra_op_num_threads == 1
    # ssd (OpenCV's process-wide pool) and none (nothing to compute) take no thread count.
    assert create_detector("ssd", threads=1).name == "ssd"
    assert create_detector("none", threads=1).name == "none"


@pytest.mark.parametrize("name", ["centerface", "yunet", "ssd"])
def test_concurrent_calls_get_their_own_results(
    name: str, one_face: Image, no_face: Image, six_faces: Image
) -> None:
    # create_detector promises one detector per process, shared by every thread.
    detector = create_detector(name)
    images = [one_face, no_face, six_faces] * 4
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda im: len(detector.detect(im)), images))
    assert counts == [1, 0, 6] * 4
