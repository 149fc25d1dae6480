"""The URLs a job fetches its media from (``url``) or posts its result to (``callback_url``).

An http or https URL with a host, a port in 1-65535 if any, no user name or password, no control
character, space or ``%00``, and at most ``MAX_URL_CHARS`` characters. Anything else is
``InvalidOptions`` (422) naming the field, before a name is resolved or a connection opened.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from deepfake_detection.errors import InvalidOptions

MAX_URL_CHARS = 8192
# Controls and spaces: a request line or a ``Host`` header cannot carry them. An encoded NUL is
# refused as well: no media or webhook address needs one, and some servers cut a path there.
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def parse_url(url: str, field: str) -> SplitResult:
    """``url``'s parts, checked as above; ``InvalidOptions`` naming ``field`` otherwise."""
    if len(url) > MAX_URL_CHARS:
        raise InvalidOptions(f"{field} is longer than {MAX_URL_CHARS} characters")
    if _CONTROL.search(url) or not url.isprintable() or "%00" in url:
        raise InvalidOptions(
            f"{field} must be an http or https URL without spaces, control characters or %00"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # a port out of range or not a number, a broken [IPv6] host
        raise InvalidOptions(f"{field} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidOptions(f"{field} must be an http or https URL, not {url!r}")
    if port == 0:
        raise InvalidOptions(f"{field} is not a valid URL: port 0")
    if "%" in parts.hostname:
        # An IPv6 zone (``[fe80::1%eth0]``) names an interface of this machine, and a
        # percent-encoded name is no name a resolver knows.
        raise InvalidOptions(f"{field} must not carry '%' in its host")
    if parts.username is not None:
        # The request is sent to the checked address, not to the URL as written; and the
        # signature already tells the receiver who sent it.
        raise InvalidOptions(f"{field} must not carry a user name or password")
    return parts
