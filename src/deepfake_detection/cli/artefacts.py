"""What ``dfd scan`` writes besides its lines: ``--annotate DIR`` (each image as a PNG, each video as
an MP4, with the faces' boxes, labels and scores drawn) and ``--report FILE`` (one HTML page).
Both paths were checked before the scan (``output_paths.py``)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from deepfake_detection import __version__
from deepfake_detection.analysis.annotate import (
    annotate_video,
    draw_marks,
    image_marks,
    marks_at,
    png_bytes,
    sampling_reach,
    video_tracks,
)
from deepfake_detection.analysis.results import ImageAnalysis
from deepfake_detection.analysis.verdict import DecisionRule
from deepfake_detection.analysis.video import VideoAnalysis
from deepfake_detection.cli.report import ReportEntry, ReportHeader, render_report
from deepfake_detection.cli.scanner import FileResult, Scanner
from deepfake_detection.errors import DetectionError
from deepfake_detection.media.video import open_video
from deepfake_detection.media.video_sampling import Sampling
from deepfake_detection.runtime.limits import video_limits
from deepfake_detection.shared.images import RGBImage


class ScanArtefacts:
    """Collects a scan's results; a file that cannot be drawn is reported on ``stderr`` and the
    scan goes on."""

    def __init__(
        self, scanner: Scanner, annotate_dir: Path | None, report: Path | None, stderr: TextIO
    ) -> None:
        self.scanner = scanner
        self.annotate_dir = annotate_dir
        self.report = report
        self.stderr = stderr
        self.entries: list[ReportEntry] = []
        self._names: set[str] = set()
        self.header = report_header(scanner)

    @property
    def wanted(self) -> bool:
        return self.annotate_dir is not None or self.report is not None

    def add(self, result: FileResult) -> None:
        thumbnail: RGBImage | None = None
        analysis = result.analysis
        try:
            if isinstance(analysis, ImageAnalysis):
                thumbnail = self._image(result.path, analysis)
            elif isinstance(analysis, VideoAnalysis):
                thumbnail = self._video(result.path, analysis)
        except DetectionError as exc:
            print(f"dfd scan: cannot draw {result.path}: {exc.message}", file=self.stderr)
        except OSError as exc:
            print(f"dfd scan: cannot write {exc.filename}: {exc.strerror}", file=self.stderr)
        if self.report is None:
            return
        sha256 = file_sha256(result.path)
        if isinstance(analysis, VideoAnalysis):
            entry = ReportEntry(
                result,
                thumbnail,
                analysis.persons,
                analysis.threshold,
                analysis.info.duration_s,
                sha256=sha256,
            )
        else:
            entry = ReportEntry(result, thumbnail, sha256=sha256)
        self.entries.append(entry)

    def finish(self) -> bool:
        """Write the report; ``False`` (said on ``stderr``) when it could not be written."""
        if self.report is None:
            return True
        try:
            self.report.write_text(render_report(self.entries, self.header), encoding="utf-8")
        except OSError as exc:
            print(f"dfd scan: cannot write {self.report}: {exc.strerror}", file=self.stderr)
            return False
        return True

    def _image(self, path: Path, analysis: ImageAnalysis) -> RGBImage:
        drawn = draw_marks(self.scanner.models.read_image(path), image_marks(analysis.faces))
        if self.annotate_dir is not None:
            (self.annotate_dir / self._name(path, ".png")).write_bytes(png_bytes(drawn))
        return drawn

    def _video(self, path: Path, analysis: VideoAnalysis) -> RGBImage | None:
        tracks = video_tracks(analysis.persons)
        if self.annotate_dir is not None:
            annotate_video(path, self.annotate_dir / self._name(path, ".mp4"), tracks)
        if self.report is None:
            return None
        # The frame at the middle of the video, with the boxes of that moment.
        limits = video_limits(self.scanner.settings)
        with open_video(path, limits) as video:
            frame = next(video.sample(Sampling(frames=1)))
        return draw_marks(frame.image, marks_at(tracks, frame.timestamp_s, sampling_reach(tracks)))

    def _name(self, path: Path, suffix: str) -> str:
        """``<stem>.annotated<suffix>``, numbered when two scanned files share a stem."""
        name, n = f"{path.stem}.annotated{suffix}", 1
        while name in self._names:
            n += 1
            name = f"{path.stem}-{n}.annotated{suffix}"
        self._names.add(name)
        return name


def report_header(scanner: Scanner) -> ReportHeader:
    """The scan's tool, model, threshold and settings, dated now."""
    settings, options = scanner.settings, scanner.video_options
    card = scanner.models.card
    rule = DecisionRule.from_card(card, settings.threshold)
    sampling = options.sampling
    frames = (
        f"one every {sampling.every_s:g} s (at most {sampling.max_frames})"
        if sampling.every_s is not None
        else f"{sampling.frames}, evenly spread"
    )
    return ReportHeader(
        tool=f"dfd {__version__}",
        model=f"{card.name} {card.version}",
        threshold=rule.threshold,
        uncertain_band=(rule.low, rule.high),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        settings=(
            ("face detector", scanner.detector.name),
            ("faces scored per image or frame", f"at most {settings.max_faces}"),
            ("smallest face scored", f"{settings.min_face_size} px"),
            ("video frames sampled", frames),
            ("a person's video score", f"the {options.aggregate} of its frames"),
            ("coverage to decide a video", f"{options.min_coverage:.0%} of the sampled frames"),
        ),
    )


def file_sha256(path: Path) -> str | None:
    """The file's SHA-256 in hex, read in chunks; ``None`` when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()
