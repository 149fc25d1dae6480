import random

from deepfake_detection.media.image import sniff_image_format
from deepfake_detection.media.video import sniff_video_container
from deepfake_detection.testing.fuzzing.cases import Case, make_case
from deepfake_detection.testing.fuzzing.mutate import mutate
from deepfake_detection.testing.fuzzing.seeds import base_format
from deepfake_detection.testing.fuzzing.structure import PARSERS


def test_there_is_a_seed_of_every_supported_format(
    images: dict[str, bytes], videos: dict[str, bytes]
) -> None:
    assert {sniff_image_format(data) for data in images.values()} >= {
        "jpeg", "png", "gif", "webp", "bmp", "tiff", "avif", "heif"
    }  # fmt: skip
    assert {sniff_video_container(data[:16]) for data in videos.values()} == {
        "mp4", "matroska", "avi"
    }  # fmt: skip
    assert set(videos) == {"mp4", "mov", "matroska", "webm", "avi"}


def test_the_parsers_find_the_fields_of_every_seed(
    images: dict[str, bytes], videos: dict[str, bytes]
) -> None:
    for name, data in {**images, **videos}.items():
        fields = PARSERS[base_format(name)](data)
        assert len(fields) >= 8, name
        assert all(f.offset >= 0 and f.offset + f.size <= len(data) for f in fields), name
        if base_format(name) not in ("gif", "bmp", "tiff"):  # header fields only for those
            assert any(f.kind == "length" for f in fields), name


def test_mutations_are_seeded_and_change_the_file(images: dict[str, bytes]) -> None:
    png = images["png"]
    first = [mutate(png, "png", random.Random(i)) for i in range(50)]
    again = [mutate(png, "png", random.Random(i)) for i in range(50)]
    assert first == again
    assert sum(m != png for m in first) >= 45
    assert len(set(first)) >= 40


def test_cases_are_seeded_and_survive_a_round_trip(
    images: dict[str, bytes], videos: dict[str, bytes]
) -> None:
    cases = [make_case(random.Random(f"3:{i}"), images, videos) for i in range(300)]
    assert cases == [make_case(random.Random(f"3:{i}"), images, videos) for i in range(300)]
    assert {c.route for c in cases} == {
        "/v1/images", "/v1/images (json)", "/detect_deepfake_image", "/v1/videos",
        "/detect_deepfake_video", "/v1/jobs", "/v1/jobs/{id}", "/v1/jobs (url)", "/v1/jobs (list)",
        "/v1/jobs/{id}/annotated", "(made-up method)",
    }  # fmt: skip
    assert any(c.cut is not None for c in cases)  # clients that leave mid-body
    assert all(Case.from_json(c.to_json()) == c for c in cases)
