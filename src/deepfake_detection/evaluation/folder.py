"""Evaluate the service's whole pipeline on a folder with REAL/ and FAKE/ (images or videos).

Images are scored as the service scores them (the most likely fake face). Videos are scored at
frame level (each sampled frame's most likely fake face) and at video level (the mean of its
frames' scores, 32 frames by default).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deepfake_detection.analysis.video import VideoAnalysis, VideoAnalyzer, VideoOptions
from deepfake_detection.errors import DetectionError, InvalidRequest
from deepfake_detection.evaluation.metrics import Report, compute_report, to_markdown
from deepfake_detection.evaluation.roc import write_roc_png
from deepfake_detection.media.kind import file_kind
from deepfake_detection.media.video_sampling import Sampling
from deepfake_detection.runtime.models import Models

LABELS = {"REAL": 0, "FAKE": 1}


@dataclass(frozen=True)
class ItemScore:
    path: Path
    label: int
    kind: str | None
    score: float | None
    frame_scores: tuple[float, ...] = ()
    error: str | None = None


@dataclass
class FolderEvaluation:
    items: list[ItemScore]
    threshold: float
    reports: dict[str, Report] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "items": len(self.items),
            "errors": sum(1 for i in self.items if i.error),
            "reports": {name: report.as_dict() for name, report in self.reports.items()},
        }


def list_items(root: Path) -> list[tuple[Path, int]]:
    """Every file below ``root/REAL`` and ``root/FAKE``, with its label (1 = fake)."""
    items = [
        (path, label)
        for name, label in LABELS.items()
        for path in sorted((root / name).rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    ]
    if not items:
        raise InvalidRequest(f"{root} has no files under REAL/ and FAKE/")
    return items


def _frame_scores(analysis: VideoAnalysis) -> tuple[float, ...]:
    per_frame: dict[int, float] = defaultdict(float)
    for person in analysis.persons:
        for sample in person.timeline:
            best = per_frame[sample.frame_index]
            per_frame[sample.frame_index] = max(best, sample.fake_probability)
    return tuple(per_frame[i] for i in sorted(per_frame))


def score_item(
    models: Models, videos: VideoAnalyzer, path: Path, label: int, frames: int
) -> ItemScore:
    kind = None
    try:
        kind = file_kind(path)
        if kind == "image":
            analysis = models.analyze_file(path)
            return ItemScore(path, label, kind, analysis.fake_probability)
        options = VideoOptions(sampling=Sampling(frames=frames, max_frames=max(frames, 300)))
        video = videos.analyze(path, options)
        scores = _frame_scores(video)
        return ItemScore(path, label, kind, float(np.mean(scores)) if scores else None, scores)
    except DetectionError as exc:
        return ItemScore(path, label, kind, None, error=exc.code)


def _report(pairs: list[tuple[int, float | None]], threshold: float, seed: int) -> Report | None:
    scored = [(label, s) for label, s in pairs if s is not None]
    if len({label for label, _ in scored}) < 2:
        return None
    labels = np.array([label for label, _ in scored], dtype=np.int64)
    scores = np.array([s for _, s in scored], dtype=np.float64)
    return compute_report(labels, scores, threshold, no_face=len(pairs) - len(scored), seed=seed)


def evaluate_folder(
    root: Path,
    models: Models,
    frames: int = 32,
    progress: Callable[[int, int], None] | None = None,
) -> FolderEvaluation:
    entries = list_items(root)
    video_analyzer = models.video_analyzer()
    items = []
    for i, (path, label) in enumerate(entries):
        items.append(score_item(models, video_analyzer, path, label, frames))
        if progress:
            progress(i + 1, len(entries))
    threshold = models.analyzer.threshold
    result = FolderEvaluation(items, threshold)
    # Failed items are counted apart (``errors``), not as items without a face.
    done = [i for i in items if i.error is None]
    images: list[tuple[int, float | None]] = [(i.label, i.score) for i in done if i.kind == "image"]
    videos: list[tuple[int, float | None]] = [(i.label, i.score) for i in done if i.kind == "video"]
    frames_: list[tuple[int, float | None]] = [
        (i.label, s) for i in done if i.kind == "video" for s in i.frame_scores
    ]
    for name, pairs in (("image", images), ("video", videos), ("frame", frames_)):
        report = _report(pairs, threshold, seed=0)
        if report is not None:
            result.reports[name] = report
    return result


def write_outputs(result: FolderEvaluation, out_dir: Path, title: str) -> str:
    """Write ``metrics.json``, ``metrics.md`` and ``roc.png``; return the Markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(json.dumps(result.as_dict(), indent=2) + "\n")
    text = "\n".join(to_markdown(r, f"{title}: {name} level") for name, r in result.reports.items())
    errors = [i for i in result.items if i.error]
    if errors:
        text += f"\n{len(errors)} items failed: " + ", ".join(
            sorted({i.error for i in errors if i.error})
        )
    (out_dir / "metrics.md").write_text(text + "\n")
    curves = {}
    for kind in ("image", "video"):
        pairs = [(i.label, i.score) for i in result.items if i.kind == kind and i.score is not None]
        if len({label for label, _ in pairs}) == 2:
            curves[kind] = (
                np.array([label for label, _ in pairs], dtype=np.int64),
                np.array([s for _, s in pairs], dtype=np.float64),
            )
    if curves:
        write_roc_png(curves, out_dir / "roc.png", title)
    return text
