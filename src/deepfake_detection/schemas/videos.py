"""The answer of a video analysis (``POST /v1/videos``, a video job's result), built from the
domain values of ``analysis.video``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from deepfake_detection.analysis.verdict import Verdict
from deepfake_detection.analysis.video import FaceSample, Person, VideoAnalysis
from deepfake_detection.schemas.images import BoxOut, ModelRef
from deepfake_detection.shared.faces import Label


class VideoOut(BaseModel):
    container: str
    codec: str
    width: int = Field(description="as displayed (rotation metadata applied)")
    height: int
    duration_s: float
    fps: float = Field(description="frames / duration (the average under a variable frame rate)")
    frame_count: int
    variable_frame_rate: bool
    truncated: bool = Field(description="the file ends early: the frames that could be read")


class FaceSampleOut(BaseModel):
    frame_index: int = Field(description="the frame's position in the stream, from 0")
    timestamp_s: float = Field(description="seconds from the first frame")
    box: BoxOut
    landmarks: list[tuple[float, float]] | None
    detector_confidence: float
    fake_probability: float = Field(ge=0.0, le=1.0)


class PersonOut(BaseModel):
    id: int = Field(description="0, 1, ... in order of first appearance")
    score: float = Field(description="the aggregate of the timeline's fake probabilities")
    label: Label
    timeline: list[FaceSampleOut]


class VideoAnalysisResponse(BaseModel):
    video: VideoOut
    detector: str
    model: ModelRef
    threshold: float
    aggregate: str = Field(description="how a person's score is made from its frames")
    verdict: Verdict = Field(description="fake if any person is fake; no_face when none was found")
    persons: list[PersonOut]
    sampled_frames: int
    frames_with_faces: int
    skipped_faces: int = Field(description="too small or over max_faces in their frame")
    missed_frames: int = Field(description="sampled frames that could not be decoded")
    timings_ms: dict[str, float] = Field(description="decode, detect, crop, classify, track, total")


def video_response(analysis: VideoAnalysis) -> VideoAnalysisResponse:
    info = analysis.info
    return VideoAnalysisResponse(
        video=VideoOut(
            container=info.container,
            codec=info.codec,
            width=info.width,
            height=info.height,
            duration_s=round(info.duration_s, 4),
            fps=round(info.fps, 4),
            frame_count=info.frame_count,
            variable_frame_rate=info.variable_frame_rate,
            truncated=info.truncated,
        ),
        detector=analysis.detector,
        model=ModelRef(name=analysis.model_name, version=analysis.model_version),
        threshold=analysis.threshold,
        aggregate=analysis.aggregate,
        verdict=analysis.verdict,
        persons=[_person(p) for p in analysis.persons],
        sampled_frames=analysis.sampled_frames,
        frames_with_faces=analysis.frames_with_faces,
        skipped_faces=analysis.skipped_faces,
        missed_frames=analysis.missed_frames,
        timings_ms=analysis.timings_ms,
    )


def _person(person: Person) -> PersonOut:
    return PersonOut(
        id=person.id,
        score=person.score,
        label=person.label,
        timeline=[_sample(s) for s in person.timeline],
    )


def _sample(sample: FaceSample) -> FaceSampleOut:
    box = sample.box
    return FaceSampleOut(
        frame_index=sample.frame_index,
        timestamp_s=round(sample.timestamp_s, 4),
        box=BoxOut(x1=box.x1, y1=box.y1, x2=box.x2, y2=box.y2),
        landmarks=None if sample.landmarks is None else list(sample.landmarks),
        detector_confidence=sample.confidence,
        fake_probability=sample.fake_probability,
    )
