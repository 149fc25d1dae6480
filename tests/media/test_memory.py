import threading
import time

from deepfake_detection.media.decode_budget import DecodeBudget
from deepfake_detection.media.memory import IdleRelease


class Releases:
    def __init__(self) -> None:
        self.count = 0
        self.happened = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self.happened.set()


def test_memory_is_released_once_after_work_when_the_process_is_quiet() -> None:
    releases = Releases()
    idle = IdleRelease(after_s=0.05, release=releases)
    idle.enter()
    time.sleep(0.3)
    assert releases.count == 0  # never while work is in progress
    idle.leave()
    assert releases.happened.wait(5)
    time.sleep(0.3)
    assert releases.count == 1  # once per quiet period, not every after_s


def test_work_that_resumes_before_the_quiet_period_ends_postpones_the_release() -> None:
    releases = Releases()
    idle = IdleRelease(after_s=0.5, release=releases)
    idle.enter()
    idle.leave()
    time.sleep(0.1)
    idle.enter()  # busy again within the quiet period
    time.sleep(0.8)
    assert releases.count == 0
    idle.leave()
    assert releases.happened.wait(5)
    assert releases.count == 1


def test_the_decode_budget_brackets_each_reservation() -> None:
    releases = Releases()
    budget = DecodeBudget(100, IdleRelease(after_s=0.05, release=releases))
    with budget.reserve(10, timeout_s=0) as reservation:
        reservation.hold()  # a decode thread still holds the pixels after the request
    time.sleep(0.3)
    assert releases.count == 0
    reservation.release()
    assert releases.happened.wait(5)
