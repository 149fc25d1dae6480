import pytest

from deepfake_detection.errors import InvalidOptions
from deepfake_detection.media.video_sampling import (
    ReadStep,
    Sampling,
    frames_shown_at,
    nearest_decodable,
    plan_reads,
    planned_decodes,
    sampled_frames,
    target_times,
)


def test_frames_are_spread_evenly_at_the_middle_of_equal_spans() -> None:
    assert target_times(10.0, Sampling(frames=4)) == [1.25, 3.75, 6.25, 8.75]


def test_every_k_seconds_starts_at_zero() -> None:
    assert target_times(10.0, Sampling(every_s=3.0)) == [0.0, 3.0, 6.0, 9.0]
    assert len(target_times(1000.0, Sampling(every_s=20.0, max_frames=50))) == 50


def test_every_k_seconds_over_the_frame_limit_is_refused_not_cut_short() -> None:
    # It used to sample only the first 50 s of this 1000 s video, and say nothing.
    with pytest.raises(InvalidOptions, match=r"1000 frames .* use every_s >= 20\b"):
        target_times(1000.0, Sampling(every_s=1.0, max_frames=50))
    # The smallest value it names fits.
    assert len(target_times(999.5, Sampling(every_s=19.99, max_frames=50))) == 50


def test_a_tiny_every_s_is_refused_not_overflowing() -> None:
    # 1e-308 made ceil(duration / every_s) an OverflowError (a 500).
    with pytest.raises(InvalidOptions, match="every_s"):
        Sampling(every_s=1e-308)


def test_the_frame_shown_at_a_time_is_the_last_one_that_started() -> None:
    # A variable frame rate: frames at uneven times.
    times = [0.0, 0.04, 0.5, 0.52, 2.0]
    assert frames_shown_at(times, [0.0, 0.3, 0.51, 1.9, 5.0]) == [0, 1, 2, 3, 4]
    # More targets than frames: each frame once.
    assert frames_shown_at([0.0, 1.0], [0.1, 0.2, 1.5]) == [0, 1]


def test_sampling_is_deterministic() -> None:
    times = [i / 30 for i in range(300)]
    picks = [frames_shown_at(times, target_times(10.0, Sampling(frames=32))) for _ in range(3)]
    assert picks[0] == picks[1] == picks[2]
    assert len(picks[0]) == 32


def test_a_plan_seeks_only_where_it_skips_frames() -> None:
    keyframes = [0, 100, 200]
    steps = plan_reads([50, 60, 150, 250], keyframes, seek=True)
    assert steps == [
        ReadStep(50, None),
        ReadStep(60, None),
        ReadStep(150, 100),
        ReadStep(250, 200),
    ]
    assert planned_decodes(steps) == 51 + 10 + 51 + 51
    sequential = plan_reads([50, 60, 150, 250], keyframes, seek=False)
    assert planned_decodes(sequential) == 251


@pytest.mark.parametrize(
    "kwargs",
    [
        {"frames": 0},
        {"frames": 5000},
        {"every_s": 0.0},
        {"every_s": -1.0},
        {"every_s": float("nan")},
        {"every_s": float("inf")},
    ],
)
def test_invalid_sampling_is_an_invalid_options_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(InvalidOptions):
        Sampling(**kwargs)  # type: ignore[arg-type]


def test_fast_sampling_takes_keyframes_or_frames_just_after_them() -> None:
    times = [i / 25 for i in range(500)]  # 20 s at 25 fps
    keyframes = [0, 250]
    targets = target_times(20.0, Sampling(frames=3))  # 3.33 s, 10 s, 16.67 s
    assert frames_shown_at(times, targets) == [83, 250, 416]
    # 83 is 83 frames after a keyframe: frame 4 (0.16 s) is nearer than 250 (10 s); 416 -> 254.
    assert nearest_decodable(times, keyframes, targets, forward=4) == [4, 250, 254]
    # Near a keyframe the exact frame itself is cheap: it is taken.
    assert nearest_decodable(times, keyframes, [0.08, 10.04], forward=4) == [2, 251]
    # A later keyframe can be nearer than the frames after the one before.
    assert nearest_decodable(times, keyframes, [9.5], forward=4) == [250]
    assert nearest_decodable([], keyframes, [1.0]) == []


def test_fast_sampling_decodes_a_few_frames_per_sample() -> None:
    times = [i / 25 for i in range(500)]
    keyframes = [0, 250]
    targets = target_times(20.0, Sampling(frames=3))
    exact = plan_reads(frames_shown_at(times, targets), keyframes, seek=True)
    fast = plan_reads(nearest_decodable(times, keyframes, targets), keyframes, seek=True)
    assert planned_decodes(exact) == 84 + 167
    assert planned_decodes(fast) == 5 + 5


def test_the_mode_picks_the_selection() -> None:
    times = [i / 25 for i in range(500)]
    exact = sampled_frames(times, [0, 250], 20.0, Sampling(frames=3))
    fast = sampled_frames(times, [0, 250], 20.0, Sampling(frames=3, mode="fast"))
    assert (exact, fast) == ([83, 250, 416], [4, 250, 254])


def test_fast_sampling_gives_as_many_frames_as_exact_when_instants_meet() -> None:
    # 10 s at 30 fps, keyframes at 0 and 250 (the clip): the 5 s instant's nearest cheap
    # frame is keyframe 250, which the 8.33 s instant wants too; it gets the frame after it.
    times = [i / 30 for i in range(300)]
    targets = target_times(10.0, Sampling(frames=3))
    assert nearest_decodable(times, [0, 250], targets) == [4, 250, 251]
    # A short clip with one keyframe: 4 instants, 4 distinct frames.
    short = [i / 25 for i in range(20)]
    assert len(nearest_decodable(short, [0], target_times(0.8, Sampling(frames=4)))) == 4
