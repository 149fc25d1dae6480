"""The client's typed ``provenance``, read from an answer as the service writes it."""

from __future__ import annotations

from deepfake_detection.client import C2pa, ImageResult, Provenance, Signal, VideoResult
from deepfake_detection.client.results import media_result

ANSWER = {
    "verdict": "real",
    "verdict_reason": None,
    "fake_probability": 0.1,
    "faces": [],
    "threshold": 0.5,
    "model": {"name": "m", "version": "1"},
    "image": {"width": 8, "height": 8},
    "provenance": {
        "c2pa": {
            "manifest_present": True,
            "validation": "untrusted_signer",
            "message": "signed; signer not on a trust list",
            "claim_generator": "Image Maker 1.0",
            "signer": {"issuer": "Org", "common_name": "Signer"},
            "signed_at": None,
            "actions": ["c2pa.created"],
            "digital_source_types": ["trainedAlgorithmicMedia"],
            "ai_generated": True,
            "failures": ["signingCredential.untrusted"],
        },
        "declared_ai_generated": True,
        "signals": [{"source": "exif", "name": "Software", "value": "GIMP"}],
    },
}


def test_an_image_result_carries_its_provenance() -> None:
    result = media_result(ANSWER)
    assert isinstance(result, ImageResult)
    assert result.provenance == Provenance(
        c2pa=C2pa(
            validation="untrusted_signer",
            message="signed; signer not on a trust list",
            claim_generator="Image Maker 1.0",
            signer_issuer="Org",
            signer_common_name="Signer",
            actions=("c2pa.created",),
            digital_source_types=("trainedAlgorithmicMedia",),
            ai_generated=True,
            failures=("signingCredential.untrusted",),
        ),
        declared_ai_generated=True,
        signals=(Signal("exif", "Software", "GIMP"),),
    )


def test_an_older_service_without_provenance() -> None:
    older = {k: v for k, v in ANSWER.items() if k != "provenance"}
    assert ImageResult.from_json(older).provenance is None
    video = {**older, "video": {}, "persons": [], "sampled_frames": 3, "provenance": None}
    result = VideoResult.from_json(video)
    assert result.provenance is None
