"""The answer of a video analysis (``POST /v1/videos``, a video job's result), built from the
domain values of ``analysis.video``."""

from __future__ import annotations

import base64
from collections.abc import Mapping

from pydantic import BaseModel, Field

from deepfake_detection.analysis.persons import FaceSample, Person
from deepfake_detection.analysis.verdict import Verdict
from deepfake_detection.analysis.video import PersonExplanation, VideoAnalysis
from deepfake_detection.media.video_sampling import SamplingMode
from deepfake_detection.provenance import Provenance
from deepfake_detection.schemas.images import (
    BandOut,
    ExplanationOut,
    ModelRef,
    band_out,
    explanation_out,
)
from deepfake_detection.schemas.provenance import ProvenanceOut, provenance_out
from deepfake_detection.schemas.wire import (
    BoxOut,
    box_out,
    hundredths,
    landmarks_out,
    optional_probability,
    pixels,
    probability,
    seconds,
    share,
)
from deepfake_detection.shared.faces import Label, Reason


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
    bits_per_pixel: float = Field(
        description="the video stream's bits per pixel per frame (compression: below about 0.05 "
        "is heavy, as in FaceForensics++ c40)"
    )


class FaceSampleOut(BaseModel):
    frame_index: int = Field(description="the frame's position in the stream, from 0")
    timestamp_s: float = Field(description="seconds from the first frame")
    box: BoxOut
    landmarks: list[tuple[float, float]] | None
    detector_confidence: float
    fake_probability: float = Field(ge=0.0, le=1.0)
    sharpness: float = Field(
        description="variance of the Laplacian of the face crop (low: blurred or compressed)"
    )
    thumbnail_jpeg_base64: str | None = Field(
        None,
        description="with thumbnails=true: a 64 px JPEG of this face as the model saw it",
        exclude_if=lambda value: value is None,
    )


class PersonOut(BaseModel):
    id: int = Field(description="0, 1, ... in order of first appearance")
    score: float = Field(description="the aggregate of the timeline's fake probabilities")
    label: Label = Field(description="real, fake, or uncertain (see reason)")
    reason: Reason | None = Field(
        description="borderline, face_too_small, low_quality (why uncertain), or brief_presence "
        "(seen in too few frames to decide the verdict); null otherwise"
    )
    coverage: float = Field(description="share of the sampled frames the person was seen in")
    weight: float = Field(description="coverage x face size (up to 64 px) x detector confidence")
    face_px: float = Field(description="median shorter side of the person's faces, in pixels")
    decisive: bool = Field(description="whether this person decides the video's verdict")
    timeline: list[FaceSampleOut]
    explanation: PersonExplanationOut | None = Field(
        None,
        description="with explain=true: the occlusion map of the person's highest-scoring "
        "sampled face (absent for a person none of whose faces is among the video's 128 "
        "highest-scoring)",
        exclude_if=lambda value: value is None,
    )
    thumbnail_jpeg_base64: str | None = Field(
        None,
        description="with thumbnails=true: a 64 px JPEG of the person's highest-scoring face "
        "(each timeline sample has its own too)",
        exclude_if=lambda value: value is None,
    )


class PersonExplanationOut(ExplanationOut):
    frame_index: int = Field(description="the sampled frame of the explained face")
    timestamp_s: float
    fake_probability: float = Field(ge=0.0, le=1.0, description="that face's score")


class VideoAnalysisResponse(BaseModel):
    video: VideoOut
    detector: str
    model: ModelRef
    threshold: float
    uncertain_band: BandOut
    min_coverage: float = Field(description="persons seen in fewer frames do not decide")
    aggregate: str = Field(description="how a person's score is made from its frames")
    verdict: Verdict = Field(
        description="from the deciding persons (present in min_coverage of the frames, faces "
        "that can be judged): fake if any is fake; no_face when no face was found"
    )
    verdict_reason: Reason | None = Field(description="why the verdict is uncertain")
    fake_probability: float | None = Field(description="the video's score (see the README)")
    persons: list[PersonOut]
    sampled_frames: int
    sampling: SamplingMode = Field(
        description="exact: the frame shown at each instant; fast: the nearest keyframe or a "
        "frame just after one (frames may lie far from their instants: the timeline has the "
        "frames used)"
    )
    frames_with_faces: int
    skipped_faces: int = Field(description="too small or over max_faces in their frame")
    missed_frames: int = Field(description="sampled frames that could not be decoded")
    timings_ms: dict[str, float] = Field(
        description="decode, detect, crop, classify, track, (with explain=true) explain, total"
    )
    provenance: ProvenanceOut = Field(
        description="what the file says about its origin (C2PA in MP4 and MOV); it does not "
        "change any score"
    )


def video_response(analysis: VideoAnalysis, provenance: Provenance) -> VideoAnalysisResponse:
    info = analysis.info
    return VideoAnalysisResponse(
        video=VideoOut(
            container=info.container,
            codec=info.codec,
            width=info.width,
            height=info.height,
            duration_s=seconds(info.duration_s),
            fps=seconds(info.fps),
            frame_count=info.frame_count,
            variable_frame_rate=info.variable_frame_rate,
            truncated=info.truncated,
            bits_per_pixel=round(info.bits_per_pixel, 4),
        ),
        detector=analysis.detector,
        model=ModelRef(name=analysis.model_name, version=analysis.model_version),
        threshold=probability(analysis.threshold),
        uncertain_band=band_out(analysis.rule),
        min_coverage=share(analysis.min_coverage),
        aggregate=analysis.aggregate,
        verdict=analysis.verdict,
        verdict_reason=analysis.verdict_reason,
        fake_probability=optional_probability(analysis.fake_probability),
        persons=[
            _person(p, analysis.explanations.get(p.id), analysis.thumbnails.get(p.id, {}))
            for p in analysis.persons
        ],
        sampled_frames=analysis.sampled_frames,
        sampling=analysis.sampling,
        frames_with_faces=analysis.frames_with_faces,
        skipped_faces=analysis.skipped_faces,
        missed_frames=analysis.missed_frames,
        timings_ms={k: hundredths(v) for k, v in analysis.timings_ms.items()},
        provenance=provenance_out(provenance),
    )


def _person(
    person: Person, explained: PersonExplanation | None, thumbnails: Mapping[int, bytes]
) -> PersonOut:
    best = max(person.timeline, key=lambda s: s.fake_probability, default=None)
    thumbnail = None if best is None else thumbnails.get(best.frame_index)
    return PersonOut(
        id=person.id,
        score=probability(person.score),
        label=person.label,
        reason=person.reason,
        coverage=share(person.coverage),
        weight=share(person.weight),
        face_px=pixels(person.face_px),
        decisive=person.decisive,
        timeline=[_sample(s, thumbnails.get(s.frame_index)) for s in person.timeline],
        explanation=None if explained is None else _explanation(explained),
        thumbnail_jpeg_base64=_base64(thumbnail),
    )


def _explanation(explained: PersonExplanation) -> PersonExplanationOut:
    return PersonExplanationOut(
        **explanation_out(explained.explanation).model_dump(),
        frame_index=explained.frame_index,
        timestamp_s=seconds(explained.timestamp_s),
        fake_probability=probability(explained.explanation.fake_probability),
    )


def _base64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _sample(sample: FaceSample, thumbnail: bytes | None = None) -> FaceSampleOut:
    return FaceSampleOut(
        frame_index=sample.frame_index,
        timestamp_s=seconds(sample.timestamp_s),
        box=box_out(sample.box),
        landmarks=landmarks_out(sample.landmarks),
        detector_confidence=probability(sample.confidence),
        fake_probability=probability(sample.fake_probability),
        sharpness=hundredths(sample.sharpness),
        thumbnail_jpeg_base64=_base64(thumbnail),
    )
