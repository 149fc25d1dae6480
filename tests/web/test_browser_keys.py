"""The page with API keys on (``DFD_AUTH=keys``), in Debian's Chromium: it loads without a key, asks
for one when the API answers 401, keeps it for the tab (never in the URL) and says when a key is
refused. The docs page renders too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from api.images import encode, one_face
from support.live_server import LiveServer, live_server, server_env
from web.test_browser import ANALYSIS_TIMEOUT_MS, browser

__all__ = ["browser"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("web-keys")
    env = server_env(folder, DFD_AUTH="keys", DFD_KEY_RATE_LIMIT="1000/second")
    with live_server(folder, env, "--no-access-log") as live:
        yield live
    assert "Traceback" not in live.log.read_text(), live.log.read_text()


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[tuple[Page, list[Request]]]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    requests: list[Request] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("request", lambda request: requests.append(request))
    opened.goto(server.url)
    yield opened, requests
    context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys-inputs") / "face.jpg"
    path.write_bytes(encode(one_face()))
    path.with_name("again.jpg").write_bytes(path.read_bytes())
    return path


def test_the_page_asks_for_a_key_and_uses_it_for_the_tab(
    page: tuple[Page, list[Request]], server: LiveServer, photo: Path
) -> None:
    opened, requests = page
    key = server.create_key("browser")
    # The page and its script loaded without a key: the upload control works.
    expect(opened.get_by_test_id("key-prompt")).to_be_hidden()

    opened.get_by_test_id("upload").set_input_files(photo)
    prompt = opened.get_by_test_id("key-prompt")
    expect(prompt).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    expect(opened.get_by_test_id("key-message")).to_contain_text("needs an API key")

    opened.get_by_test_id("key-input").fill(key)
    opened.get_by_test_id("key-submit").click()

    expect(opened.get_by_test_id("verdict")).not_to_be_empty(timeout=ANALYSIS_TIMEOUT_MS)
    expect(prompt).to_be_hidden()
    expect(opened.get_by_test_id("error")).to_be_hidden()
    assert opened.evaluate("sessionStorage.getItem('dfd-api-key')") == key
    assert key not in opened.url
    analyses = [r for r in requests if r.url.endswith("/v1/images")]
    assert [r.headers.get("authorization") for r in analyses] == [None, f"Bearer {key}"]
    assert all(key not in r.url for r in requests)

    # A second upload in the same tab is sent with the kept key, without asking.
    with opened.expect_response(
        lambda r: r.url.endswith("/v1/images"), timeout=ANALYSIS_TIMEOUT_MS
    ) as answered:
        opened.get_by_test_id("upload").set_input_files(photo.with_name("again.jpg"))
    assert answered.value.status == 200
    assert answered.value.request.headers.get("authorization") == f"Bearer {key}"
    expect(prompt).to_be_hidden()


def test_a_wrong_key_is_said_to_be_refused(
    page: tuple[Page, list[Request]], server: LiveServer, photo: Path
) -> None:
    opened, _ = page
    opened.get_by_test_id("upload").set_input_files(photo)
    expect(opened.get_by_test_id("key-prompt")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    opened.get_by_test_id("key-input").fill("dfd_not-a-key")
    opened.get_by_test_id("key-submit").click()

    message = opened.get_by_test_id("key-message")
    expect(message).to_contain_text("refused this key", timeout=ANALYSIS_TIMEOUT_MS)
    expect(message).to_contain_text("unknown or revoked")
    expect(opened.get_by_test_id("key-prompt")).to_be_visible()
    assert opened.evaluate("sessionStorage.getItem('dfd-api-key')") is None

    # A good key after a wrong one finishes the same upload.
    opened.get_by_test_id("key-input").fill(server.create_key("second-try"))
    opened.get_by_test_id("key-submit").click()
    expect(opened.get_by_test_id("verdict")).not_to_be_empty(timeout=ANALYSIS_TIMEOUT_MS)


def test_the_docs_page_renders_without_a_key(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context()
    opened = context.new_page()
    opened.goto(f"{server.url}/docs")
    # Swagger UI drew the routes from /openapi.json with its own script and styles.
    expect(opened.locator(".opblock").first).to_be_visible(timeout=60_000)
    expect(opened.get_by_text("/v1/images", exact=True).first).to_be_visible()
    context.close()
