"""A file's C2PA manifest store validated by the C2PA SDK (``c2pa-python``), offline: no trust list
ships with it, remote manifests and OCSP are never fetched, and only the anchors given are trusted.
The SDK is loaded the first time a file carries a store, so files without one never pay for it."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any, BinaryIO

from deepfake_detection.errors import human_size
from deepfake_detection.provenance.containers import C2paData
from deepfake_detection.provenance.jumbf import jumbf_problem
from deepfake_detection.provenance.limits import MiB, ProvenanceLimits
from deepfake_detection.provenance.results import C2paManifest, Validation, source_type_code

logger = logging.getLogger(__name__)

MESSAGES: dict[Validation, str] = {
    "valid": "signed by a signer on the trust list; unchanged since it was signed",
    "untrusted_signer": "signed; signer not on a trust list",
    "invalid": "does not validate: the file or its manifest changed after signing",
    "not_checked": "not checked",
}
_UNTRUSTED = "signingCredential.untrusted"
_MAX_LISTED = 32


class C2paValidator:
    """Validates manifest stores with one SDK context per process (built on first use)."""

    def __init__(self, trust_anchors: str | None, limits: ProvenanceLimits) -> None:
        """``trust_anchors``: PEM certificates whose signers are trusted (none: no signer is)."""
        self.trust_anchors = trust_anchors
        self.limits = limits
        self._lock = threading.Lock()
        self._context: Any = None
        self._pid = 0

    def validate(self, stream: BinaryIO, store: C2paData) -> C2paManifest:
        """The manifest in ``stream`` (the whole file), read only when ``store`` passed the limits;
        never raises for what the file holds."""
        problem = self._problem(store)
        if problem is not None:
            return C2paManifest("not_checked", f"{MESSAGES['not_checked']}: {problem}")
        try:
            import c2pa
        except ImportError as exc:  # an install without the SDK still answers
            logger.warning("C2PA data found, but the c2pa package cannot be loaded: %s", exc)
            return C2paManifest("not_checked", "not checked: the C2PA library is not installed")
        stream.seek(0)
        try:
            reader = c2pa.Reader(store.media_type, stream, None, self._sdk_context())
            with reader:
                report = json.loads(reader.json())
        except c2pa.C2paError as exc:
            words = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            return C2paManifest(
                "invalid", f"does not validate: the C2PA data cannot be read ({words})"
            )
        return summarize(report)

    def _problem(self, store: C2paData) -> str | None:
        if store.stores > 1:
            return f"the file holds {store.stores} C2PA manifest stores"
        if store.jumbf is None:
            limit = self.limits.max_c2pa_bytes
            return f"the C2PA data is {human_size(store.size)}; the limit is {human_size(limit)}"
        return jumbf_problem(store.jumbf, self.limits)

    def _sdk_context(self) -> Any:
        import c2pa

        with self._lock:
            if self._context is None or self._pid != os.getpid():
                verify = {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": False}
                config: dict[str, Any] = {
                    "verify": verify,
                    "core": {
                        "allowed_network_hosts": [],
                        "max_decompressed_manifest_size_in_mb": max(
                            1, self.limits.max_c2pa_bytes // MiB
                        ),
                    },
                }
                if self.trust_anchors:
                    config["trust"] = {"trust_anchors": self.trust_anchors}
                self._context = c2pa.Context(c2pa.Settings.from_dict(config))
                self._pid = os.getpid()
            return self._context


def summarize(report: dict[str, Any]) -> C2paManifest:
    """The active manifest of the SDK's report (``Reader.json()``) and its validation."""
    manifests = report.get("manifests") or {}
    manifest = manifests.get(report.get("active_manifest")) or {}
    failures = _failures(report)
    state = str(report.get("validation_state") or "")
    validation: Validation
    if state == "Trusted":
        validation = "valid"
    elif state == "Valid":
        validation = "untrusted_signer"
    else:
        validation = "invalid"
    message = MESSAGES[validation]
    shown = [code for code in failures if code != _UNTRUSTED]
    if validation == "invalid" and shown:
        message = f"{message} ({', '.join(shown[:3])})"
    signature = manifest.get("signature_info") or {}
    return C2paManifest(
        validation=validation,
        message=message,
        claim_generator=_claim_generator(manifest),
        signer_issuer=_text(signature.get("issuer")),
        signer_common_name=_text(signature.get("common_name")),
        signed_at=_text(signature.get("time")),
        actions=tuple(_actions(manifest))[:_MAX_LISTED],
        digital_source_types=tuple(dict.fromkeys(_source_types(manifest)))[:_MAX_LISTED],
        failures=tuple(failures)[:_MAX_LISTED],
    )


def _failures(report: dict[str, Any]) -> list[str]:
    results = report.get("validation_results") or {}
    active = results.get("activeManifest") or {}
    codes = [str(item.get("code")) for item in active.get("failure") or [] if item.get("code")]
    if not results:  # older reports list the failures only here
        codes = [str(item.get("code")) for item in report.get("validation_status") or []]
    return list(dict.fromkeys(codes))


def _claim_generator(manifest: dict[str, Any]) -> str | None:
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info and isinstance(info[0], dict):
        name, version = _text(info[0].get("name")), _text(info[0].get("version"))
        if name:
            return f"{name} {version}" if version else name
    return _text(manifest.get("claim_generator"))


def _actions(manifest: dict[str, Any]) -> Iterator[str]:
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            if isinstance(action, dict) and action.get("action"):
                yield str(action["action"])


def _source_types(manifest: dict[str, Any]) -> Iterator[str]:
    """Every ``digitalSourceType`` in the manifest's assertions (actions, ingredients, ...)."""
    stack: list[tuple[Any, int]] = [(manifest.get("assertions") or [], 0)]
    while stack:
        value, depth = stack.pop()
        if depth > 12:
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "digitalSourceType" and isinstance(item, str):
                    yield source_type_code(item)
                else:
                    stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)[:500]
