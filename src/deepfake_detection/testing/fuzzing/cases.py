"""HTTP requests for the fuzzer: the service's routes, each with mutated media, options, multipart
framing, JSON bodies and headers. ``make_case(rng, ...)`` is deterministic for a seeded ``rng``."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from deepfake_detection.testing.fuzzing.mutate import mutate
from deepfake_detection.testing.fuzzing.seeds import base_format

# Values that have broken option parsers somewhere: numbers at the edges of floats and ints, text.
HOSTILE_VALUES = (
    "", " ", "0", "-1", "1", "2", "0.5", "1e-308", "1e308", "1e309", "-0", "nan", "inf", "-inf",
    "NaN", "0x10", "1_000", "99999999999999999999999", "4.9e-324", "0.0000001", "true", "null",
    "[]", "{}", "centerface", "ssd", "none", "SSD", "MTCNN", "median", "max", "mean", "mode",
    "\x00", "é", "💥", "a" * 5000, "../../etc/passwd", "%s%n", "http://127.0.0.1/", "1" * 400,
)  # fmt: skip
IMAGE_OPTIONS = ("detector", "threshold", "max_faces")
VIDEO_OPTIONS = (
    "frames", "every_s", "sampling", "detector", "threshold", "aggregate", "max_faces",
)  # fmt: skip
COMPAT_IMAGE = ("face_detection", "face_detection_method")
COMPAT_VIDEO = ("num_frames", "face_detection_method")
CONTENT_TYPES = (
    "text/plain", "application/octet-stream", "multipart/form-data", "multipart/mixed; boundary=x",
    "application/json; charset=utf-16", "application/x-www-form-urlencoded", "image/jpeg", "",
    "multipart/form-data; boundary=", "multipart/form-data; boundary=\"unterminated",
)  # fmt: skip


# URLs for ``url`` and ``callback_url``, from parts that either parse to a loopback literal (or
# ``localhost``: /etc/hosts) or do not parse at all: no case may make the service ask a DNS server
# about a name, nor reach past this machine. Without DFD_FETCH_ALLOW_PRIVATE and
# DFD_WEBHOOK_ALLOW_PRIVATE (the fuzz tests clear every DFD_ variable) each is refused before any
# connection; a service started with them on may connect, but only to this machine. That private
# and link-local addresses elsewhere (10.0.0.1, the cloud metadata 169.254.169.254) are refused is
# tested on the checks themselves, without a connection (tests/jobs/test_addresses.py,
# test_download.py, test_webhook.py).
URL_SCHEMES = ("http", "https", "HTTP", "ftp", "file", "javascript", "", "http:")
URL_HOSTS = (
    "127.0.0.1", "[::1]", "localhost", "0.0.0.0", "127.0.0.2", "[::ffff:127.0.0.2]", "127.1",
    "2130706433", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[zz]", "[::1", "127.0.0.1%00",
    "user:pw@127.0.0.1", "", "[]", "127.0.0.1:80@127.0.0.1",
)  # fmt: skip
URL_PORTS = ("", ":0", ":1", ":80", ":65535", ":65536", ":99999", ":-1", ":abc", ":", ":٣")
URL_PATHS = ("/", "/x.jpg", "/%00", "/a b", "/?q=1#f", "/\r\nX-Injected: 1", "/" + "a" * 9000, "")
METHODS = ("PURGE", "FOO", "get", "X" * 40, "PROPFIND", "TRACE", "M-SEARCH", "Get")
PATHS = ("/v1/images", "/v1/jobs", "/v1/videos", "/healthz", "/metrics", "/", "/nowhere")
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "done", "", "%00")


@dataclass
class Case:
    """One request; ``job`` when its answer is a job to follow to its end."""

    route: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    job: bool = False
    note: str = ""
    cut: int | None = None
    """Send only this many bytes of the body, then close the connection (a client that leaves)."""

    def to_json(self) -> dict[str, object]:
        return {
            "route": self.route,
            "method": self.method,
            "path": self.path,
            "headers": self.headers,
            "body_base64": base64.b64encode(self.body).decode(),
            "job": self.job,
            "note": self.note,
            "cut": self.cut,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Case:
        return cls(
            route=str(data["route"]),
            method=str(data["method"]),
            path=str(data["path"]),
            headers={str(k): str(v) for k, v in dict(data["headers"]).items()},  # type: ignore[call-overload]
            body=base64.b64decode(str(data["body_base64"])),
            job=bool(data["job"]),
            note=str(data.get("note", "")),
            cut=None if data.get("cut") is None else int(str(data["cut"])),
        )


def multipart(
    parts: list[tuple[str, bytes, str | None]], rng: random.Random, *, broken: bool = False
) -> tuple[bytes, str]:
    """A multipart body of ``(name, value, filename)`` parts and its Content-Type; ``broken``
    damages the framing in one of the ways clients do."""
    boundary = f"fuzz{rng.randrange(10**9)}"
    chunks = []
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        chunks.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
        )
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    if broken:
        how = rng.randrange(6)
        if how == 0:
            body = body[: rng.randrange(len(body) + 1)]  # cut anywhere
        elif how == 1:
            body = body.replace(b"\r\n", b"\n")
        elif how == 2:
            body = body.replace(b"Content-Disposition", b"Content-Dispositoin", 1)
        elif how == 3:
            content_type = "multipart/form-data; boundary=other"
        elif how == 4:
            body = body.replace(f"--{boundary}--".encode(), b"")
        else:
            body = body.replace(b'name="', b'name="' + bytes([rng.randrange(256)]), 1)
    return body, content_type


def _options(names: tuple[str, ...], rng: random.Random) -> list[tuple[str, bytes, None]]:
    if rng.random() < 0.5:  # half the cases reach the decoders with the default options
        return []
    chosen = rng.sample(names, rng.randint(1, min(3, len(names))))
    if rng.random() < 0.1:
        chosen.append(rng.choice(("colour", "file2", "FILE", "callback_url")))
    return [(name, rng.choice(HOSTILE_VALUES).encode(), None) for name in chosen]


def _media(seeds: Mapping[str, bytes], rng: random.Random) -> tuple[str, bytes]:
    name = rng.choice(sorted(seeds))
    data = seeds[name]
    if rng.random() < 0.85:
        data = mutate(data, base_format(name), rng)
    return name, data


def _form_case(
    route: str, path: str, file_field: str, options: tuple[str, ...], media: tuple[str, bytes],
    rng: random.Random, *, job: bool = False,
) -> Case:  # fmt: skip
    name, data = media
    parts: list[tuple[str, bytes, str | None]] = [(file_field, data, f"upload.{name}")]
    parts += _options(options, rng)
    if rng.random() < 0.05:
        parts.append((file_field, data[:100], "second"))
    if rng.random() < 0.05:
        parts = [(rng.choice(("upload", "img", "")), data, "x")]
    body, content_type = multipart(parts, rng, broken=rng.random() < 0.1)
    if rng.random() < 0.04:
        content_type = rng.choice(CONTENT_TYPES)
    return Case(route, "POST", path, {"content-type": content_type}, body, job, note=name)


def _json_case(media: tuple[str, bytes], rng: random.Random) -> Case:
    _, data = media
    how = rng.random()
    if how < 0.7:
        payload: object = {"image_base64": base64.b64encode(data).decode()}
        for option in rng.sample(IMAGE_OPTIONS, rng.randint(0, 2)):
            payload[option] = rng.choice(  # type: ignore[index]
                [rng.choice(HOSTILE_VALUES), 0, -1, 1.5, 1e308, None, [], {}, True, 10**40]
            )
        body = json.dumps(payload).encode()
    elif how < 0.8:
        depth = rng.choice((10, 1000, 100_000))
        body = b'{"image_base64": ' + b"[" * depth + b"]" * depth + b"}"
    elif how < 0.9:
        body = rng.choice([b"", b"null", b"[]", b'"x"', b"{", b'{"image_base64": "data:,"}'])
    else:
        url = f'{{"image_base64": "data:image/png;base64,{base64.b64encode(data).decode()}"}}'
        body = url.encode().replace(b"base64,", rng.choice([b"base64,\n", b"base64;", b"", b","]))
    content_type = "application/json" if rng.random() < 0.95 else rng.choice(CONTENT_TYPES)
    return Case("/v1/images (json)", "POST", "/v1/images", {"content-type": content_type}, body)


def hostile_url(rng: random.Random) -> str:
    scheme = rng.choice(URL_SCHEMES)
    url = f"{scheme}://{rng.choice(URL_HOSTS)}{rng.choice(URL_PORTS)}{rng.choice(URL_PATHS)}"
    return url if rng.random() < 0.9 else rng.choice(HOSTILE_VALUES)


def _url_case(rng: random.Random) -> Case:
    """``POST /v1/jobs`` with a ``url`` and maybe a ``callback_url``, urlencoded or multipart."""
    fields = [("url", hostile_url(rng))]
    if rng.random() < 0.5:
        fields.append(("callback_url", hostile_url(rng)))
    if rng.random() < 0.5:
        body = "&".join(f"{name}={quote(value, safe='')}" for name, value in fields).encode()
        headers = {"content-type": "application/x-www-form-urlencoded"}
    else:
        parts: list[tuple[str, bytes, str | None]] = [
            (name, value.encode(), None) for name, value in fields
        ]
        body, content_type = multipart(parts, rng)
        headers = {"content-type": content_type}
    return Case("/v1/jobs (url)", "POST", "/v1/jobs", headers, body, job=True)


def _job_read_case(rng: random.Random) -> Case:
    """The job list's query, a job's status, its drawing, or its deletion, with junk."""
    junk = rng.choice(["0" * 32, "../../etc/passwd", "%00", "a" * 300, "f" * 32, "%2e%2e"])
    how = rng.random()
    if how < 0.4:
        query = {
            "limit": rng.choice(("1", "200", "201", "0", "-1", "1e3", "", "x")),
            "status": rng.choice(JOB_STATUSES),
            "cursor": rng.choice(("", "x", "=" * 8, "MTox", "a" * 400, "%00")),
        }
        chosen = rng.sample(sorted(query), rng.randint(0, 3))
        path = "/v1/jobs?" + "&".join(f"{k}={quote(query[k], safe='')}" for k in chosen)
        return Case("/v1/jobs (list)", "GET", path)
    if how < 0.7:
        return Case("/v1/jobs/{id}/annotated", "GET", f"/v1/jobs/{junk}/annotated")
    return Case("/v1/jobs/{id}", rng.choice(("GET", "DELETE")), f"/v1/jobs/{junk}")


def _odd_method_case(rng: random.Random) -> Case:
    return Case(
        "(made-up method)", rng.choice(METHODS), rng.choice(PATHS), body=b"x" * rng.randrange(3)
    )


def make_case(rng: random.Random, images: Mapping[str, bytes], videos: Mapping[str, bytes]) -> Case:
    """One request for a route chosen at random, with its own mutations; about one in six reaches
    the surfaces around the analyses (URLs, job reads, made-up methods, clients that leave)."""
    surface = rng.random()
    if surface < 0.05:
        return _url_case(rng)
    if surface < 0.10:
        return _job_read_case(rng)
    if surface < 0.13:
        return _odd_method_case(rng)
    case = _analysis_case(rng, images, videos)
    if surface < 0.17 and case.body:
        case.cut = rng.randrange(len(case.body))
        case.note += " (client leaves)"
    return case


def _analysis_case(
    rng: random.Random, images: Mapping[str, bytes], videos: Mapping[str, bytes]
) -> Case:
    pick = rng.random()
    image = _media(images, rng)
    if pick < 0.25:
        return _form_case("/v1/images", "/v1/images", "file", IMAGE_OPTIONS, image, rng)
    if pick < 0.35:
        return _json_case(image, rng)
    if pick < 0.45:
        route = "/detect_deepfake_image"
        return _form_case(route, route, "image", COMPAT_IMAGE, image, rng)
    video = _media(videos, rng)
    if pick < 0.7:
        return _form_case("/v1/videos", "/v1/videos", "file", VIDEO_OPTIONS, video, rng)
    if pick < 0.8:
        route = "/detect_deepfake_video"
        return _form_case(route, route, "video", COMPAT_VIDEO, video, rng)
    if pick < 0.97:
        media = video if rng.random() < 0.6 else image
        return _form_case("/v1/jobs", "/v1/jobs", "file", VIDEO_OPTIONS, media, rng, job=True)
    junk = rng.choice(["0" * 32, "../../etc/passwd", "%00", "a" * 300, "f" * 32])
    return Case("/v1/jobs/{id}", rng.choice(("GET", "DELETE")), f"/v1/jobs/{junk}")
