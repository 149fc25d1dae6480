"""The ``provenance`` of an answer, typed: what the file says about its origin (C2PA, XMP, PNG
text, EXIF). ``None`` from a service that does not report it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class C2pa:
    validation: str
    """``valid``, ``untrusted_signer``, ``invalid`` or ``not_checked``."""
    message: str
    claim_generator: str | None
    signer_issuer: str | None
    signer_common_name: str | None
    actions: tuple[str, ...]
    digital_source_types: tuple[str, ...]
    ai_generated: bool
    failures: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> C2pa:
        signer = data.get("signer") or {}
        return cls(
            validation=str(data["validation"]),
            message=str(data.get("message", "")),
            claim_generator=data.get("claim_generator"),
            signer_issuer=signer.get("issuer"),
            signer_common_name=signer.get("common_name"),
            actions=tuple(data.get("actions", ())),
            digital_source_types=tuple(data.get("digital_source_types", ())),
            ai_generated=bool(data.get("ai_generated", False)),
            failures=tuple(data.get("failures", ())),
        )


@dataclass(frozen=True)
class Signal:
    source: str
    """``xmp``, ``png_text`` or ``exif``."""
    name: str
    value: str


@dataclass(frozen=True)
class Provenance:
    c2pa: C2pa | None
    declared_ai_generated: bool | None
    signals: tuple[Signal, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Provenance | None:
        if data is None:
            return None
        c2pa = data.get("c2pa")
        return cls(
            c2pa=None if c2pa is None else C2pa.from_json(c2pa),
            declared_ai_generated=data.get("declared_ai_generated"),
            signals=tuple(
                Signal(str(s["source"]), str(s["name"]), str(s["value"]))
                for s in data.get("signals", ())
            ),
        )
