"""Webhooks: the finished job POSTed to its ``callback_url``, signed, retried, never to a place the
operator has not allowed.

- Signature: ``X-DFD-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body bytes with the
  configured secret. Receivers recompute it and compare with ``hmac.compare_digest``.
- Retries: on a connection error, a timeout, HTTP 429 or 5xx; waits ``backoff_s * 2**attempt``.
- Deadlines: each attempt ends ``timeout_s`` after it starts, however slowly the receiver trickles
  its answer (``deadline.run_within``: httpx's own timeouts bound each read, not the whole); a
  delivery, retries and waits included, ends ``delivery_s`` after it starts.
- Addresses: the host is resolved and refused if any address is loopback, private, link-local,
  reserved, multicast or unspecified (the cloud metadata address 169.254.169.254 is link-local),
  also when IPv6 embeds such an IPv4 address (``addresses.py``), unless ``allow_private``.
  Checked when the job is submitted and again before each send, and the
  send connects to the address that was checked (the request keeps the URL's host in ``Host`` and,
  for https, in SNI and the certificate check): a DNS answer that changes between the check and
  the connection (DNS rebinding) cannot redirect the webhook to an internal address.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import SplitResult, urlunsplit

import httpx

from deepfake_detection.config import Settings
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.jobs.addresses import is_public
from deepfake_detection.jobs.deadline import run_within
from deepfake_detection.jobs.job import Job, JSONObject
from deepfake_detection.jobs.schemas import job_response
from deepfake_detection.jobs.task import Notify
from deepfake_detection.jobs.urls import parse_url

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-DFD-Signature"
JOB_HEADER = "X-DFD-Job"
# Host name and port to the addresses they resolve to.
Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class WebhookPolicy:
    secret: str
    allow_private: bool = False
    retries: int = 4
    backoff_s: float = 1.0
    timeout_s: float = 10.0
    delivery_s: float = 120.0


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class UnresolvedCallback(InvalidOptions):
    """The callback's host did not resolve: perhaps for now, so a send tries again."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%")[0] for info in infos]


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def vetted_address(
    url: str,
    *,
    allow_private: bool,
    resolve: Resolver = system_resolver,
    field: str = "callback_url",
    setting: str = "DFD_WEBHOOK_ALLOW_PRIVATE",
) -> str:
    """The address to send to (or fetch from): ``url``'s host resolved once, every answer checked;
    else ``InvalidOptions`` naming ``field``. Media URLs of jobs use it too (``download.py``)."""
    parts = parse_url(url, field)
    host = str(parts.hostname)
    try:
        addresses = resolve(host, _port(parts))
    except (OSError, UnicodeError) as exc:
        raise UnresolvedCallback(f"{field}: cannot resolve {host!r}: {exc}") from exc
    if not addresses:
        raise InvalidOptions(f"{field}: {host!r} has no address")
    for address in addresses:
        if not allow_private and not is_public(address):
            raise InvalidOptions(
                f"{field}: {host} is a private or internal address ({address}); "
                f"the operator has not allowed those ({setting})"
            )
    return addresses[0]


def check_callback_url(
    url: str, *, allow_private: bool, resolve: Resolver = system_resolver
) -> None:
    """``InvalidOptions`` unless ``url`` is http(s) to a host the policy allows (with
    ``allow_private``, any host: it may not resolve yet when the job is submitted)."""
    parse_url(url, "callback_url")
    if not allow_private:
        vetted_address(url, allow_private=False, resolve=resolve)


def pinned_request(url: str, address: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """``url`` with its host replaced by ``address``; the ``Host`` header and the TLS name that
    keep the request what it was."""
    parts = parse_url(url, "callback_url")
    ip = f"[{address}]" if ":" in address else address
    host = f"[{parts.hostname}]" if ":" in str(parts.hostname) else str(parts.hostname)
    port = f":{parts.port}" if parts.port else ""
    pinned = urlunsplit(parts._replace(netloc=ip + port))
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return pinned, {"Host": host + port}, extensions


WebhookOutcome = Literal["sent", "retry", "refused"]


def post_webhook(
    url: str,
    payload: JSONObject,
    policy: WebhookPolicy,
    *,
    attempt: int = 0,
    resolve: Resolver = system_resolver,
    timeout_s: float | None = None,
) -> WebhookOutcome:
    """One attempt, over after ``timeout_s`` (the policy's by default) whatever the receiver does:
    ``sent`` (2xx), ``retry`` (connection error, timeout, 429, 5xx, a host that does not resolve
    yet) or ``refused`` (another 4xx, or a URL the policy refuses)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, policy.secret)}
    if "id" in payload:
        headers[JOB_HEADER] = str(payload["id"])
    try:
        address = vetted_address(url, allow_private=policy.allow_private, resolve=resolve)
    except InvalidOptions as exc:
        logger.warning("webhook refused: %s", exc.message)
        return "retry" if isinstance(exc, UnresolvedCallback) else "refused"
    pinned, host, extensions = pinned_request(url, address)
    limit = policy.timeout_s if timeout_s is None else timeout_s

    async def post() -> int:
        async with httpx.AsyncClient(timeout=limit, follow_redirects=False) as client:
            response = await client.post(
                pinned, content=body, headers=headers | host, extensions=extensions
            )
            return response.status_code

    try:
        status = run_within(limit, post)
    except (httpx.HTTPError, TimeoutError) as exc:
        reason = f"no answer within {limit:g} s" if isinstance(exc, TimeoutError) else exc
        logger.info("webhook to %s failed (attempt %d): %s", url, attempt + 1, reason)
        return "retry"
    if 200 <= status < 300:
        return "sent"
    if status != 429 and status < 500:
        logger.warning("webhook to %s refused with HTTP %d; not retried", url, status)
        return "refused"
    logger.info("webhook to %s answered HTTP %d (attempt %d)", url, status, attempt + 1)
    return "retry"


def retry_delay(policy: WebhookPolicy, attempt: int) -> float:
    """Seconds to wait before attempt ``attempt`` (1 for the first retry)."""
    return float(policy.backoff_s * 2 ** (attempt - 1))


def send_webhook(
    url: str,
    payload: JSONObject,
    policy: WebhookPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    resolve: Resolver = system_resolver,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """POST ``payload`` as JSON, retrying; ``True`` once a receiver answered 2xx, ``False`` after
    the last retry, on a final refusal, or when the delivery's time (``delivery_s``) is up."""
    end = clock() + policy.delivery_s
    for attempt in range(policy.retries + 1):
        if attempt:
            delay = retry_delay(policy, attempt)
            if clock() + delay >= end:
                break
            sleep(delay)
        left = end - clock()
        if left <= 0:
            break
        outcome = post_webhook(
            url,
            payload,
            policy,
            attempt=attempt,
            resolve=resolve,
            timeout_s=min(policy.timeout_s, left),
        )
        if outcome != "retry":
            return outcome == "sent"
    logger.warning("webhook to %s given up after %d attempt(s)", url, attempt + 1)
    return False


def webhook_policy(settings: Settings) -> WebhookPolicy | None:
    """``None`` when no secret is configured: then jobs with a ``callback_url`` are refused."""
    if not settings.webhook_secret:
        return None
    return WebhookPolicy(
        secret=settings.webhook_secret,
        allow_private=settings.webhook_allow_private,
        retries=settings.webhook_retries,
        backoff_s=settings.webhook_backoff_s,
        timeout_s=settings.webhook_timeout_s,
        delivery_s=settings.webhook_delivery_timeout_s,
    )


def webhook_notifier(settings: Settings) -> Notify | None:
    policy = webhook_policy(settings)
    if policy is None:
        return None

    def notify(job: Job) -> None:
        if job.callback_url:
            send_webhook(job.callback_url, job_response(job).model_dump(mode="json"), policy)

    return notify
