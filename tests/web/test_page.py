"""The page at ``GET /`` for browsers (API clients keep the JSON welcome) and its static files."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.conftest import AppFactory
from deepfake_detection.config import Settings
from deepfake_detection.web.page import STATIC_FILES, limits_text

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_the_page(client: TestClient) -> None:
    response = client.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for hook in ("upload", "verdict", "error"):
        assert f'data-testid="{hook}"' in page
    assert 'for="file"' in page  # the file input has a label
    assert "20 MiB" in page
    assert "500 MiB" in page


def test_api_clients_keep_the_json_welcome(client: TestClient) -> None:
    for accept in ("*/*", "application/json", None):
        headers = {} if accept is None else {"Accept": accept}
        response = client.get("/", headers=headers)
        assert response.status_code == 200
        assert response.json()["message"] == "Welcome to the deepfake detection service"


def test_the_page_loads_nothing_from_outside(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": BROWSER_ACCEPT}).text
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert references
    assert all(ref.startswith("/") for ref in references), references
    for name in STATIC_FILES:
        # The SVG namespace is a name, not an address that is fetched.
        body = client.get(f"/ui/{name}").text.replace("http://www.w3.org/2000/svg", "")
        assert "http://" not in body, name
        assert "https://" not in body, name


def test_static_files_are_served_with_their_types(client: TestClient) -> None:
    assert client.get("/ui/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/ui/app.css").headers["content-type"].startswith("text/css")
    assert client.get("/ui/favicon.svg").headers["content-type"] == "image/svg+xml"


def test_only_the_page_files_are_served(client: TestClient) -> None:
    for name in ("index.html", "..%2F..%2Fconfig.py", "page.py", "nothing.js"):
        response = client.get(f"/ui/{name}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_the_limits_follow_the_settings() -> None:
    text = limits_text(Settings(max_upload_bytes=5 * 1024 * 1024, video_max_duration_s=90))
    assert "up to 5 MiB" in text
    assert "1.5 minutes" in text


def test_with_keys_the_page_its_files_and_the_docs_need_no_key(
    make_app: AppFactory, tmp_path: Path
) -> None:
    with TestClient(make_app(data_dir=tmp_path, auth="keys")) as client:
        page = client.get("/", headers={"Accept": BROWSER_ACCEPT})
        assert page.status_code == 200
        assert 'data-testid="key-prompt"' in page.text
        assert client.get("/").status_code == 200  # the JSON welcome
        for name in STATIC_FILES:
            assert client.get(f"/ui/{name}").status_code == 200, name
        assert client.get("/docs").status_code == 200
        assert client.get("/model").status_code == 200
        assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
        assert client.get("/docs/assets/swagger-ui.css").status_code == 200
        # The analyses, the jobs and the model card's JSON still need one.
        for path in ("/v1/models", "/v1/jobs", "/v1/detectors"):
            assert client.get(path).status_code == 401, path
