"""What a result means, in words for a reader who is not an engineer: one sentence per verdict
(what was found, on whom, and how sure), what each reason means and what to do next, and the
model's limits.

Written once, here. ``dfd scan --report`` calls these functions; the page reads the same texts
and rules as JSON (``as_json``, served at ``/ui/wording.json``) and builds the same sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from deepfake_detection.analysis.explain import COLOURS, SCALE_MAX


@dataclass(frozen=True)
class Meaning:
    """What a reason (or ``no_face``) means and what to do about it."""

    short: str
    """A clause that ends the verdict's sentence: '... real or fake: <short>.'"""
    meaning: str
    next_step: str


REASONS: dict[str, Meaning] = {
    "borderline": Meaning(
        short="its score is too close to the threshold to call",
        meaning="The score falls in the band around the threshold where, on validation data, the "
        "model was wrong too often to say either way.",
        next_step="Look at the face and its heatmap yourself, find the original or a sharper copy "
        "of the file, and weigh other evidence about where it came from.",
    ),
    "face_too_small": Meaning(
        short="the face is too small to judge",
        meaning="The face is smaller than the smallest faces the model was trained and checked "
        "on, so its score is not used.",
        next_step="Find a larger or higher-resolution copy (the original rather than a "
        "screenshot or a re-shared copy), or crop closer to the face, and check again.",
    ),
    "low_quality": Meaning(
        short="the face is too blurred or compressed to judge",
        meaning="The face is blurrier or more compressed than the inputs on which the model was "
        "shown to be reliable, so its score is not used.",
        next_step="Find a sharper copy: the original file rather than a re-compressed or "
        "re-shared one, and check again.",
    ),
    "brief_presence": Meaning(
        short="the face is seen in too few of the sampled frames to decide",
        meaning="This person appears in too few of the frames the service looked at to decide "
        "the video's verdict on their own (a face in the background, a passer-by, or a detector "
        "mistake).",
        next_step="If this person matters, cut the clip to where they appear, or sample more "
        "frames, and check again.",
    ),
}
NO_FACE = Meaning(
    short="no face was found",
    meaning="No face was found, so the model judged nothing. This says nothing about whether the "
    "file is real: the model only judges faces.",
    next_step="If there is a face, it may be too small, turned away or covered: try a larger copy. "
    "For a file without faces, look at other evidence, such as its provenance.",
)

HEATMAP_LEGEND = (
    "Colour: how much hiding a region lowered the face's fake probability, on one scale for every "
    "face. No colour: hiding it changed nothing toward real."
)

LIMITS_TITLE = "What this model can and cannot judge"
LIMITS = (
    "It judges faces only: it looks for face swaps and face re-enactment (a face replaced by "
    "another, or its expression and lips driven by someone else).",
    "It cannot judge images made entirely by an AI generator, voices or sound, or edits away "
    "from faces (objects, backgrounds, text).",
    "A score is the model's estimate, not proof: weigh it with where the file came from.",
)

# How sure, from how far the score lies toward its label's end (the score for fake, 1 - score
# for real): the first level the distance reaches.
CERTAINTY = ((0.95, "very sure"), (0.8, "fairly sure"), (0.0, "not very sure"))

SENTENCES = {
    "fake": "{Who} looks manipulated (a face swap or re-enactment): fake probability {p}, and the "
    "model is {certainty}.",
    "real": "No sign of a face swap or re-enactment on {who}: the highest fake probability is {p}, "
    "and the model is {certainty}.",
    "uncertain": "The model cannot say whether {who} is real or fake: {short}.",
    "no_face": "No face was found, so the model judged nothing.",
}
# Who a sentence is about: the deciding face or person, by name, or all of them for ``real``.
WHO = {
    "face": "face {name}",
    "person": "person {name}",
    "all_faces": "the {count} faces",
    "all_persons": "the {count} persons who decide the verdict",
    "video": "this video",
}


@dataclass(frozen=True)
class Judged:
    """A face of an image or a person of a video, as the sentence needs it."""

    name: str
    """``1``, ``2``, ... for an image's faces; ``P1``, ``P2``, ... for a video's persons."""
    label: str
    fake_probability: float
    reason: str | None = None
    decisive: bool = True


def certainty(verdict: str, probability: float) -> str:
    distance = probability if verdict == "fake" else 1.0 - probability
    return next(words for floor, words in CERTAINTY if distance >= floor)


def decider(verdict: str, reason: str | None, judged: Sequence[Judged]) -> int | None:
    """The index of the face or person whose score decided the verdict: the highest-scoring
    deciding one for ``fake`` and ``real``, the first uncertain one with the verdict's reason for
    ``uncertain``; ``None`` when no single one decided (no face, or no person decides)."""
    deciding = [i for i, item in enumerate(judged) if item.decisive]
    if verdict == "uncertain":
        return next(
            (i for i in deciding if judged[i].label == "uncertain" and judged[i].reason == reason),
            None,
        )
    if verdict in ("fake", "real") and deciding:
        return max(deciding, key=lambda i: judged[i].fake_probability)
    return None


def verdict_sentence(
    kind: str,
    verdict: str,
    fake_probability: float | None,
    reason: str | None,
    judged: Sequence[Judged],
) -> str:
    """One sentence: what was found, on whom, and how sure (``kind`` is image or video)."""
    if verdict == "no_face" or not judged:
        return SENTENCES["no_face"]
    template = SENTENCES.get(verdict)
    if template is None:
        return f"The verdict is {verdict}."
    who = _who(kind, verdict, judged, decider(verdict, reason, judged))
    meaning = REASONS.get(reason or "")
    p = fake_probability if fake_probability is not None else 0.0
    return template.format(
        Who=who[:1].upper() + who[1:],
        who=who,
        p=f"{p:.2f}",
        certainty=certainty(verdict, p),
        short=meaning.short if meaning else (reason or "no reason given"),
    )


def _who(kind: str, verdict: str, judged: Sequence[Judged], index: int | None) -> str:
    person = kind == "video"
    count = sum(1 for item in judged if item.decisive)
    if verdict == "real" and count > 1:
        return WHO["all_persons" if person else "all_faces"].format(count=count)
    if index is None:
        return WHO["video"] if person else WHO["all_faces"].format(count=len(judged))
    return WHO["person" if person else "face"].format(name=judged[index].name)


def as_json() -> dict[str, Any]:
    """Everything above, for the page (``/ui/wording.json``)."""
    return {
        "reasons": {code: asdict(meaning) for code, meaning in REASONS.items()},
        "no_face": asdict(NO_FACE),
        "limits_title": LIMITS_TITLE,
        "limits": list(LIMITS),
        "certainty": [list(level) for level in CERTAINTY],
        "sentences": SENTENCES,
        "who": WHO,
        "heatmap": {
            "legend": HEATMAP_LEGEND,
            "scale_max": SCALE_MAX,
            "colours": [f"rgb{colour}" for colour in COLOURS],
        },
    }
