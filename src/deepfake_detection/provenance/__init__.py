"""What a file says about its own origin: C2PA Content Credentials, IPTC/XMP digital source types,
image generators' PNG text chunks and EXIF ``Software``/``Make``/``Model``. Reported beside the
face verdict, never mixed into a score."""

from deepfake_detection.provenance.limits import ProvenanceLimits
from deepfake_detection.provenance.reader import ProvenanceReader
from deepfake_detection.provenance.results import C2paManifest, Provenance, Signal

__all__ = ["C2paManifest", "Provenance", "ProvenanceLimits", "ProvenanceReader", "Signal"]
