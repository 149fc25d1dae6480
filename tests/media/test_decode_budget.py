import platform
import threading
import time

import pytest

from deepfake_detection.errors import Overloaded
from deepfake_detection.media.decode_budget import DecodeBudget
from deepfake_detection.media.memory import release_free_memory


def test_reservations_share_the_budget_and_wait_for_room() -> None:
    budget = DecodeBudget(100)
    with budget.reserve(60, timeout_s=0):
        with budget.reserve(40, timeout_s=0):
            assert budget.in_flight == 100
            with pytest.raises(Overloaded, match="budget is 100"), budget.reserve(1, 0.05):
                pass
        started = time.monotonic()
        waiter_done = threading.Event()

        def waiter() -> None:
            with budget.reserve(50, timeout_s=5):
                waiter_done.set()

        thread = threading.Thread(target=waiter)
        thread.start()
        assert not waiter_done.wait(0.2)  # 60 + 50 > 100: it waits
    thread.join(5)
    assert waiter_done.is_set()
    assert time.monotonic() - started < 5
    assert budget.in_flight == 0


def test_an_image_larger_than_the_budget_runs_alone() -> None:
    budget = DecodeBudget(100)
    with budget.reserve(500, timeout_s=0):
        assert budget.in_flight == 500
        with pytest.raises(Overloaded), budget.reserve(1, timeout_s=0.05):
            pass
    assert budget.in_flight == 0


def test_an_abandoned_decode_keeps_its_pixels_until_it_ends() -> None:
    budget = DecodeBudget(100)
    with budget.reserve(80, timeout_s=0) as reservation:
        reservation.hold()  # a decoding thread that a timeout gave up on
    assert budget.in_flight == 80
    with pytest.raises(Overloaded), budget.reserve(80, timeout_s=0.05):
        pass
    reservation.release()  # the thread ends
    assert budget.in_flight == 0


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_free_memory_goes_back_to_the_os_on_glibc() -> None:
    assert release_free_memory()
