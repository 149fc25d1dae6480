"""The line ``dfd scan --json`` prints for one file, built from the same domain values and with the
same names and rounding as the API's answers (``schemas/images.py``, ``schemas/videos.py``).

Kept from before the names were aligned with the API, so scripts that read them keep working:
``label`` (the file's verdict, as ``verdict``), a face's ``confidence`` (as
``detector_confidence``), a person's ``person`` (as ``id``) and ``fake_probability`` (as ``score``).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from deepfake_detection.analysis.persons import Person
from deepfake_detection.analysis.results import ImageAnalysis
from deepfake_detection.analysis.verdict import Verdict
from deepfake_detection.analysis.video import VideoAnalysis
from deepfake_detection.media.kind import Kind
from deepfake_detection.provenance import Provenance
from deepfake_detection.schemas.provenance import ProvenanceOut, provenance_out
from deepfake_detection.schemas.wire import (
    BoxOut,
    box_out,
    optional_probability,
    probability,
    share,
)
from deepfake_detection.shared.faces import Label, Reason, ScoredFace


class ScanFace(BaseModel):
    """A face of an image, as in ``POST /v1/images``'s ``faces``."""

    box: BoxOut
    detector_confidence: float
    fake_probability: float
    label: Label = Field(description="real, fake, or uncertain (see reason)")
    reason: Reason | None
    confidence: float = Field(description="the same as detector_confidence (kept for old scripts)")


class ScanPerson(BaseModel):
    """A person of a video, as in ``POST /v1/videos``'s ``persons``, without the timeline."""

    id: int
    score: float = Field(description="the aggregate of the person's frame fake probabilities")
    label: Label = Field(description="real, fake, or uncertain (see reason)")
    reason: Reason | None
    coverage: float = Field(description="share of the sampled frames the person was seen in")
    decisive: bool = Field(description="whether this person decides the video's verdict")
    frames: int = Field(description="sampled frames the person was found in")
    box: BoxOut = Field(description="the person's most confident detection")
    detector_confidence: float
    fake_probability: float = Field(description="the same as score (kept for old scripts)")
    person: int = Field(description="the same as id (kept for old scripts)")


class ScanLine(BaseModel):
    path: str
    kind: Kind | None = Field(description="image or video; null when the file was not recognised")
    verdict: Verdict | None = Field(description="null with an error")
    verdict_reason: Reason | None = Field(description="why the verdict is uncertain")
    fake_probability: float | None = Field(
        description="as the API's: the highest over the faces, the deciding persons' highest"
    )
    faces: list[ScanFace] | list[ScanPerson]
    skipped_faces: int = Field(description="faces found but not scored (too small, over max)")
    error: str | None = Field(description="an error code (corrupt_media, too_large, ...)")
    message: str | None
    label: Verdict | None = Field(description="the same as verdict (kept for old scripts)")
    provenance: ProvenanceOut | None = Field(
        None, description="as the API's: what the file says about its origin; null with an error"
    )


def image_line(path: Path, analysis: ImageAnalysis, provenance: Provenance) -> ScanLine:
    return ScanLine(
        path=str(path),
        kind="image",
        verdict=analysis.verdict,
        verdict_reason=analysis.verdict_reason,
        fake_probability=optional_probability(analysis.fake_probability),
        faces=[_face(face) for face in analysis.faces],
        skipped_faces=len(analysis.skipped),
        error=None,
        message=None,
        label=analysis.verdict,
        provenance=provenance_out(provenance),
    )


def video_line(path: Path, analysis: VideoAnalysis, provenance: Provenance) -> ScanLine:
    return ScanLine(
        path=str(path),
        kind="video",
        verdict=analysis.verdict,
        verdict_reason=analysis.verdict_reason,
        fake_probability=optional_probability(analysis.fake_probability),
        faces=[_person(person) for person in analysis.persons],
        skipped_faces=analysis.skipped_faces,
        error=None,
        message=None,
        label=analysis.verdict,
        provenance=provenance_out(provenance),
    )


def error_line(path: Path, kind: Kind | None, code: str, message: str) -> ScanLine:
    return ScanLine(
        path=str(path),
        kind=kind,
        verdict=None,
        verdict_reason=None,
        fake_probability=None,
        faces=[],
        skipped_faces=0,
        error=code,
        message=message,
        label=None,
    )


def _face(face: ScoredFace) -> ScanFace:
    confidence = probability(face.confidence)
    return ScanFace(
        box=box_out(face.box),
        detector_confidence=confidence,
        fake_probability=probability(face.fake_probability),
        label=face.label,
        reason=face.reason,
        confidence=confidence,
    )


def _person(person: Person) -> ScanPerson:
    best = max(person.timeline, key=lambda sample: sample.confidence)
    score = probability(person.score)
    return ScanPerson(
        id=person.id,
        score=score,
        label=person.label,
        reason=person.reason,
        coverage=share(person.coverage),
        decisive=person.decisive,
        frames=len(person.timeline),
        box=box_out(best.box),
        detector_confidence=probability(best.confidence),
        fake_probability=score,
        person=person.id,
    )
