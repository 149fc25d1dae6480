"""Write ``web/openapi_examples.json``: the example answer of every route in ``/docs``, each a real
answer of the shipped model, made by sending real inputs through the app (in process, a temporary
data folder). Run it after shipping a model, or after changing an answer's shape:

    .venv/bin/python scripts/docs/openapi_examples.py

The inputs: the 1280x720 photograph of the HTTP benchmark (a real face on a blurred scene,
``deepfake_detection.testing.images``), and a 0.8 s 480x270 clip of the same face moving
(``deepfake_detection.testing.video``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from skimage import data, transform

from deepfake_detection.api.app import create_app
from deepfake_detection.config import Settings
from deepfake_detection.testing.images import face_on_scene_jpeg
from deepfake_detection.testing.video import face_scene, write_video

TARGET = Path(__file__).resolve().parents[2] / "src/deepfake_detection/web/openapi_examples.json"


def clip(folder: Path) -> bytes:
    face = transform.resize(data.astronaut()[20:220, 150:330], (200, 180), anti_aliasing=True)
    path = folder / "clip.mp4"
    write_video(path, face_scene([(face * 255).astype(np.uint8)], width=480, height=270, count=20))
    return path.read_bytes()


def answer(response: Any, status: int) -> Any:
    if response.status_code != status:
        raise SystemExit(f"{response.request.url}: {response.status_code} {response.text}")
    return response.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args()
    photo = face_on_scene_jpeg()
    with tempfile.TemporaryDirectory() as folder:
        video = clip(Path(folder))
        app = create_app(Settings(data_dir=Path(folder) / "data"))
        with TestClient(app) as client:
            get = {
                path: answer(client.get(path, headers={"Accept": "application/json"}), 200)
                for path in ("/healthz", "/readyz", "/v1/models", "/v1/detectors", "/")
            }
            image = answer(client.post("/v1/images", files={"file": ("photo.jpg", photo)}), 200)
            upload = {"file": ("clip.mp4", video)}
            videos = answer(client.post("/v1/videos", files=upload, data={"frames": "4"}), 200)
            queued = answer(client.post("/v1/jobs", files=upload, data={"frames": "4"}), 202)
            job = answer(client.get(queued["status_url"]), 200)
            while job["status"] in ("queued", "running"):
                time.sleep(0.1)
                job = answer(client.get(queued["status_url"]), 200)
            listed = answer(client.get("/v1/jobs", params={"limit": 1}), 200)
            compat_image = answer(
                client.post("/detect_deepfake_image", files={"image": ("photo.jpg", photo)}), 200
            )
            compat_video = answer(
                client.post(
                    "/detect_deepfake_video",
                    files={"video": ("clip.mp4", video)},
                    data={"num_frames": "4"},
                ),
                200,
            )
            deleted = answer(client.delete(f"/v1/jobs/{job['id']}"), 200)
    examples = {
        **{f"GET {path}": {"200": body} for path, body in get.items()},
        "POST /v1/images": {"200": image},
        "POST /v1/videos": {"200": videos},
        "POST /v1/jobs": {"202": queued},
        "GET /v1/jobs": {"200": listed},
        "GET /v1/jobs/{job_id}": {"200": job},
        "DELETE /v1/jobs/{job_id}": {"200": deleted},
        "POST /detect_deepfake_image": {"200": compat_image},
        "POST /detect_deepfake_video": {"200": compat_video},
    }
    args.out.write_text(json.dumps(examples, indent=1) + "\n")
    print(f"wrote {args.out}: {len(examples)} routes, model {get['/readyz']['model']}")


if __name__ == "__main__":
    main()
