"""Real decoding of videos these tests write themselves with PyAV."""

import io
import struct
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from deepfake_detection.errors import (
    CorruptMedia,
    InvalidRequest,
    PayloadTooLarge,
    UnsupportedMedia,
)
from deepfake_detection.media.video import VideoLimits, open_video, sniff_video_container
from deepfake_detection.media.video_sampling import Sampling
from deepfake_detection.testing.fuzzing.bombs import frame_png, png_video
from deepfake_detection.testing.images import astronaut_face
from deepfake_detection.testing.video import face_scene, write_video
from support.peak_memory import peak_memory

Image = npt.NDArray[np.uint8]


def _clip(path: Path, count: int = 30, **kwargs: object) -> Path:
    write_video(path, face_scene([astronaut_face()], width=320, height=180, count=count), **kwargs)  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".webm", ".mkv", ".avi"])
def test_every_container_decodes_to_rgb_frames(tmp_path: Path, suffix: str) -> None:
    path = _clip(tmp_path / f"clip{suffix}")
    with open_video(path) as video:
        frames = list(video.sample(Sampling(frames=5)))
        info = video.info
    assert info.frame_count == 30
    assert info.duration_s == pytest.approx(1.2, abs=0.01)
    assert info.fps == pytest.approx(25.0, abs=0.1)
    assert [f.index for f in frames] == [3, 9, 15, 21, 27]
    assert frames[0].image.shape == (180, 320, 3)
    assert frames[0].image.dtype == np.uint8
    assert not info.truncated


def test_bytes_and_file_objects_decode_like_paths(tmp_path: Path) -> None:
    path = _clip(tmp_path / "clip.mp4")
    sampling = Sampling(frames=4)
    sources = [path, path.read_bytes(), io.BytesIO(path.read_bytes())]
    decoded = []
    for source in sources:
        with open_video(source) as video:  # type: ignore[arg-type]
            decoded.append([f.image for f in video.sample(sampling)])
    for images in decoded[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(decoded[0], images, strict=True))


def test_rotation_metadata_turns_frames_upright(tmp_path: Path) -> None:
    scene = list(face_scene([astronaut_face()], width=320, height=180, count=10))
    # A phone held upright records landscape pixels and a display matrix: -90 is a clockwise turn.
    write_video(tmp_path / "portrait.mp4", scene, rotation=-90)
    with open_video(tmp_path / "portrait.mp4") as video:
        frame = next(video.sample(Sampling(frames=1)))
        info = video.info
    assert frame.image.shape == (320, 180, 3)
    assert (info.width, info.height) == (180, 320)
    upright = np.rot90(scene[frame.index], k=-1)
    assert np.abs(frame.image.astype(int) - upright.astype(int)).mean() < 6


def test_variable_frame_rate_uses_each_frames_own_time(tmp_path: Path) -> None:
    times = [0.0, 0.04, 0.08, 0.5, 0.52, 1.0, 1.5, 1.55, 1.6, 2.0]
    write_video(tmp_path / "vfr.mkv", face_scene([astronaut_face()], count=10), times=times)
    with open_video(tmp_path / "vfr.mkv") as video:
        frames = list(video.sample(Sampling(frames=4)))
        info = video.info
    assert info.variable_frame_rate
    assert [round(f.timestamp_s, 2) for f in frames] == [0.08, 0.52, 1.0, 1.6]


def test_seeking_and_skipping_give_the_same_pixels_as_decoding_everything(tmp_path: Path) -> None:
    path = _clip(tmp_path / "gop.mp4", count=120, codec_options={"g": "12", "bf": "3"})
    results = []
    for seek, skip in [(False, False), (True, False), (True, True)]:
        with open_video(path) as video:
            results.append(list(video.sample(Sampling(frames=7), seek=seek, skip_unneeded=skip)))
            decoded = video.decoded
        if seek:
            assert decoded < 120
    reference = results[0]
    for frames in results[1:]:
        assert [f.index for f in frames] == [f.index for f in reference]
        assert all(np.array_equal(a.image, b.image) for a, b in zip(reference, frames, strict=True))


def test_fast_sampling_decodes_far_less_on_sparse_keyframes(tmp_path: Path) -> None:
    # Issue 20: the original's 3 frames of a clip with keyframes at 0 and 250 decoded every frame
    # up to each sampled one.
    path = _clip(tmp_path / "sparse.mp4", count=300, codec_options={"g": "250", "bf": "0"})
    decoded = {}
    frames = {}
    for mode in ("exact", "fast"):
        with open_video(path) as video:
            frames[mode] = list(video.sample(Sampling(frames=3, mode=mode)))
            decoded[mode] = video.decoded
    assert [f.index for f in frames["exact"]] == [50, 150, 250]
    # 2 s -> frame 4 (after keyframe 0); 6 s -> keyframe 250 (at 10 s), 10 s -> the frame after.
    assert [f.index for f in frames["fast"]] == [4, 250, 251]
    assert decoded["fast"] <= 12 < decoded["exact"]
    # The frames fast sampling takes are the frames themselves, decoded exactly.
    with open_video(path) as video:
        everything = list(video.sample(Sampling(frames=300)))
    by_index = {f.index: f.image for f in everything}
    assert all(np.array_equal(f.image, by_index[f.index]) for f in frames["fast"])


@pytest.mark.parametrize(
    ("suffix", "muxer"),
    [(".mp4", {}), (".mp4", {"movflags": "frag_keyframe+empty_moov"}), (".mkv", {})],
)
def test_frames_match_a_plain_pyav_decode_whatever_the_thread_count(
    tmp_path: Path, suffix: str, muxer: dict[str, str]
) -> None:
    # MP4 is opened without FFmpeg's probe decode, fragmented MP4 included; Matroska with it.
    codec = {"g": "20", "bf": "3"}
    path = _clip(tmp_path / f"gop{suffix}", count=60, options=muxer, codec_options=codec)
    with av.open(str(path)) as container:  # FFmpeg's defaults: full probe, automatic threads
        plain = {f.pts: f.to_ndarray(format="rgb24") for f in container.decode(video=0)}
    for threads in (1, 2, 3):
        with open_video(path, threads=threads) as video:
            frames = list(video.sample(Sampling(frames=6)))
            pts = [video._timeline.pts[f.index] for f in frames]
        assert len(frames) == 6
        assert all(np.array_equal(plain[p], f.image) for p, f in zip(pts, frames, strict=True))


def test_a_header_that_understates_the_frame_size_does_not_pass_the_pixel_limit(
    tmp_path: Path,
) -> None:
    content = bytearray(_clip(tmp_path / "clip.mp4").read_bytes())
    # The width and height of the avc1 sample description, 28 bytes after its type.
    at = content.rindex(b"avc1") + 28
    assert struct.unpack(">HH", content[at : at + 4]) == (320, 180)
    content[at : at + 4] = struct.pack(">HH", 32, 32)
    with open_video(bytes(content), VideoLimits(max_pixels=320 * 100)) as video:
        with pytest.raises(CorruptMedia):
            list(video.sample(Sampling(frames=5)))
        assert video.decoded == 0


@pytest.mark.parametrize("suffix", [".mkv", ".webm", ".avi"])
def test_a_truncated_file_gives_the_frames_that_could_be_read(tmp_path: Path, suffix: str) -> None:
    whole = _clip(tmp_path / f"whole{suffix}", count=100, codec_options={"g": "10"})
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with open_video(cut) as video:
        frames = list(video.sample(Sampling(frames=8)))
        info = video.info
    assert info.truncated
    assert 20 < info.frame_count < 80
    assert len(frames) >= 6


def test_a_truncated_mp4_without_its_index_is_corrupt(tmp_path: Path) -> None:
    whole = _clip(tmp_path / "whole.mp4", count=60)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(CorruptMedia):
        open_video(cut)


def test_non_video_inputs_are_refused_clearly(tmp_path: Path) -> None:
    png = io.BytesIO()
    from PIL import Image as PILImage

    PILImage.fromarray(astronaut_face()).save(png, format="PNG")
    with pytest.raises(UnsupportedMedia, match="png image"):
        open_video(png.getvalue())
    with pytest.raises(UnsupportedMedia):
        open_video(b"just some text, not a video at all")
    with pytest.raises(InvalidRequest):
        open_video(b"")
    # The signature of a container but garbage after it: corrupt, not unsupported.
    with pytest.raises(CorruptMedia):
        open_video(b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 8)
    assert sniff_video_container(b"\x00\x00\x00\x18ftypmp42") == "mp4"
    assert sniff_video_container(b"\x00\x00\x00\x18ftypheic") is None


@pytest.mark.parametrize(("suffix", "fourcc"), [(".mp4", b"avc1"), (".avi", b"FMP4")])
def test_a_codec_ffmpeg_cannot_decode_is_unsupported(
    tmp_path: Path, suffix: str, fourcc: bytes
) -> None:
    # An unknown codec tag leaves the stream without a codec context: was an AttributeError (500).
    content = _clip(tmp_path / f"c{suffix}", count=5).read_bytes()
    assert fourcc in content
    with pytest.raises(UnsupportedMedia, match="codec"):
        open_video(content.replace(fourcc, b"QQQQ"))


def test_limits_are_checked_before_decoding(tmp_path: Path) -> None:
    path = _clip(tmp_path / "clip.mp4")
    with pytest.raises(PayloadTooLarge, match="bytes"):
        open_video(path, VideoLimits(max_bytes=100))
    with pytest.raises(PayloadTooLarge, match="lasts"):
        open_video(path, VideoLimits(max_duration_s=0.5))
    with pytest.raises(PayloadTooLarge, match="pixels"):
        open_video(path, VideoLimits(max_pixels=320 * 100))
    with open_video(path, VideoLimits(timeout_s=1.0)) as video:
        video._deadline = 0.0  # as if decoding had already taken too long
        with pytest.raises(PayloadTooLarge, match="longer than"):
            list(video.sample(Sampling(frames=5)))


def test_bits_per_pixel_says_how_hard_the_stream_was_compressed(tmp_path: Path) -> None:
    rates = []
    for crf in (18, 45):
        path = _clip(tmp_path / f"crf{crf}.mp4", codec_options={"crf": str(crf)})
        with open_video(path) as video:
            rates.append(video.info.bits_per_pixel)
    assert 0 < rates[1] < rates[0] / 2


def _bombs() -> dict[str, bytes]:
    """16000x16000 frames (768 MB as RGB) in files under 2 MB, and a 64 px stream 0 beside one."""
    huge = frame_png(16000)
    return {
        "avi-rgb24": png_video([huge]),
        "mp4-rgb24": png_video([huge], container="mp4"),
        "avi-rgba64": png_video([frame_png(16000, "rgba64be")]),
        "avi-huge-stream-1": png_video([frame_png(64)] * 3, [huge]),
    }


@pytest.mark.parametrize("name", list(_bombs()))
def test_a_frame_over_the_pixel_limit_in_any_stream_is_refused_from_the_headers(name: str) -> None:
    content = _bombs()[name]
    assert len(content) < 2_100_000
    with pytest.raises(
        PayloadTooLarge, match=f"video stream {1 if name.endswith('stream-1') else 0}"
    ):
        open_video(content)


def test_every_stream_within_the_limit_is_accepted() -> None:
    with open_video(png_video([frame_png(64)] * 3, [frame_png(200)])) as video:
        assert (video.info.width, video.info.height, video.info.frame_count) == (64, 64, 3)
        assert len(list(video.sample(Sampling(frames=3)))) == 3


@pytest.mark.slow
@pytest.mark.parametrize("name", list(_bombs()))
def test_refusing_a_bomb_costs_no_memory(name: str, tmp_path: Path) -> None:
    path = tmp_path / "bomb"
    path.write_bytes(_bombs()[name])
    peak = peak_memory(
        f"""
        from pathlib import Path
        from deepfake_detection.errors import PayloadTooLarge
        from deepfake_detection.media.video import open_video
        from deepfake_detection.media.video_sampling import Sampling
        try:
            with open_video(Path({str(path)!r})) as video:
                print("decoded", len(list(video.sample(Sampling(frames=3)))))
        except PayloadTooLarge:
            print("refused")
        """
    )
    assert peak.output == "refused"
    # Before the probe was bounded: 820 MB for an RGB frame, 2,100 MB for a 16-bit RGBA one.
    assert peak.mb < 800
