"""One error hierarchy. HTTP statuses and CLI exit codes are read from these classes in one place."""

from __future__ import annotations


class DetectionError(Exception):
    """Base of every error this package raises on purpose."""

    code = "internal_error"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(DetectionError):
    code = "bad_request"
    http_status = 400


class CorruptMedia(InvalidRequest):
    code = "corrupt_media"


class PayloadTooLarge(DetectionError):
    code = "too_large"
    http_status = 413


class UnsupportedMedia(DetectionError):
    code = "unsupported_media"
    http_status = 415


class InvalidOptions(DetectionError):
    code = "invalid_options"
    http_status = 422


class Overloaded(DetectionError):
    code = "overloaded"
    http_status = 503


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
