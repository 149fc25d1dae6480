import pytest

from deepfake_detection.config import Settings
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.runtime.options import AnalysisOptions, resolve_video_options


def test_a_job_stores_only_the_chosen_options_and_reads_them_back() -> None:
    options = AnalysisOptions(frames=8, detector="centerface")
    assert options.to_json() == '{"frames": 8, "detector": "centerface"}'
    assert AnalysisOptions.from_json(options.to_json()) == options
    assert AnalysisOptions().to_json() == "{}"


@pytest.mark.parametrize("text", ['{"frames": 8, "colour": "red"}', "[1, 2]", '{"frames": 0}'])
def test_stored_options_that_are_not_valid_are_invalid_options(text: str) -> None:
    with pytest.raises(InvalidOptions, match="job options"):
        AnalysisOptions.from_json(text)


def test_unset_options_are_the_services_defaults() -> None:
    settings = Settings(video_frames=12, threshold=0.6, max_faces=5)
    chosen = resolve_video_options(settings)
    assert (chosen.sampling.frames, chosen.threshold, chosen.max_faces) == (12, 0.6, 5)
    chosen = resolve_video_options(settings, frames=3, threshold=0.2, aggregate="max", max_faces=1)
    assert (chosen.sampling.frames, chosen.threshold, chosen.aggregate) == (3, 0.2, "max")
