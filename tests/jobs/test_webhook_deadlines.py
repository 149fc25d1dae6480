"""Webhook receivers that trickle their answer (issue 22 S8): each attempt and each delivery ends
at its deadline, and one slow receiver never delays another's webhook."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import pytest

from deepfake_detection.jobs.delivery import WebhookDelivery
from deepfake_detection.jobs.job import Job
from deepfake_detection.jobs.webhook import WebhookPolicy, send_webhook
from deepfake_detection.runtime.options import AnalysisOptions
from jobs.receiver import Receiver
from support.http_server import http_server

SECRET = "s3cret"


@dataclass
class Trickling:
    url: str
    answering: threading.Semaphore
    """Released once for each webhook it has read and begun to answer."""


@pytest.fixture
def trickling() -> Iterator[Trickling]:
    """A receiver that reads the webhook, then sends one byte of its answer every 0.2 s for 6 s:
    each read gets something, so only a deadline on the whole attempt ends it."""
    answering = threading.Semaphore(0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            answering.release()
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                for _ in range(30):
                    self.wfile.flush()
                    time.sleep(0.2)
                    self.wfile.write(b"x")
                self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
            except ConnectionError:
                pass  # the sender gave up, as it should
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    with http_server(Handler) as url:
        yield Trickling(f"{url}/hook", answering)


def test_an_attempt_ends_at_its_deadline(trickling: Trickling) -> None:
    policy = WebhookPolicy(secret=SECRET, allow_private=True, retries=0, timeout_s=0.6)
    start = time.monotonic()
    assert not send_webhook(trickling.url, {"id": "x"}, policy)
    assert time.monotonic() - start < 2.0


def test_a_delivery_ends_at_its_deadline_retries_included(trickling: Trickling) -> None:
    policy = WebhookPolicy(
        secret=SECRET, allow_private=True, retries=10, backoff_s=0, timeout_s=0.5, delivery_s=1.2
    )
    start = time.monotonic()
    assert not send_webhook(trickling.url, {"id": "x"}, policy)
    # Without the delivery's deadline: 11 attempts of 0.5 s.
    assert time.monotonic() - start < 2.5


def test_no_retry_waits_past_the_delivery_deadline(receiver: Receiver) -> None:
    receiver.statuses = [503] * 5
    waits: list[float] = []
    policy = WebhookPolicy(
        secret=SECRET, allow_private=True, retries=4, backoff_s=10, delivery_s=15
    )
    assert not send_webhook(receiver.url, {"id": "x"}, policy, sleep=waits.append)
    assert waits == [10.0]  # the next wait, 20 s, would end past the 15 s of the delivery
    assert len(receiver.requests) == 2


def test_slow_receivers_do_not_delay_another_webhook(
    trickling: Trickling, receiver: Receiver
) -> None:
    policy = WebhookPolicy(secret=SECRET, allow_private=True, retries=0, timeout_s=5.0)

    def notify(job: Job) -> None:
        assert job.callback_url is not None
        send_webhook(job.callback_url, {"id": job.id}, policy)

    delivery = WebhookDelivery(notify)
    delivery.start()
    try:
        for i in range(3):
            delivery.submit(_job(f"slow-{i}", trickling.url))
        for _ in range(3):  # the slow ones are being answered, a byte at a time
            assert trickling.answering.acquire(timeout=5)
        start = time.monotonic()
        delivery.submit(_job("fast", receiver.url))
        assert receiver.arrived.wait(3.0)
        assert time.monotonic() - start < 1.0
    finally:
        delivery.stop(timeout_s=0.1)


def _job(job_id: str, callback_url: str) -> Job:
    return Job(
        id=job_id,
        status="succeeded",
        progress=1.0,
        options=AnalysisOptions(),
        upload_path="",
        callback_url=callback_url,
        created_at=0.0,
        updated_at=0.0,
    )
