"""What an XMP packet declares about the file's origin: IPTC's ``DigitalSourceType`` and the
``CreatorTool``. Read with two patterns over the packet's text (its size already bounded), never
with an XML parser: nothing in it is expanded or resolved."""

from __future__ import annotations

import re

from deepfake_detection.provenance.results import Signal

# The property as an attribute (name="value"), an element (<name>value</name>), or an element
# naming a resource (<name rdf:resource="value"/>).
_PROPERTY = (
    r"{name}(?:\s*=\s*[\"']([^\"'<>]{{1,1000}})[\"']"
    r"|\s*>\s*([^<>]{{1,1000}}?)\s*<"
    r"|\s[^<>]{{0,200}}?rdf:resource\s*=\s*[\"']([^\"'<>]{{1,1000}})[\"'])"
)
_PATTERNS = {
    "DigitalSourceType": re.compile(_PROPERTY.format(name=r"Iptc4xmpExt:DigitalSourceType")),
    "CreatorTool": re.compile(_PROPERTY.format(name=r"xmp:CreatorTool")),
}
MAX_VALUE_CHARS = 500


def xmp_signals(packet: bytes | str) -> list[Signal]:
    """The origin properties of one XMP packet, the first of each kind."""
    text = packet if isinstance(packet, str) else packet.decode("utf-8", errors="replace")
    signals = []
    for name, pattern in _PATTERNS.items():
        match = pattern.search(text)
        if match is None:
            continue
        value = next(group for group in match.groups() if group is not None).strip()
        if value:
            signals.append(Signal("xmp", name, value[:MAX_VALUE_CHARS]))
    return signals
