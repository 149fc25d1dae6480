"""Safe video decoding with PyAV: a file, bytes or a file object in, sampled RGB frames out.

- The container is sniffed from the magic bytes (MP4/MOV, Matroska/WebM, AVI) and opened with that
  demuxer only, so no other FFmpeg demuxer (playlists, image sequences, ...) ever sees an upload.
  Images and anything else are ``UnsupportedMedia``; a recognised container that cannot be opened is
  ``CorruptMedia``.
- A first pass reads the packets only (no decoding, milliseconds for a 10 s clip): it gives each
  frame's timestamp, the keyframes, the exact duration and frame rate, also at variable frame rates.
  Limits on bytes, duration and resolution are checked before any frame is decoded; the decode time
  limit is checked between packets.
- Sampled frames are reached by seeking to the nearest keyframe where that decodes fewer frames than
  going on from the current position, and frames nobody needs and nothing refers to (non-reference
  B-frames) are skipped by the decoder. Both leave the sampled frames bit-identical.
- The decoder runs one thread per usable CPU (``threads``), not FFmpeg's automatic count (one
  more than the CPUs): on 2 cores, 3 frame threads took the 3-frame 1080p H.264 benchmark 9-19%
  longer than 2.
- MP4/MOV files are opened without decoding a frame: FFmpeg's probe would decode the first one
  (15-20 ms for 1080p H.264) to learn what the file's index already holds. The decoder itself
  refuses frames over the pixel limit, so dimensions the header misstates cannot slip past it.
- Rotation metadata (the display matrix of phone videos) is applied to every frame.
- A truncated or partly broken file yields the frames that could be read (``VideoReader.missed``
  counts the others); nothing readable at all is ``CorruptMedia``.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import av
import av.error
import numpy as np
from av.container import InputContainer
from av.video.frame import VideoFrame as AVFrame
from av.video.stream import VideoStream

from deepfake_detection.errors import (
    CorruptMedia,
    InvalidRequest,
    PayloadTooLarge,
    UnsupportedMedia,
)
from deepfake_detection.media.image import sniff_image_format
from deepfake_detection.media.video_sampling import Sampling, plan_reads, sampled_frames
from deepfake_detection.media.video_timeline import read_timeline
from deepfake_detection.shared.cpus import usable_cpus
from deepfake_detection.shared.images import RGBImage

VideoSource = Path | bytes | BinaryIO
ContainerKind = Literal["mp4", "matroska", "avi"]
# FFmpeg's demuxer for each container we accept.
_DEMUXERS: dict[ContainerKind, str] = {"mp4": "mov", "matroska": "matroska", "avi": "avi"}
# Options of FFmpeg's probe, per container. The MP4 demuxer reads the dimensions from the sample
# description and the H.264 reordering delay from the composition offsets, so the probe need not
# decode; the other demuxers learn these from a decoded frame.
_PROBE_OPTIONS: dict[ContainerKind, dict[str, str]] = {"mp4": {"skip_frame": "all"}}
_MAX_DECODE_ERRORS = 50


@dataclass(frozen=True)
class VideoLimits:
    """What a client may send: bytes, duration, pixels per frame and decode time."""

    max_bytes: int = 500 * 1024 * 1024
    max_duration_s: float = 600.0
    max_pixels: int = 3840 * 2160
    timeout_s: float = 60.0


@dataclass(frozen=True)
class VideoInfo:
    """What the packet pass found. ``width``/``height`` are as displayed (rotation applied once the
    first frame is decoded, see ``VideoReader.info``); times are seconds from the first frame."""

    container: ContainerKind
    codec: str
    width: int
    height: int
    duration_s: float
    fps: float
    frame_count: int
    keyframe_count: int
    variable_frame_rate: bool
    truncated: bool
    # Bits of the video stream per displayed pixel per frame: about 0.1-0.3 for a platform's
    # 1080p upload, below 0.05 where compression is heavy (FaceForensics++ c40 is about 0.02).
    bits_per_pixel: float = 0.0


@dataclass(frozen=True, eq=False)
class VideoFrame:
    """One decoded frame, in display orientation."""

    index: int
    timestamp_s: float
    image: RGBImage


def sniff_video_container(head: bytes) -> ContainerKind | None:
    """The container the magic bytes announce, or ``None`` for anything else (images included)."""
    if head[4:8] == b"ftyp" and sniff_image_format(head) is None:
        return "mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return "mp4"  # QuickTime files without an ftyp box
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    return None


class VideoReader:
    """An opened and probed video; ``with open_video(source) as video: ...``."""

    def __init__(
        self, source: VideoSource, limits: VideoLimits | None = None, *, threads: int | None = None
    ) -> None:
        """``threads``: the decoder's (default: one per usable CPU)."""
        self.limits = limits or VideoLimits()
        self._deadline = time.monotonic() + self.limits.timeout_s
        file, kind = _prepare(source, self.limits)
        self.decoded = 0
        self.missed = 0
        self.decode_errors = 0
        self.rotation = 0
        try:
            self._container: InputContainer = av.open(
                file, "r", format=_DEMUXERS[kind], options=_probe_options(kind, self.limits)
            )
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise CorruptMedia.unreadable(
                f"the {kind.upper()} video", "it cannot be opened", exc
            ) from exc
        try:
            _check_frame_sizes(self._container, self.limits.max_pixels)
            self._stream = _video_stream(
                self._container, threads or usable_cpus(), self.limits.max_pixels
            )
            self._timeline = read_timeline(
                self._container,
                self._stream,
                max_duration_s=self.limits.max_duration_s,
                deadline=self._deadline,
            )
        except BaseException:
            self._container.close()
            raise
        self._kind = kind

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    @property
    def info(self) -> VideoInfo:
        t = self._timeline
        width, height = self._stream.width, self._stream.height
        if self.rotation % 180:
            width, height = height, width
        return VideoInfo(
            container=self._kind,
            codec=self._stream.codec_context.name,
            width=width,
            height=height,
            duration_s=t.duration_s,
            fps=t.fps,
            frame_count=len(t.pts),
            keyframe_count=len(t.keyframes),
            variable_frame_rate=t.variable_frame_rate,
            truncated=t.truncated,
            bits_per_pixel=8 * t.stream_bytes / max(1, len(t.pts) * width * height),
        )

    def sample(
        self, sampling: Sampling, *, seek: bool = True, skip_unneeded: bool = True
    ) -> Iterator[VideoFrame]:
        """The sampled frames in time order. ``seek=False, skip_unneeded=False`` decodes every frame
        up to the last sampled one (the slow reference the fast path is measured against)."""
        t = self._timeline
        selected = sampled_frames(t.times, t.keyframes, t.duration_s, sampling)
        wanted = {t.pts[i] for i in selected}
        frames: Iterator[AVFrame] | None = None
        pending: AVFrame | None = None
        read = 0
        for step in plan_reads(selected, t.keyframes, seek=seek):
            if frames is None or step.seek_to is not None:
                self._seek(t.pts[step.seek_to or 0])
                frames, pending = self._decode(wanted, skip_unneeded), None
            target = t.pts[step.frame]
            while pending is None or _pts(pending) < target:
                pending = next(frames, None)
                if pending is None:
                    break
            if pending is None or _pts(pending) != target:
                self.missed += 1
                continue
            read += 1
            yield VideoFrame(step.frame, t.times[step.frame], self._to_rgb(pending))
        if not read:
            raise CorruptMedia("no frame of the video could be decoded")

    def frames(self) -> Iterator[VideoFrame]:
        """Every frame of the video in decoding order, within the same limits as ``sample``
        (pixels per frame, decode time), each timed from the first frame."""
        t = self._timeline
        self._seek(t.pts[0])
        start: float | None = None
        for index, frame in enumerate(self._every_frame()):
            time_s = float(frame.time or 0.0)
            start = time_s if start is None else start
            yield VideoFrame(index, time_s - start, self._to_rgb(frame))
        if start is None:
            raise CorruptMedia("no frame of the video could be decoded")

    def _every_frame(self) -> Iterator[AVFrame]:
        yield from self._decode(set(), skip_unneeded=False)
        try:
            # Frame threads hold the last frames back until the decoder is drained.
            drained = self._stream.codec_context.decode(None)
        except av.error.FFmpegError:
            return
        self.decoded += len(drained)
        yield from drained

    def _seek(self, pts: int) -> None:
        try:
            self._container.seek(pts, stream=self._stream, backward=True)
        except av.error.FFmpegError as exc:
            raise CorruptMedia.unreadable("the video", "it cannot be seeked", exc) from exc
        self._stream.codec_context.flush_buffers()

    def _decode(self, wanted: set[int], skip_unneeded: bool) -> Iterator[AVFrame]:
        context = self._stream.codec_context
        packets = self._container.demux(self._stream)
        while True:
            self._check_deadline()
            try:
                packet = next(packets, None)
            except (av.error.FFmpegError, OSError):
                packet = None  # truncated: decode what was read
            if packet is None:
                return
            if skip_unneeded:
                # Nothing refers to a non-reference frame: skipping those we don't output is exact.
                context.skip_frame = "DEFAULT" if packet.pts in wanted else "NONREF"
            try:
                decoded = context.decode(packet)
            except av.error.FFmpegError:
                self.decode_errors += 1
                if self.decode_errors > _MAX_DECODE_ERRORS:
                    return
                continue
            for frame in decoded:
                self.decoded += 1
                yield frame

    def _to_rgb(self, frame: AVFrame) -> RGBImage:
        if frame.width * frame.height > self.limits.max_pixels:
            raise PayloadTooLarge.over_pixels(
                "a frame", frame.width, frame.height, self.limits.max_pixels
            )
        image: RGBImage = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
        self.rotation = round(frame.rotation / 90) % 4 * 90
        if self.rotation:
            # ``rotation`` is counter-clockwise, as np.rot90 turns.
            image = np.ascontiguousarray(np.rot90(image, k=self.rotation // 90))
        return image

    def _check_deadline(self) -> None:
        if time.monotonic() > self._deadline:
            raise PayloadTooLarge(f"decoding took longer than {self.limits.timeout_s:g} s")


def open_video(
    source: VideoSource, limits: VideoLimits | None = None, *, threads: int | None = None
) -> VideoReader:
    """Open, sniff and probe a video; raises the errors described in the module docstring.
    ``threads``: the decoder's (default: one per usable CPU)."""
    return VideoReader(source, limits, threads=threads)


def _prepare(source: VideoSource, limits: VideoLimits) -> tuple[str | BinaryIO, ContainerKind]:
    if isinstance(source, bytes):
        file: str | BinaryIO = io.BytesIO(source)
        size, head = len(source), source[:16]
    elif isinstance(source, Path):
        file = str(source)
        size = source.stat().st_size
        with source.open("rb") as f:
            head = f.read(16)
    else:
        file = source
        size = source.seek(0, os.SEEK_END)
        source.seek(0)
        head = source.read(16)
        source.seek(0)
    if size == 0:
        raise InvalidRequest("the video is empty (0 bytes)")
    if size > limits.max_bytes:
        raise PayloadTooLarge.over_bytes("the video", size, limits.max_bytes)
    kind = sniff_video_container(head)
    if kind is None:
        image = sniff_image_format(head)
        what = f"a {image} image" if image else "not a supported video"
        raise UnsupportedMedia(
            f"{what} (the content is checked, not the file name); "
            "supported: MP4, MOV, WebM, MKV, AVI"
        )
    return file, kind


def _probe_options(kind: ContainerKind, limits: VideoLimits) -> dict[str, str]:
    # FFmpeg's probe decodes a frame of a stream whose header leaves something out (for a PNG
    # stream, the pixel format: a 16000x16000 frame is decoded in full). With ``max_pixels`` the
    # decoder refuses a larger frame before allocating it, and leaves the stream's size unknown.
    return {**_PROBE_OPTIONS.get(kind, {}), "max_pixels": str(limits.max_pixels)}


def _check_frame_sizes(container: InputContainer, max_pixels: int) -> None:
    """Every video stream FFmpeg can decode, not only the one analysed, against the pixel limit,
    by the size its header gave the probe, before any frame is decoded past the probe."""
    for stream in container.streams.video:
        context = stream.codec_context
        if context is None:
            continue  # no decoder: nothing can decode its frames
        what = f"each frame of video stream {stream.index}"
        if context.width <= 0 or context.height <= 0:
            raise PayloadTooLarge(
                f"the size of {what} is unknown or over the limit of "
                f"{max_pixels / 1e6:.1f} million pixels (its decoder refused the first frame)"
            )
        if context.width * context.height > max_pixels:
            raise PayloadTooLarge.over_pixels(what, context.width, context.height, max_pixels)


def _video_stream(container: InputContainer, threads: int, max_pixels: int) -> VideoStream:
    if not container.streams.video:
        raise UnsupportedMedia("the file has no video stream")
    stream = container.streams.video[0]
    if stream.codec_context is None:
        # FFmpeg has no decoder for the stream's codec (or a damaged header names none).
        raise UnsupportedMedia("the video's codec is not one this service can decode")
    stream.thread_type = "AUTO"
    stream.codec_context.thread_count = threads
    stream.codec_context.options = {"max_pixels": str(max_pixels)}
    return stream


def _pts(frame: AVFrame) -> int:
    pts = frame.pts if frame.pts is not None else frame.dts
    return -1 if pts is None else pts
