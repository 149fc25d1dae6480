"""What a file says about its own origin: its C2PA manifest (if any), the metadata that declares how
it was made, and whether anything declares it AI-generated. Read, never inferred from pixels: none
of it changes a face's score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Validation = Literal["valid", "untrusted_signer", "invalid", "not_checked"]
"""``valid``: signed by a signer on the trust list, and nothing changed since; ``untrusted_signer``:
the signature and the file check out, but the signer is not on a trust list; ``invalid``: the file
or its manifest changed after signing (or the manifest cannot be read); ``not_checked``: the C2PA
data was over the limits and was not parsed."""

SignalSource = Literal["xmp", "png_text", "exif"]

IPTC_SOURCE_TYPES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
AI_SOURCE_TYPES = frozenset({"trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia"})
"""The IPTC digital source types that declare generation or compositing by a trained model."""


def source_type_code(value: str) -> str:
    """``trainedAlgorithmicMedia`` from the IPTC URI (or a bare code, as some tools write it)."""
    return value.strip().rstrip("/").rsplit("/", 1)[-1]


def is_ai_source_type(value: str) -> bool:
    return source_type_code(value) in AI_SOURCE_TYPES


@dataclass(frozen=True)
class Signal:
    """One piece of metadata about the file's origin, e.g. ``("exif", "Software", "GIMP 2.10")``."""

    source: SignalSource
    name: str
    value: str


@dataclass(frozen=True)
class C2paManifest:
    """The active manifest of a file's C2PA data (Content Credentials)."""

    validation: Validation
    message: str
    """The validation in words, e.g. ``signed; signer not on a trust list``."""
    claim_generator: str | None = None
    signer_issuer: str | None = None
    signer_common_name: str | None = None
    signed_at: str | None = None
    actions: tuple[str, ...] = ()
    digital_source_types: tuple[str, ...] = ()
    """IPTC codes found in the manifest's assertions, e.g. ``trainedAlgorithmicMedia``."""
    failures: tuple[str, ...] = ()
    """The C2PA validation codes that failed, e.g. ``assertion.dataHash.mismatch``."""

    @property
    def declares_ai(self) -> bool:
        return any(code in AI_SOURCE_TYPES for code in self.digital_source_types)


@dataclass(frozen=True)
class Provenance:
    c2pa: C2paManifest | None
    signals: tuple[Signal, ...]

    @property
    def declared_ai_generated(self) -> bool | None:
        """``True`` when the C2PA manifest, the XMP or a generator's PNG text chunk declares
        generation or compositing by a trained model (a declaration counts even in a manifest that
        no longer validates); ``False`` when only other digital source types are declared (from a
        manifest, only one that validates); ``None`` when nothing declares how the file was made.
        Declared, not verified: metadata other than a valid C2PA manifest can be written by
        anyone."""
        manifest = self.c2pa
        declared = [s.value for s in self.signals if s.name == "DigitalSourceType"]
        if manifest is not None:
            if manifest.declares_ai:
                return True
            if manifest.validation in ("valid", "untrusted_signer"):
                declared.extend(manifest.digital_source_types)
        if any(is_ai_source_type(value) for value in declared):
            return True
        if any(s.source == "png_text" and s.name in GENERATOR_TEXT_KEYS for s in self.signals):
            return True
        return False if declared else None


GENERATOR_TEXT_KEYS = frozenset(
    {"parameters", "prompt", "workflow", "invokeai_metadata", "sd-metadata"}
)
"""PNG text keywords that image generators write: Stable Diffusion web UIs' ``parameters``,
ComfyUI's ``prompt`` and ``workflow``, InvokeAI's metadata."""

NO_PROVENANCE = Provenance(c2pa=None, signals=())
