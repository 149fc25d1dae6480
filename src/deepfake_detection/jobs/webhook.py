"""Webhooks: the finished job POSTed to its ``callback_url``, signed, retried, never to a place the
operator has not allowed.

- Signature: ``X-DFD-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body bytes with the
  configured secret. Receivers recompute it and compare with ``hmac.compare_digest``.
- Retries: on a connection error, a timeout, HTTP 429 or 5xx; waits ``backoff_s * 2**attempt``.
- Addresses: the host is resolved and refused if any address is loopback, private, link-local,
  reserved, multicast or unspecified (the cloud metadata address 169.254.169.254 is link-local),
  unless ``allow_private``. Checked when the job is submitted and again before each send.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from deepfake_detection.errors import InvalidOptions
from deepfake_detection.jobs.job import JSONObject

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-DFD-Signature"
JOB_HEADER = "X-DFD-Job"


@dataclass(frozen=True)
class WebhookPolicy:
    secret: str
    allow_private: bool = False
    retries: int = 4
    backoff_s: float = 1.0
    timeout_s: float = 10.0


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_callback_url(url: str, *, allow_private: bool) -> None:
    """``InvalidOptions`` unless ``url`` is http(s) to a host the policy allows."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidOptions(f"callback_url must be an http or https URL, not {url!r}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidOptions(f"callback_url: cannot resolve {parts.hostname!r}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global or address.is_multicast:
            raise InvalidOptions(
                f"callback_url: {parts.hostname} is a private or internal address ({address}); "
                "the operator has not allowed those (DFD_WEBHOOK_ALLOW_PRIVATE)"
            )


def send_webhook(
    url: str,
    payload: JSONObject,
    policy: WebhookPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """POST ``payload`` as JSON; ``True`` once a receiver answered 2xx, ``False`` after the last
    retry or on a final refusal (a 4xx other than 429, or a URL the policy refuses)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, policy.secret)}
    if "id" in payload:
        headers[JOB_HEADER] = str(payload["id"])
    for attempt in range(policy.retries + 1):
        if attempt:
            sleep(policy.backoff_s * 2 ** (attempt - 1))
        try:
            check_callback_url(url, allow_private=policy.allow_private)
        except InvalidOptions as exc:
            logger.warning("webhook refused: %s", exc.message)
            return False
        try:
            with httpx.Client(timeout=policy.timeout_s, follow_redirects=False) as client:
                status = client.post(url, content=body, headers=headers).status_code
        except httpx.HTTPError as exc:
            logger.info("webhook to %s failed (attempt %d): %s", url, attempt + 1, exc)
            continue
        if 200 <= status < 300:
            return True
        if status != 429 and status < 500:
            logger.warning("webhook to %s refused with HTTP %d; not retried", url, status)
            return False
        logger.info("webhook to %s answered HTTP %d (attempt %d)", url, status, attempt + 1)
    return False
