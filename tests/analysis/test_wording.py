"""The words a reader gets: a sentence per verdict naming who decided it and how sure, a meaning and
a next step for every reason the analysis can give, and the page's copy of the same texts."""

from __future__ import annotations

import json
from typing import get_args

from deepfake_detection.analysis.wording import (
    REASONS,
    Judged,
    as_json,
    certainty,
    decider,
    verdict_sentence,
)
from deepfake_detection.shared.faces import Reason


def test_every_reason_the_analysis_gives_has_a_meaning_and_a_next_step() -> None:
    assert set(REASONS) == set(get_args(Reason))
    for meaning in REASONS.values():
        assert all((meaning.short, meaning.meaning, meaning.next_step))


def test_a_fake_image_names_the_face_that_decided_and_how_sure() -> None:
    faces = [Judged("1", "real", 0.05), Judged("2", "fake", 0.97), Judged("3", "fake", 0.7)]
    assert decider("fake", None, faces) == 1
    sentence = verdict_sentence("image", "fake", 0.97, None, faces)
    assert sentence == (
        "Face 2 looks manipulated (a face swap or re-enactment): fake probability 0.97, and the "
        "model is very sure."
    )


def test_a_real_verdict_says_no_sign_was_found_and_how_sure() -> None:
    one = verdict_sentence("image", "real", 0.15, None, [Judged("1", "real", 0.15)])
    assert one.startswith("No sign of a face swap or re-enactment on face 1:")
    assert one.endswith("fairly sure.")
    two = verdict_sentence("image", "real", 0.3, None, [Judged("1", "real", 0.3)] * 2)
    assert "on the 2 faces" in two
    assert two.endswith("not very sure.")


def test_an_uncertain_verdict_gives_the_reason_in_words() -> None:
    faces = [Judged("1", "real", 0.1), Judged("2", "uncertain", 0.2, "face_too_small")]
    sentence = verdict_sentence("image", "uncertain", 0.2, "face_too_small", faces)
    assert (
        sentence
        == "The model cannot say whether face 2 is real or fake: the face is too small to judge."
    )


def test_a_video_names_the_deciding_person_not_a_brief_one() -> None:
    persons = [
        Judged("P1", "real", 0.1, decisive=True),
        Judged("P2", "fake", 0.99, "brief_presence", decisive=False),
    ]
    assert decider("real", None, persons) == 0
    assert "on person P1" in verdict_sentence("video", "real", 0.1, None, persons)
    # No deciding person: the video as a whole.
    brief = [Judged("P1", "uncertain", 0.9, "brief_presence", decisive=False)]
    sentence = verdict_sentence("video", "uncertain", 0.9, "brief_presence", brief)
    assert sentence.startswith("The model cannot say whether this video is real or fake")


def test_no_face_says_nothing_was_judged() -> None:
    assert verdict_sentence("image", "no_face", None, None, []) == (
        "No face was found, so the model judged nothing."
    )


def test_certainty_levels() -> None:
    assert certainty("fake", 0.96) == "very sure"
    assert certainty("real", 0.04) == "very sure"
    assert certainty("real", 0.19) == "fairly sure"
    assert certainty("fake", 0.6) == "not very sure"


def test_the_page_gets_the_same_texts_as_json() -> None:
    data = json.loads(json.dumps(as_json()))
    assert data["reasons"]["low_quality"]["next_step"] == REASONS["low_quality"].next_step
    assert "face swaps" in " ".join(data["limits"])
    assert data["sentences"]["no_face"]
