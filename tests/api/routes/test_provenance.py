"""``provenance`` in the /v1 answers and job results, never in the original's routes, and never in
a score."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.routes.test_images import post_image
from api.routes.test_jobs import wait
from api.videos import video_bytes
from deepfake_detection.testing.provenance import (
    AI,
    SigningChain,
    image_bytes,
    make_chain,
    manifest,
    png_chunk,
    png_with_chunks,
    sign,
    tamper,
)


@pytest.fixture(scope="module")
def chain() -> SigningChain:
    return make_chain()


@pytest.fixture(scope="module")
def signed_face(chain: SigningChain, face_jpeg: bytes) -> bytes:
    return sign(face_jpeg, chain, manifest(AI, generator="Image Maker"))


def test_a_signed_ai_generated_image_says_so_beside_an_unchanged_score(
    client: TestClient, face_jpeg: bytes, signed_face: bytes
) -> None:
    plain, signed = post_image(client, face_jpeg), post_image(client, signed_face)
    assert plain["provenance"] == {"c2pa": None, "declared_ai_generated": None, "signals": []}
    assert signed["provenance"] == {
        "c2pa": {
            "manifest_present": True,
            "validation": "untrusted_signer",
            "message": "signed; signer not on a trust list",
            "claim_generator": "Image Maker 1.0",
            "signer": {"issuer": "DFD Test Signers", "common_name": "DFD Test Signer"},
            "signed_at": None,
            "actions": ["c2pa.created"],
            "digital_source_types": ["trainedAlgorithmicMedia"],
            "ai_generated": True,
            "failures": ["signingCredential.untrusted"],
        },
        "declared_ai_generated": True,
        "signals": [],
    }
    assert [f["fake_probability"] for f in signed["faces"]] == [
        f["fake_probability"] for f in plain["faces"]
    ]
    assert signed["verdict"] == plain["verdict"]


def test_trust_anchors_from_the_settings(
    make_app: Any, tmp_path: Path, chain: SigningChain, signed_face: bytes
) -> None:
    anchors = tmp_path / "anchors.pem"
    anchors.write_text(chain.root_pem)
    with TestClient(make_app(c2pa_trust_anchors=anchors)) as client:
        c2pa = post_image(client, signed_face)["provenance"]["c2pa"]
    assert c2pa["validation"] == "valid"
    assert c2pa["failures"] == []


def test_a_tampered_file_is_answered_and_does_not_validate(
    client: TestClient, signed_face: bytes
) -> None:
    body = post_image(client, tamper(signed_face))
    c2pa = body["provenance"]["c2pa"]
    assert c2pa["validation"] == "invalid"
    assert c2pa["message"].startswith("does not validate")
    assert body["verdict"] in ("real", "fake", "uncertain")


def test_a_generator_text_chunk_in_a_base64_upload(client: TestClient) -> None:
    png = png_with_chunks(png_chunk(b"tEXt", b"parameters\x00a face, Steps: 20"))
    response = client.post("/v1/images", json={"image_base64": base64.b64encode(png).decode()})
    assert response.status_code == 200, response.text
    assert response.json()["provenance"] == {
        "c2pa": None,
        "declared_ai_generated": True,
        "signals": [{"source": "png_text", "name": "parameters", "value": "a face, Steps: 20"}],
    }


def test_the_original_route_keeps_its_shape(client: TestClient, signed_face: bytes) -> None:
    response = client.post(
        "/detect_deepfake_image", files={"image": ("x.jpg", signed_face, "image/jpeg")}
    )
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"face_detection_method", "predictions"}


def test_a_signed_video_and_a_video_job(make_app: Any, tmp_path: Path, chain: SigningChain) -> None:
    video = sign(video_bytes(tmp_path, people=1), chain, manifest(AI), "video/mp4")
    with TestClient(make_app(data_dir=tmp_path / "data")) as client:
        response = client.post("/v1/videos", files={"file": ("v.mp4", video)}, data={"frames": 3})
        assert response.status_code == 200, response.text
        provenance = response.json()["provenance"]
        assert provenance["c2pa"]["validation"] == "untrusted_signer"
        assert provenance["declared_ai_generated"] is True
        original = client.post("/detect_deepfake_video", files={"video": ("v.mp4", video)})
        assert original.status_code == 200, original.text
        assert set(original.json()) == {"face_detection_method", "predictions"}

        for content in (video, image_bytes("PNG")):
            job = client.post("/v1/jobs", files={"file": ("f", content)}, data={"frames": 3})
            assert job.status_code == 202, job.text
            result = wait(client, job.json()["status_url"])["result"]
            assert "provenance" in result
        assert result["provenance"] == {"c2pa": None, "declared_ai_generated": None, "signals": []}
