"""Rate limits in one process (memory storage): the global limit without keys, the headers, and
the daily frame quota of a key."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.conftest import AppFactory
from api.fakes import GatedClassifier
from api.images import encode, one_face
from deepfake_detection.api.limits import RateLimits
from deepfake_detection.config import Settings
from deepfake_detection.errors import QuotaExceeded
from deepfake_detection.keys.key import ApiKey
from deepfake_detection.keys.sqlite_store import SqliteKeyStore
from support.waiting import wait_until


def test_the_global_limit_applies_without_keys(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(rate_limit="3/minute", data_dir=tmp_path)
    with TestClient(app) as client:
        answers = [client.get("/v1/detectors") for _ in range(5)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
        assert [a.headers.get("RateLimit-Remaining") for a in answers[:3]] == ["2", "1", "0"]
        assert answers[3].json()["error"]["code"] == "rate_limited"
        assert int(answers[3].headers["Retry-After"]) >= 1
        assert client.get("/healthz").status_code == 200


def test_a_keys_daily_frames_run_out(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(auth="keys", key_daily_frames=2, data_dir=tmp_path)
    _, secret = SqliteKeyStore(tmp_path / "keys.sqlite3").create("alice")
    image = encode(one_face())
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {secret}"}

        def post() -> int:
            files = {"file": ("a.jpg", image)}
            return client.post("/v1/images", files=files, headers=headers).status_code

        assert [post(), post()] == [200, 200]
        refused = client.post("/v1/images", files={"file": ("a.jpg", image)}, headers=headers)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "quota_exceeded"
        assert int(refused.headers["Retry-After"]) > 0


def test_quota_counts_frames_and_keys_apart() -> None:
    limits = RateLimits(Settings(key_daily_frames=10))
    alice = ApiKey(id="a", name="alice", created_at=0.0)
    bob = ApiKey(id="b", name="bob", created_at=0.0, daily_frames=100)
    limits.charge_frames(alice, 9)
    limits.check_frames(alice)
    limits.charge_frames(alice, 32)  # the video that crosses the quota is answered, then: none
    with pytest.raises(QuotaExceeded) as refused:
        limits.check_frames(alice)
    assert refused.value.retry_after_s > 0
    limits.charge_frames(bob, 41)
    limits.check_frames(bob)


def test_reservations_are_atomic_and_unused_frames_come_back() -> None:
    limits = RateLimits(Settings(key_daily_frames=3))
    alice = ApiKey(id="a", name="alice", created_at=0.0)
    taken: list[int] = []
    refused: list[QuotaExceeded] = []

    def reserve() -> None:
        try:
            taken.append(limits.reserve_frames(alice, 1))
        except QuotaExceeded as exc:
            refused.append(exc)

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (taken, len(refused)) == ([1, 1, 1], 5)
    limits.release_frames(alice, 1)  # one analysis failed: its frame comes back
    assert limits.reserve_frames(alice, 32) == 32  # the video that crosses is answered
    with pytest.raises(QuotaExceeded, match="3 frames for today"):
        limits.reserve_frames(alice, 1)


def test_concurrent_requests_cannot_overrun_the_daily_frames(
    make_app: AppFactory, tmp_path: Path
) -> None:
    # Issue 22 S4: 8 requests at once with 3 frames a day: all passed a check made before any of
    # them was charged, and 8 were answered.
    classifier = GatedClassifier()
    app = make_app(classifier, auth="keys", key_daily_frames=3, data_dir=tmp_path)
    _, secret = SqliteKeyStore(tmp_path / "keys.sqlite3").create("alice")
    image = encode(one_face())
    headers = {"Authorization": f"Bearer {secret}"}
    with TestClient(app) as client:
        statuses: list[int] = []

        def post() -> None:
            files = {"file": ("a.jpg", image)}
            statuses.append(client.post("/v1/images", files=files, headers=headers).status_code)

        threads = [threading.Thread(target=post) for _ in range(8)]
        for thread in threads:
            thread.start()
        assert classifier.entered.wait(10)
        # The 3 frames charged, the 5 requests over them are answered while the 3 wait.
        wait_until(lambda: len(statuses) >= 5, "the 5 requests over the quota refused")
        classifier.release.set()
        for thread in threads:
            thread.join(30)
        assert sorted(statuses) == [200, 200, 200, 429, 429, 429, 429, 429]


def test_a_failed_analysis_gives_its_frames_back(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(auth="keys", key_daily_frames=1, data_dir=tmp_path)
    _, secret = SqliteKeyStore(tmp_path / "keys.sqlite3").create("alice")
    headers = {"Authorization": f"Bearer {secret}"}
    with TestClient(app) as client:
        files = {"file": ("a.jpg", encode(one_face()))}
        # A JPEG cut short: it passes the sniffing, then fails to decode during the analysis.
        cut = {"file": ("a.jpg", encode(one_face())[:300])}
        broken = client.post("/v1/images", files=cut, headers=headers)
        assert broken.json()["error"]["code"] == "corrupt_media"
        assert client.post("/v1/images", files=files, headers=headers).status_code == 200
        assert client.post("/v1/images", files=files, headers=headers).status_code == 429


def test_each_face_explained_is_charged(make_app: AppFactory, tmp_path: Path) -> None:
    # Issue 22 L1: explain=true cost ~50 classifier runs per face for one frame of quota.
    app = make_app(auth="keys", key_daily_frames=3, data_dir=tmp_path)
    _, secret = SqliteKeyStore(tmp_path / "keys.sqlite3").create("alice")
    headers = {"Authorization": f"Bearer {secret}"}
    files = {"file": ("a.jpg", encode(one_face()))}
    with TestClient(app) as client:
        explained = client.post(
            "/v1/images", files=files, data={"explain": "true"}, headers=headers
        )
        assert explained.status_code == 200, explained.text
        assert [f.get("explanation") is not None for f in explained.json()["faces"]] == [True]
        # 1 frame + 1 face explained: 2 of 3; one more image, then the day is used up.
        assert client.post("/v1/images", files=files, headers=headers).status_code == 200
        assert client.post("/v1/images", files=files, headers=headers).status_code == 429
