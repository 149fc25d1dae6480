import pytest

from deepfake_detection.testing.fuzzing.seeds import image_seeds, video_seeds


@pytest.fixture(scope="session")
def images() -> dict[str, bytes]:
    return image_seeds()


@pytest.fixture(scope="session")
def videos() -> dict[str, bytes]:
    return video_seeds()
