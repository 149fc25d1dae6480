import pytest

from deepfake_detection.analysis.verdict import Verdict, verdict_of
from deepfake_detection.shared.faces import Label


@pytest.mark.parametrize(
    ("labels", "verdict"),
    [
        ([], "no_face"),
        (["real"], "real"),
        (["real", "real"], "real"),
        (["real", "fake", "real"], "fake"),
        (["fake"], "fake"),
    ],
)
def test_one_fake_face_makes_the_verdict_fake(labels: list[Label], verdict: Verdict) -> None:
    assert verdict_of(iter(labels)) == verdict
