"""The grammar of ``url`` and ``callback_url``: anything that is not a plain http(s) URL is
``InvalidOptions`` naming the field, before any name is resolved (IP literals only here)."""

from __future__ import annotations

import pytest

from deepfake_detection.errors import InvalidOptions
from deepfake_detection.jobs.urls import MAX_URL_CHARS, parse_url

BAD_URLS = [
    "http://127.0.0.1:99999/a.jpg",
    "http://127.0.0.1:abc/a.jpg",
    "http://127.0.0.1:-1/a.jpg",
    "http://127.0.0.1:0/a.jpg",
    "http://[::1]:99999/",
    "http://[::1/",
    "http://[zz]/",
    "http://[fe80::1%25eth0]/",
    "http://127.0.0.1/" + "a" * 65_536,
    "http://127.0.0.1/a%00.jpg",
    "http://127.0.0.1/a\x00.jpg",
    "http://127.0.0.1/a b.jpg",
    "http://127.0.0.1/a\r\nHost: 10.0.0.1",
    "http://127.0.0.1/a\u2028.jpg",
    "ftp://127.0.0.1/a.jpg",
    "http:///a.jpg",
    "http://user:secret@127.0.0.1/a.jpg",
]


@pytest.mark.parametrize("url", BAD_URLS, ids=range(len(BAD_URLS)))
@pytest.mark.parametrize("field", ["url", "callback_url"])
def test_a_bad_url_is_invalid_options_naming_its_field(url: str, field: str) -> None:
    with pytest.raises(InvalidOptions) as refused:
        parse_url(url, field)
    assert refused.value.message.startswith(f"{field} ")
    assert len(refused.value.message) < MAX_URL_CHARS + 100


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/a.jpg?x=%20y#z",
        "https://[::1]/a.jpg",
        "http://localhost:1/a.jpg",
        "https://127.0.0.1/" + "a" * (MAX_URL_CHARS - 18),
    ],
)
def test_a_plain_url_passes(url: str) -> None:
    assert parse_url(url, "url").hostname in ("127.0.0.1", "::1", "localhost")
