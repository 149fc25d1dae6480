"""The decision rule, the image verdict and the video verdict (persons weighed by presence)."""

from __future__ import annotations

import pytest

from deepfake_detection.analysis.persons import FrameFaces, build_persons
from deepfake_detection.analysis.verdict import (
    DecisionRule,
    Verdict,
    Vote,
    decide_video,
    verdict_of,
)
from deepfake_detection.classifiers.model_card import ModelCard, QualityLimits, UncertainBand
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.shared.faces import Box, DetectedFace, Label, Reason
from support.fake_card import fake_card

RULE = DecisionRule(threshold=0.5, low=0.4, high=0.6, min_face_px=32, min_sharpness=1.0)


@pytest.mark.parametrize(
    ("labels", "verdict"),
    [
        ([], "no_face"),
        (["real"], "real"),
        (["real", "real"], "real"),
        (["real", "fake", "real"], "fake"),
        (["fake"], "fake"),
        (["real", "uncertain"], "uncertain"),
        (["uncertain", "fake"], "fake"),
    ],
)
def test_one_fake_face_makes_the_verdict_fake(labels: list[Label], verdict: Verdict) -> None:
    reasons: list[Reason | None] = [
        "borderline" if label == "uncertain" else None for label in labels
    ]
    assert verdict_of(zip(labels, reasons, strict=True))[0] == verdict


def test_an_uncertain_verdict_says_why() -> None:
    judged: list[tuple[Label, Reason | None]] = [("real", None), ("uncertain", "face_too_small")]
    assert verdict_of(judged) == ("uncertain", "face_too_small")


@pytest.mark.parametrize(
    ("score", "label"),
    [(0.0, "real"), (0.39, "real"), (0.4, "uncertain"), (0.59, "uncertain"), (0.6, "fake")],
)
def test_the_band_makes_scores_near_the_threshold_uncertain(score: float, label: Label) -> None:
    assert RULE.label(score)[0] == label


def test_faces_that_cannot_be_judged_are_uncertain_whatever_their_score() -> None:
    assert RULE.judge(0.99, face_px=20, sharpness=50.0) == ("uncertain", "face_too_small")
    assert RULE.judge(0.01, face_px=100, sharpness=0.5) == ("uncertain", "low_quality")
    assert RULE.judge(0.99, face_px=100, sharpness=50.0) == ("fake", None)


def _card(threshold: float, band: UncertainBand | None) -> ModelCard:
    return fake_card(
        name="m",
        version="1",
        input_size=32,
        mean=(0, 0, 0),
        std=(1, 1, 1),
        threshold=threshold,
        uncertain_band=band,
        quality=QualityLimits(min_face_px=40, min_sharpness=2.0),
    )


def test_the_rule_comes_from_the_card_and_moves_with_another_threshold() -> None:
    card = _card(0.45, UncertainBand(low=0.3, high=0.7))
    rule = DecisionRule.from_card(card)
    assert (rule.low, rule.threshold, rule.high) == (0.3, 0.45, 0.7)
    assert rule.min_face_px == 40
    moved = DecisionRule.from_card(card, threshold=0.9)
    assert moved.low == pytest.approx(0.75)
    assert moved.high == 1.0
    # Without a band every score is real or fake, as before.
    plain = DecisionRule.from_card(_card(0.45, None))
    assert plain.label(0.4499)[0] == "real"
    assert plain.label(0.45)[0] == "fake"


def test_a_band_that_misses_the_threshold_is_refused() -> None:
    with pytest.raises(InvalidOptions):
        DecisionRule(threshold=0.5, low=0.6, high=0.7)


def _face(x: float, size: float = 100.0, confidence: float = 0.9) -> DetectedFace:
    return DetectedFace(Box(x, 100, x + size, 100 + size), confidence)


def _video(
    main_scores: list[float], glimpses: dict[int, float], glimpse_size: float = 100.0
) -> tuple[Verdict, Reason | None, float | None, list[bool]]:
    """A main person in every frame, and a second one only in the frames of ``glimpses``."""
    frames = []
    for i, score in enumerate(main_scores):
        faces, ids, scores = [_face(100)], [0], [score]
        if i in glimpses:
            faces.append(_face(600, glimpse_size))
            ids.append(1)
            scores.append(glimpses[i])
        frames.append(FrameFaces(i, i / 10, faces, ids, scores, [20.0] * len(faces)))
    persons = build_persons(frames, lambda s: sum(s) / len(s), RULE, min_coverage=0.2)
    decision = decide_video([p.vote() for p in persons], RULE, min_coverage=0.2)
    return decision.verdict, decision.reason, decision.score, [p.decisive for p in persons]


def test_a_one_frame_glimpse_cannot_flip_a_real_video() -> None:
    verdict, _, score, decisive = _video([0.1] * 32, {7: 0.99})
    assert verdict == "real"
    assert score == pytest.approx(0.1)
    assert decisive == [True, False]


def test_a_second_person_present_for_long_enough_decides() -> None:
    verdict, _, score, decisive = _video([0.1] * 32, dict.fromkeys(range(10), 0.95))
    assert verdict == "fake"
    assert score == pytest.approx(0.95)
    assert decisive == [True, True]


def test_a_fake_main_person_makes_the_video_fake() -> None:
    assert _video([0.9] * 32, {3: 0.05})[0] == "fake"


def test_a_borderline_main_person_makes_the_video_uncertain() -> None:
    assert _video([0.5] * 32, {})[:2] == ("uncertain", "borderline")


def test_only_glimpses_give_at_most_uncertain() -> None:
    votes = [Vote(0.95, 0.02, 0.05, None), Vote(0.9, 0.01, 0.03, None)]
    decision = decide_video(votes, RULE, min_coverage=0.2)
    assert (decision.verdict, decision.reason) == ("uncertain", "brief_presence")
    real = decide_video([Vote(0.1, 0.02, 0.05, None)], RULE, min_coverage=0.2)
    assert real.verdict == "real"


def test_persons_with_only_tiny_faces_do_not_decide() -> None:
    verdict, _, _, decisive = _video([0.9] * 8, {}, glimpse_size=10)
    assert (verdict, decisive) == ("fake", [True])
    frames = [FrameFaces(i, 0.0, [_face(0, 20)], [0], [0.95], [20.0]) for i in range(8)]
    persons = build_persons(frames, max, RULE, min_coverage=0.2)
    assert persons[0].reason == "face_too_small"
    decision = decide_video([p.vote() for p in persons], RULE, min_coverage=0.2)
    assert (decision.verdict, decision.reason) == ("uncertain", "face_too_small")


def test_no_person_is_no_face() -> None:
    assert decide_video([], RULE, min_coverage=0.2).verdict == "no_face"


def test_weight_grows_with_presence_size_and_confidence() -> None:
    frames = [
        FrameFaces(
            i, 0.0, [_face(0, 100, 0.9), _face(500, 40, 0.5)], [0, 1], [0.1, 0.1], [20.0] * 2
        )
        if i < 4
        else FrameFaces(i, 0.0, [_face(0, 100, 0.9)], [0], [0.1], [20.0])
        for i in range(8)
    ]
    main, side = build_persons(frames, max, RULE, min_coverage=0.2)
    assert main.coverage == 1.0
    assert side.coverage == 0.5
    assert main.weight == pytest.approx(0.9)
    assert side.weight == pytest.approx(0.5 * 40 / 64 * 0.5)
