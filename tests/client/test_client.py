"""The Python client against the real server (uvicorn, keys on): sync and async, typed results,
jobs waited for with progress, listing, errors, and retries that honour Retry-After."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from api.images import encode, no_face, one_face
from api.videos import video_bytes
from deepfake_detection.client import (
    ApiError,
    AsyncClient,
    Client,
    ImageResult,
    Job,
    VideoResult,
)
from support.live_server import LiveServer, live_server, server_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("client")
    with live_server(folder, server_env(folder, DFD_AUTH="keys")) as running:
        yield running


@pytest.fixture(scope="module")
def key(server: LiveServer) -> str:
    return server.create_key("client-tests")


def test_sync_client(server: LiveServer, key: str, tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(encode(one_face()))
    with Client(server.url, key) as client:
        image = client.analyze_image(photo, detector="ssd")
        assert isinstance(image, ImageResult)
        assert image.verdict == image.faces[0].label
        assert len(image.faces) == 1
        assert image.fake_probability == image.faces[0].fake_probability
        assert image.model_version == "1.2.3"
        assert client.analyze_image(encode(no_face())).verdict == "no_face"

        video = client.analyze_video(video_bytes(tmp_path), frames=4)
        assert isinstance(video, VideoResult)
        assert video.sampled_frames == 4
        assert len(video.persons) == 1

        seen: list[Job] = []
        submitted = client.submit_job(video_bytes(tmp_path, "job.mp4"), frames=4)
        done = client.wait(submitted.id, progress=seen.append, poll_s=0.05)
        assert done.status == "succeeded"
        assert seen[-1] == done
        assert isinstance(done.result, VideoResult)
        assert done.result.sampled_frames == 4

        page = client.list_jobs(limit=10)
        (listed,) = [job for job in page.jobs if job.id == submitted.id]
        assert listed.kind == "video"
        assert listed.summary is not None
        assert listed.summary.verdict == done.result.verdict
        assert listed.summary.faces == len(done.result.persons)
        assert client.get_job(listed.id) == done
        assert client.delete_job(submitted.id) == "deleted"

        with pytest.raises(ApiError) as error:
            client.analyze_image(b"not an image")
        assert (error.value.status, error.value.code) == (415, "unsupported_media")

    with Client(server.url, "dfd_wrong") as stranger, pytest.raises(ApiError) as denied:
        stranger.list_jobs()
    assert denied.value.code == "unauthorized"


def test_async_client(server: LiveServer, key: str) -> None:
    async def main() -> tuple[ImageResult, Job, list[float]]:
        progress: list[float] = []

        async def record(job: Job) -> None:
            progress.append(job.progress)

        async with AsyncClient(server.url, key) as client:
            image = await client.analyze_image(encode(one_face()))
            job = await client.submit_job(encode(one_face()))
            done = await client.wait(job.id, progress=record, poll_s=0.05)
        return image, done, progress

    image, done, progress = anyio.run(main)
    assert image.verdict == image.faces[0].label
    assert done.status == "succeeded"
    assert isinstance(done.result, ImageResult)
    assert done.result.faces == image.faces
    assert progress[-1] == 1.0


def test_retries_wait_as_retry_after_says(server: LiveServer) -> None:
    slow = server.create_key("slow", "--rate-limit", "1/2 second")
    with Client(server.url, slow) as client:
        start = time.monotonic()
        for _ in range(3):
            client.list_jobs()
        waited = time.monotonic() - start
    # The 2nd and 3rd calls were refused with Retry-After (1-2 s each), waited for, retried.
    assert waited >= 2.0

    # Without retries, a call over the limit is the 429 itself (a minute's window: no timing race).
    once = server.create_key("once", "--rate-limit", "1/minute")
    with Client(server.url, once, retries=0) as impatient:
        impatient.list_jobs()
        with pytest.raises(ApiError) as refused:
            impatient.list_jobs()
    assert refused.value.status == 429
