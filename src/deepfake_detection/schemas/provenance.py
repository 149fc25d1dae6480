"""The ``provenance`` object of every ``/v1`` image and video answer, job result and ``dfd scan``
line: what the file says about its own origin, beside (never inside) the face verdict."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from deepfake_detection.provenance import C2paManifest, Provenance


class SignerOut(BaseModel):
    issuer: str | None = Field(description="the signing certificate's organisation")
    common_name: str | None = Field(description="the signing certificate's common name")


class C2paOut(BaseModel):
    manifest_present: Literal[True] = True
    validation: Literal["valid", "untrusted_signer", "invalid", "not_checked"] = Field(
        description="valid: signed by a signer on the trust list (DFD_C2PA_TRUST_ANCHORS) and "
        "unchanged since; untrusted_signer: the signature and the file check out but the signer "
        "is on no trust list; invalid: the file or its manifest changed after signing; "
        "not_checked: the manifest store was over the limits and was not parsed"
    )
    message: str = Field(description="the validation in words")
    claim_generator: str | None = Field(description="the program that made the manifest")
    signer: SignerOut | None
    signed_at: str | None = Field(description="the signing time, when the signature has one")
    actions: list[str] = Field(description="the manifest's actions, e.g. c2pa.created")
    digital_source_types: list[str] = Field(
        description="IPTC digital source types its assertions declare, e.g. "
        "trainedAlgorithmicMedia (made by a trained model) or digitalCapture"
    )
    ai_generated: bool = Field(
        description="an assertion declares trainedAlgorithmicMedia or "
        "compositeWithTrainedAlgorithmicMedia"
    )
    failures: list[str] = Field(
        description="the C2PA validation codes that failed (signingCredential.untrusted, "
        "assertion.dataHash.mismatch, ...)"
    )


class SignalOut(BaseModel):
    source: Literal["xmp", "png_text", "exif"]
    name: str = Field(
        description="DigitalSourceType, CreatorTool (XMP); parameters, prompt, workflow, "
        "Software (PNG text); Make, Model, Software (EXIF)"
    )
    value: str = Field(description="cut to 500 characters")


class ProvenanceOut(BaseModel):
    c2pa: C2paOut | None = Field(description="null when the file has no C2PA manifest")
    declared_ai_generated: bool | None = Field(
        description="true when the C2PA manifest, the XMP or an image generator's PNG text chunk "
        "declares the file made or composited by a trained model; false when a digital source "
        "type other than those is declared; null when nothing declares it. Declared, not "
        "verified, and not part of the face model's score"
    )
    signals: list[SignalOut]


def provenance_out(provenance: Provenance) -> ProvenanceOut:
    manifest = provenance.c2pa
    return ProvenanceOut(
        c2pa=None if manifest is None else _c2pa(manifest),
        declared_ai_generated=provenance.declared_ai_generated,
        signals=[
            SignalOut(source=s.source, name=s.name, value=s.value) for s in provenance.signals
        ],
    )


def _c2pa(manifest: C2paManifest) -> C2paOut:
    has_signer = manifest.signer_issuer is not None or manifest.signer_common_name is not None
    return C2paOut(
        validation=manifest.validation,
        message=manifest.message,
        claim_generator=manifest.claim_generator,
        signer=SignerOut(issuer=manifest.signer_issuer, common_name=manifest.signer_common_name)
        if has_signer
        else None,
        signed_at=manifest.signed_at,
        actions=list(manifest.actions),
        digital_source_types=list(manifest.digital_source_types),
        ai_generated=manifest.declares_ai,
        failures=list(manifest.failures),
    )
