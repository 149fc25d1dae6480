"""One error hierarchy. HTTP statuses and CLI exit codes are read from these classes in one place.

The classes also word the messages that recur (a size over a limit, a file a decoder cannot read), so
that every layer says them the same way, in units and sentences a person reads.
"""

from __future__ import annotations

import errno
import re

_UNITS = ("bytes", "KiB", "MiB", "GiB", "TiB")
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")
_FILE_NAME = re.compile(r":\s*'[^']*'$")
_OBJECT_REPR = re.compile(r"\s*<[^<>]* at 0x[0-9a-fA-F]+>")


def human_size(size: int) -> str:
    """``size`` bytes in the largest binary unit it fills, to one decimal: ``512 bytes``,
    ``25.8 MiB``, ``20 MiB``."""
    value, unit = float(size), 0
    while unit < len(_UNITS) - 1 and round(value, 1) >= 1024:
        value, unit = value / 1024, unit + 1
    if unit == 0:
        return f"{size} byte" if size == 1 else f"{size} bytes"
    return f"{value:.1f}".removesuffix(".0") + f" {_UNITS[unit]}"


def decoder_words(exc: BaseException) -> str:
    """What a decoder's exception says, without its errno, the file name FFmpeg appends or an
    object's repr: ``[Errno 1094995529] Invalid data found when processing input: 'None'`` reads
    ``invalid data found when processing input``."""
    strerror = getattr(exc, "strerror", None)
    text = strerror if isinstance(strerror, str) and strerror else str(exc)
    text = _OBJECT_REPR.sub("", _FILE_NAME.sub("", _ERRNO.sub("", text.strip()))).strip()
    return text[:1].lower() + text[1:]


class DetectionError(Exception):
    """Base of every error this package raises on purpose."""

    code = "internal_error"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def error_for(code: str, message: str) -> DetectionError:
    """The error of this hierarchy with ``code`` (a ``DetectionError`` for a code none has), e.g.
    to raise again an outcome that was stored."""
    pending: list[type[DetectionError]] = [DetectionError]
    while pending:
        cls = pending.pop()
        if cls.code == code:
            return cls(message)
        pending.extend(cls.__subclasses__())
    return DetectionError(message)


class InvalidRequest(DetectionError):
    code = "bad_request"
    http_status = 400


class CorruptMedia(InvalidRequest):
    code = "corrupt_media"

    @classmethod
    def unreadable(cls, what: str, failure: str, exc: BaseException | None = None) -> CorruptMedia:
        """``what`` (``the MP4 video``) is damaged: ``failure`` (``it cannot be opened``) says what
        could not be done, and the decoder's own words follow in brackets."""
        detail = "" if exc is None else decoder_words(exc)
        return cls(
            f"{what} is damaged or incomplete: {failure}"
            + (f" (the decoder says: {detail})" if detail else "")
        )


class PayloadTooLarge(DetectionError):
    code = "too_large"
    http_status = 413

    @classmethod
    def over_bytes(cls, what: str, size: int, limit: int) -> PayloadTooLarge:
        """``the image is 25.8 MiB; the limit is 20 MiB``; exact bytes where the units would
        read the same."""
        given, allowed = human_size(size), human_size(limit)
        if given == allowed:
            given, allowed = f"{size:,} bytes", f"{limit:,} bytes"
        return cls(f"{what} is {given}; the limit is {allowed}")

    @classmethod
    def over_pixels(cls, what: str, width: int, height: int, limit: int) -> PayloadTooLarge:
        """``the image is 12000x9000 (108 million pixels); the limit is 50 million pixels``."""
        return cls(
            f"{what} is {width}x{height} ({_millions(width * height)} pixels); "
            f"the limit is {_millions(limit)} pixels"
        )


class UnsupportedMedia(DetectionError):
    code = "unsupported_media"
    http_status = 415


class InvalidOptions(DetectionError):
    code = "invalid_options"
    http_status = 422


class Overloaded(DetectionError):
    code = "overloaded"
    http_status = 503


class InsufficientStorage(DetectionError):
    """The data volume or the temporary folder is full: an operator problem; retry later."""

    code = "insufficient_storage"
    http_status = 507

    @classmethod
    def writing(cls, what: str) -> InsufficientStorage:
        return cls(
            f"{what} could not be written: the server's storage is full; retry later (the "
            "operator has been told in the log)"
        )


class JobsUnavailable(DetectionError):
    """Jobs cannot progress now (a full data volume, stopped workers, an unreachable broker): the
    service is not ready."""

    code = "jobs_unavailable"
    http_status = 503


_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def out_of_space(exc: BaseException) -> bool:
    """Whether ``exc`` is the operating system saying a disk or a quota is full."""
    return isinstance(exc, OSError) and exc.errno in _NO_SPACE


class Unauthorized(DetectionError):
    """No API key, or one that is unknown or revoked (with ``DFD_AUTH=keys``)."""

    code = "unauthorized"
    http_status = 401


class ModelUnavailable(DetectionError):
    """A model or detector file is missing or unreadable: an operator problem, not a client one."""

    code = "model_unavailable"
    http_status = 503


class NotFound(DetectionError):
    code = "not_found"
    http_status = 404


class RateLimited(DetectionError):
    """Too many requests or too much media for now; ``retry_after_s`` says when to come back."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class QuotaExceeded(RateLimited):
    code = "quota_exceeded"


class FetchFailed(DetectionError):
    """A media URL could not be downloaded (refused address, connection error, HTTP error)."""

    code = "fetch_failed"
    http_status = 400


class NotReady(DetectionError):
    """The thing asked for exists but is not finished yet (a job still queued or running)."""

    code = "not_ready"
    http_status = 409


def _millions(pixels: int) -> str:
    if pixels < 1_000_000:
        return f"{pixels:,}"
    return f"{pixels / 1e6:.1f}".removesuffix(".0") + " million"
