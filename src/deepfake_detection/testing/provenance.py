"""Files with provenance, for tests and benchmarks: a test certificate chain (a root CA and an end-entity
certificate with the key usages C2PA asks for), images signed with it by c2pa-python, a PNG with
an image generator's text chunk and a JPEG with an XMP DigitalSourceType. Needs ``cryptography``
(the ``dev`` extra)."""

from __future__ import annotations

import datetime
import io
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

AI = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"


@dataclass(frozen=True)
class SigningChain:
    root_pem: str
    chain_pem: str
    """The end-entity certificate, then the root."""
    key_pem: str


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DFD Test Signers"),
        ]
    )


def _usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signer,
        crl_sign=not signer,
        encipher_only=False,
        decipher_only=False,
    )


def make_chain(signer_name: str = "DFD Test Signer") -> SigningChain:
    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(_name("DFD Test Root CA"))
        .issuer_name(_name("DFD Test Root CA"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(signer=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(signer_name))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signer=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )

    def pem(cert: x509.Certificate) -> str:
        return cert.public_bytes(serialization.Encoding.PEM).decode()

    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return SigningChain(pem(root), pem(leaf) + pem(root), key_pem)


def image_bytes(format: str = "JPEG", size: int = 32, **params: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (180, 40, 40)).save(buffer, format, **params)
    return buffer.getvalue()


def manifest(source_type: str | None = AI, generator: str = "dfd-test-generator") -> dict[str, Any]:
    action: dict[str, Any] = {"action": "c2pa.created"}
    if source_type is not None:
        action["digitalSourceType"] = source_type
    return {
        "claim_generator_info": [{"name": generator, "version": "1.0"}],
        "title": "fixture",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [action]}}],
    }


def sign(
    data: bytes, chain: SigningChain, definition: dict[str, Any], media_type: str = "image/jpeg"
) -> bytes:
    """``data`` with a C2PA manifest signed by ``chain``'s end-entity key (ES256)."""
    info = c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256, chain.chain_pem.encode(), chain.key_pem.encode(), None
    )
    signer = c2pa.Signer.from_info(info)
    signed = io.BytesIO()
    with c2pa.Builder(definition) as builder:
        builder.sign(signer, media_type, io.BytesIO(data), signed)
    signer.close()
    return signed.getvalue()


def tamper(signed: bytes) -> bytes:
    """The signed JPEG with one byte of its image data changed after signing."""
    changed = bytearray(signed)
    changed[-20] ^= 0xFF
    return bytes(changed)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_with_chunks(*chunks: bytes) -> bytes:
    """A small PNG with ``chunks`` inserted after its header chunk."""
    png = image_bytes("PNG")
    header_end = 8 + 25  # signature, IHDR
    return png[:header_end] + b"".join(chunks) + png[header_end:]


def xmp_packet(source_type: str = AI, creator_tool: str | None = None) -> bytes:
    tool = f' xmp:CreatorTool="{creator_tool}"' if creator_tool else ""
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        f'xmlns:xmp="http://ns.adobe.com/xap/1.0/"{tool}>'
        f"<Iptc4xmpExt:DigitalSourceType>{source_type}</Iptc4xmpExt:DigitalSourceType>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def jpeg_with_segments(*segments: tuple[int, bytes]) -> bytes:
    """A small JPEG with (marker, payload) segments inserted after SOI."""
    jpeg = image_bytes("JPEG")
    inserted = b"".join(
        bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
        for marker, payload in segments
    )
    return jpeg[:2] + inserted + jpeg[2:]


def jpeg_with_xmp(packet: bytes) -> bytes:
    return jpeg_with_segments((0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + packet))


def exif_block(**tags: str) -> bytes:
    """A little-endian TIFF block with ASCII tags ``Make``, ``Model``, ``Software`` in IFD0."""
    numbers = {"Make": 0x010F, "Model": 0x0110, "Software": 0x0131}
    entries, values = [], b""
    data_start = 8 + 2 + 12 * len(tags) + 4
    for name, text in tags.items():
        raw = text.encode() + b"\x00"
        offset = data_start + len(values)
        value_field = raw.ljust(4, b"\x00") if len(raw) <= 4 else struct.pack("<I", offset)
        if len(raw) > 4:
            values += raw
        entries.append(struct.pack("<HHI", numbers[name], 2, len(raw)) + value_field)
    ifd = struct.pack("<H", len(entries)) + b"".join(entries) + b"\x00\x00\x00\x00"
    return b"II*\x00" + struct.pack("<I", 8) + ifd + values
