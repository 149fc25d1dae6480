from __future__ import annotations

import io
import struct
import zlib

import c2pa
import pytest

from deepfake_detection.provenance import ProvenanceLimits, ProvenanceReader
from deepfake_detection.provenance.results import NO_PROVENANCE, Signal
from deepfake_detection.testing.provenance import (
    AI,
    CAPTURE,
    SigningChain,
    exif_block,
    image_bytes,
    jpeg_with_segments,
    jpeg_with_xmp,
    make_chain,
    manifest,
    png_chunk,
    png_with_chunks,
    sign,
    tamper,
    xmp_packet,
)


@pytest.fixture(scope="module")
def chain() -> SigningChain:
    return make_chain()


@pytest.fixture(scope="module")
def signed_ai(chain: SigningChain) -> bytes:
    return sign(image_bytes(), chain, manifest(AI))


def test_a_signature_from_an_unknown_signer_is_not_invalid(signed_ai: bytes) -> None:
    provenance = ProvenanceReader().read(signed_ai)
    found = provenance.c2pa
    assert found is not None
    assert found.validation == "untrusted_signer"
    assert found.message == "signed; signer not on a trust list"
    assert found.claim_generator == "dfd-test-generator 1.0"
    assert (found.signer_issuer, found.signer_common_name) == (
        "DFD Test Signers",
        "DFD Test Signer",
    )
    assert found.actions == ("c2pa.created",)
    assert found.digital_source_types == ("trainedAlgorithmicMedia",)
    assert found.declares_ai
    assert provenance.declared_ai_generated is True
    assert provenance.signals == ()


def test_a_signer_under_a_trust_anchor_is_valid(chain: SigningChain, signed_ai: bytes) -> None:
    found = ProvenanceReader(trust_anchors=chain.root_pem).read(signed_ai).c2pa
    assert found is not None
    assert found.validation == "valid"
    assert found.failures == ()


def test_another_anchor_does_not_make_a_signer_trusted(signed_ai: bytes) -> None:
    other = make_chain("Someone Else")
    found = ProvenanceReader(trust_anchors=other.root_pem).read(signed_ai).c2pa
    assert found is not None
    assert found.validation == "untrusted_signer"


def test_a_file_changed_after_signing_does_not_validate(
    chain: SigningChain, signed_ai: bytes
) -> None:
    for reader in (ProvenanceReader(), ProvenanceReader(trust_anchors=chain.root_pem)):
        provenance = reader.read(tamper(signed_ai))
        assert provenance.c2pa is not None
        assert provenance.c2pa.validation == "invalid"
        assert provenance.c2pa.message.startswith("does not validate")
        assert "assertion.dataHash.mismatch" in provenance.c2pa.failures
        # what it declared is still reported
        assert provenance.declared_ai_generated is True


def test_a_capture_declared_in_a_signed_png_is_not_ai(chain: SigningChain) -> None:
    signed = sign(image_bytes("PNG"), chain, manifest(CAPTURE), "image/png")
    provenance = ProvenanceReader().read(signed)
    assert provenance.c2pa is not None
    assert provenance.c2pa.digital_source_types == ("digitalCapture",)
    assert provenance.declared_ai_generated is False
    # a capture claimed by a manifest that no longer validates declares nothing
    changed = bytearray(signed)
    changed[40] ^= 0x01  # inside IHDR's data: the hashed image header
    assert ProvenanceReader().read(bytes(changed)).declared_ai_generated is None


def test_a_signed_webp(chain: SigningChain) -> None:
    found = ProvenanceReader().read(sign(image_bytes("WEBP"), chain, manifest(), "image/webp"))
    assert found.c2pa is not None
    assert found.c2pa.validation == "untrusted_signer"


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"])
def test_a_file_without_provenance_has_none(format: str) -> None:
    assert ProvenanceReader().read(image_bytes(format)) == NO_PROVENANCE
    assert NO_PROVENANCE.declared_ai_generated is None


def test_a_file_without_c2pa_never_loads_the_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the C2PA SDK was called")

    monkeypatch.setattr(c2pa, "Reader", refuse)
    png = png_with_chunks(png_chunk(b"tEXt", b"Software\x00GIMP"))
    assert ProvenanceReader().read(png).c2pa is None


def test_stable_diffusion_parameters_in_a_png() -> None:
    text = b"parameters\x00a portrait, Steps: 30, Sampler: DPM++ 2M, Seed: 1"
    provenance = ProvenanceReader().read(png_with_chunks(png_chunk(b"tEXt", text)))
    assert provenance.c2pa is None
    assert provenance.signals == (
        Signal("png_text", "parameters", "a portrait, Steps: 30, Sampler: DPM++ 2M, Seed: 1"),
    )
    assert provenance.declared_ai_generated is True


def test_comfyui_prompt_and_workflow_compressed() -> None:
    workflow = b'{"nodes": [{"type": "KSampler"}]}'
    chunks = (
        png_chunk(b"zTXt", b"prompt\x00\x00" + zlib.compress(b'{"3": {"class_type": "KSampler"}}')),
        png_chunk(b"iTXt", b"workflow\x00\x01\x00\x00\x00" + zlib.compress(workflow)),
    )
    provenance = ProvenanceReader().read(png_with_chunks(*chunks))
    assert [(s.name, s.value) for s in provenance.signals] == [
        ("prompt", '{"3": {"class_type": "KSampler"}}'),
        ("workflow", workflow.decode()),
    ]
    assert provenance.declared_ai_generated is True


def test_xmp_digital_source_type_in_a_jpeg() -> None:
    provenance = ProvenanceReader().read(jpeg_with_xmp(xmp_packet(AI, "Adobe Firefly")))
    assert provenance.signals == (
        Signal("xmp", "DigitalSourceType", AI),
        Signal("xmp", "CreatorTool", "Adobe Firefly"),
    )
    assert provenance.declared_ai_generated is True


def test_xmp_in_a_png_itxt_and_as_an_attribute() -> None:
    packet = (
        b'<rdf:Description Iptc4xmpExt:DigitalSourceType="'
        + CAPTURE.encode()
        + b'" xmp:CreatorTool="Camera App 2"/>'
    )
    chunk = png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + packet)
    provenance = ProvenanceReader().read(png_with_chunks(chunk))
    assert Signal("xmp", "DigitalSourceType", CAPTURE) in provenance.signals
    assert provenance.declared_ai_generated is False


def test_exif_software_make_and_model() -> None:
    block = exif_block(Make="Canon", Model="EOS R5", Software="GIMP 2.10")
    provenance = ProvenanceReader().read(jpeg_with_segments((0xE1, b"Exif\x00\x00" + block)))
    assert provenance.signals == (
        Signal("exif", "Make", "Canon"),
        Signal("exif", "Model", "EOS R5"),
        Signal("exif", "Software", "GIMP 2.10"),
    )
    assert provenance.declared_ai_generated is None  # a camera's name declares nothing


def test_damaged_containers_never_raise(signed_ai: bytes) -> None:
    reader = ProvenanceReader()
    for data in (
        signed_ai[:200],
        signed_ai[:3000],
        b"\xff\xd8\xff\xe1\xff",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\x05tEXt",
        png_with_chunks(png_chunk(b"zTXt", b"prompt\x00\x00not zlib")),
        png_with_chunks(png_chunk(b"iTXt", b"workflow\x00")),
        jpeg_with_segments((0xE1, b"Exif\x00\x00MM\x00*\xff\xff\xff\xff")),
        b"\x00\x00\x00\x18ftypisom" + b"\x00" * 8 + b"\x00\x00\x00\x01uuid",
        b"",
    ):
        reader.read(data)


class _CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.consumed += len(data)
        return data


def _app11(instance: int, sequence: int, box: bytes) -> tuple[int, bytes]:
    return 0xEB, b"JP" + struct.pack(">HI", instance, sequence) + box


def _huge_store_jpeg(payload_bytes: int) -> bytes:
    """A JPEG whose C2PA store is ``payload_bytes`` long, in 64 KiB segments."""
    part = 65_000
    total = 8 + 24 + payload_bytes
    first = struct.pack(">I", total) + b"jumb" + struct.pack(">I", 24) + b"jumd" + b"c2pa" * 4
    segments = [_app11(1, 1, first)]
    for sequence in range(2, payload_bytes // part + 2):
        segments.append(_app11(1, sequence, struct.pack(">I", total) + b"jumb" + b"\x00" * part))
    return jpeg_with_segments(*segments)


def test_a_huge_manifest_store_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the C2PA SDK was called")

    monkeypatch.setattr(c2pa, "Reader", refuse)
    data = _huge_store_jpeg(19 * 1024 * 1024)
    limits = ProvenanceLimits()
    stream = _CountingStream(data)
    provenance = ProvenanceReader(limits=limits).read(stream)
    assert provenance.c2pa is not None
    assert provenance.c2pa.validation == "not_checked"
    assert "the C2PA data is 19 MiB; the limit is 4 MiB" in provenance.c2pa.message
    assert stream.consumed < limits.max_c2pa_bytes + 2 * 65_536 + 4096


def test_a_deeply_nested_manifest_store_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(c2pa, "Reader", None)  # calling it would fail the test
    depth = 5000
    box = b"jumd" + b"c2pa"
    box = struct.pack(">I", len(box) + 4) + box
    for _ in range(depth):
        box = struct.pack(">I", len(box) + 8) + b"jumb" + box
    label = struct.pack(">I", 16) + b"jumd" + b"c2pa" * 2
    store = struct.pack(">I", len(box) + 24) + b"jumb" + label + box
    segments = [_app11(1, 1, store[:60_000])]
    for index, start in enumerate(range(60_000, len(store), 60_000), start=2):
        segments.append(_app11(1, index, store[:8] + store[start : start + 60_000]))
    provenance = ProvenanceReader().read(jpeg_with_segments(*segments))
    assert provenance.c2pa is not None
    assert provenance.c2pa.validation == "not_checked"
    assert "nests more than 16 boxes deep" in provenance.c2pa.message


def test_huge_text_and_xmp_are_read_only_up_to_the_limit() -> None:
    limits = ProvenanceLimits(max_item_bytes=64 * 1024)
    bomb = zlib.compress(b"A" * (200 * 1024 * 1024), 9)  # 200 MiB inflated, 200 KB here
    padding = b" " * (8 * 1024 * 1024)
    packet = xmp_packet(AI).replace(b"<x:xmpmeta", padding + b"<x:xmpmeta")
    data = png_with_chunks(
        png_chunk(b"zTXt", b"prompt\x00\x00" + bomb),
        png_chunk(b"tEXt", b"parameters\x00" + b"B" * (12 * 1024 * 1024)),
        png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + packet),
    )
    stream = _CountingStream(data)
    provenance = ProvenanceReader(limits=limits).read(stream)
    assert [(s.name, len(s.value)) for s in provenance.signals] == [
        ("prompt", 500),
        ("parameters", 500),
    ]  # the XMP's property lies past the limit: not read
    assert stream.consumed < 3 * limits.max_item_bytes + 4096


def test_a_second_manifest_store_is_not_parsed(chain: SigningChain) -> None:
    signed = sign(image_bytes("PNG"), chain, manifest(), "image/png")
    store_at = signed.index(b"caBX") - 4
    length = struct.unpack(">I", signed[store_at : store_at + 4])[0]
    store = signed[store_at : store_at + 12 + length]
    doubled = signed[: store_at + len(store)] + store + signed[store_at + len(store) :]
    found = ProvenanceReader().read(doubled).c2pa
    assert found is not None
    assert found.validation == "not_checked"
    assert "2 C2PA manifest stores" in found.message
