import hashlib
import hmac
import json

import pytest

from deepfake_detection.errors import InvalidOptions
from deepfake_detection.jobs.webhook import (
    JOB_HEADER,
    SIGNATURE_HEADER,
    WebhookPolicy,
    check_callback_url,
    send_webhook,
    sign,
)
from jobs.receiver import Receiver

SECRET = "s3cret"


def test_the_body_arrives_signed_with_the_secret(receiver: Receiver) -> None:
    policy = WebhookPolicy(secret=SECRET, allow_private=True)
    assert send_webhook(receiver.url, {"id": "abc", "status": "succeeded"}, policy)
    ((headers, body),) = receiver.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE_HEADER], expected)
    assert headers[JOB_HEADER] == "abc"
    assert json.loads(body) == {"id": "abc", "status": "succeeded"}
    assert sign(body, "another secret") != expected


def test_failures_are_retried_with_backoff(receiver: Receiver) -> None:
    receiver.statuses = [503, 500]
    waits: list[float] = []
    policy = WebhookPolicy(secret=SECRET, allow_private=True, retries=3, backoff_s=0.5)
    assert send_webhook(receiver.url, {"id": "x"}, policy, sleep=waits.append)
    assert len(receiver.requests) == 3
    assert waits == [0.5, 1.0]
    # The same signed body on every attempt.
    assert len({body for _, body in receiver.requests}) == 1


def test_a_client_error_is_not_retried_and_retries_end(receiver: Receiver) -> None:
    receiver.statuses = [404]
    policy = WebhookPolicy(secret=SECRET, allow_private=True, retries=3, backoff_s=0)
    assert not send_webhook(receiver.url, {"id": "x"}, policy)
    assert len(receiver.requests) == 1
    receiver.statuses = [500] * 10
    assert not send_webhook(receiver.url, {"id": "x"}, policy)
    assert len(receiver.requests) == 1 + 4


def test_private_addresses_are_refused_unless_allowed(receiver: Receiver) -> None:
    for url in [
        receiver.url,
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/",
    ]:
        with pytest.raises(InvalidOptions, match="private"):
            check_callback_url(url, allow_private=False)
    for url in ["ftp://example.com/x", "not a url", "http:///path"]:
        with pytest.raises(InvalidOptions, match="http"):
            check_callback_url(url, allow_private=True)
    check_callback_url(receiver.url, allow_private=True)
    # Checked again when sending: nothing reaches the receiver.
    assert not send_webhook(receiver.url, {"id": "x"}, WebhookPolicy(secret=SECRET))
    assert receiver.requests == []


def test_the_send_goes_to_the_address_that_was_checked(receiver: Receiver) -> None:
    # "hooks.invalid" exists only in this resolver: the request can reach the receiver only by
    # the address resolved and checked here, never by a lookup of its own.
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    lookups: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append((host, port))
        return ["127.0.0.1"]

    url = f"http://hooks.invalid:{port}/callback"
    policy = WebhookPolicy(secret=SECRET, allow_private=True)
    assert send_webhook(url, {"id": "abc"}, policy, resolve=resolve)
    ((headers, _),) = receiver.requests
    assert headers["Host"] == f"hooks.invalid:{port}"
    assert lookups == [("hooks.invalid", port)]


def test_a_name_that_turns_internal_after_the_check_gets_nothing(receiver: Receiver) -> None:
    answers = [["93.184.216.34"], ["127.0.0.1"]]

    def rebinding(host: str, port: int) -> list[str]:
        return answers.pop(0)

    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    url = f"http://hooks.invalid:{port}/callback"
    check_callback_url(url, allow_private=False, resolve=rebinding)  # public at submission
    assert not send_webhook(url, {"id": "x"}, WebhookPolicy(secret=SECRET), resolve=rebinding)
    assert receiver.requests == []


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(InvalidOptions, match="user name or password"):
        check_callback_url("https://user:pw@example.com/hook", allow_private=True)


def test_a_name_that_does_not_resolve_yet_is_tried_again(receiver: Receiver) -> None:
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    answers: list[list[str] | OSError] = [OSError("temporary failure"), ["127.0.0.1"]]

    def flaky(host: str, port: int) -> list[str]:
        answer = answers.pop(0)
        if isinstance(answer, OSError):
            raise answer
        return answer

    waits: list[float] = []
    policy = WebhookPolicy(secret=SECRET, allow_private=True, retries=2, backoff_s=0.5)
    url = f"http://hooks.invalid:{port}/callback"
    assert send_webhook(url, {"id": "x"}, policy, sleep=waits.append, resolve=flaky)
    assert waits == [0.5]
    assert len(receiver.requests) == 1
