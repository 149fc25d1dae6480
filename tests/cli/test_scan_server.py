"""``dfd scan --server URL --api-key KEY`` gives the same lines as a local scan of the same files
with the same model (the real server, keys on)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from api.images import encode, many_faces, no_face, one_face
from api.videos import video_bytes
from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.cli.main import main
from support.http_server import http_server
from support.live_server import free_port, live_server, server_env


def scan(env: dict[str, str], *args: str) -> tuple[int, list[dict[str, object]]]:
    command = [sys.executable, "-m", "deepfake_detection.cli.main", "scan", "--json", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.slow
def test_a_scan_through_the_server_matches_a_local_scan(tmp_path: Path) -> None:
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "face.jpg").write_bytes(encode(one_face()))
    (folder / "group.png").write_bytes(encode(many_faces(1, 2), "PNG"))
    (folder / "coffee.jpg").write_bytes(encode(no_face()))
    (folder / "clip.mp4").write_bytes(video_bytes(tmp_path))
    (folder / "broken.jpg").write_bytes(encode(one_face())[:300])
    missing = str(tmp_path / "missing.jpg")

    env = server_env(tmp_path / "server", DFD_AUTH="keys", DFD_VIDEO_FRAMES="6")
    with live_server(tmp_path, env) as server:
        key = server.create_key("scanner")
        remote_status, remote = scan(
            env, "--server", server.url, "--api-key", key, str(folder), missing
        )
    local_status, local = scan(env, str(folder), missing)

    assert [line["path"] for line in remote] == [line["path"] for line in local]
    assert remote == local
    # The tiny model finds the bright faces fake: a fake wins over the broken and missing files.
    assert remote_status == local_status == 3
    by_name = {Path(str(line["path"])).name: line for line in remote}
    assert by_name["clip.mp4"]["kind"] == "video"
    assert by_name["clip.mp4"]["label"] in ("real", "fake")
    assert len(by_name["group.png"]["faces"]) == 2  # type: ignore[arg-type]
    assert by_name["broken.jpg"]["error"] == "corrupt_media"
    assert by_name["missing.jpg"]["error"] == "not_found"


def test_a_service_that_does_not_answer_is_an_error_line(tmp_path: Path) -> None:
    photo = tmp_path / "face.jpg"
    photo.write_bytes(encode(one_face()))
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO())
    server = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    status = main(["scan", "--json", "--server", server, str(photo)], env)
    assert status == ExitStatus.ERROR
    line = json.loads(env.stdout.getvalue())  # type: ignore[attr-defined]
    assert (line["path"], line["error"]) == (str(photo), "unavailable")
    assert "ConnectError" in line["message"]


class _RefusesEveryKey(BaseHTTPRequestHandler):
    """Answers every POST as the service does with keys on and a missing or unknown key."""

    posts = 0

    def do_POST(self) -> None:
        type(self).posts += 1
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        given = self.headers.get("Authorization")
        message = (
            "the API key is unknown or revoked"
            if given
            else "an API key is required: send 'Authorization: Bearer <key>'"
        )
        body = json.dumps({"error": {"code": "unauthorized", "message": message}}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("WWW-Authenticate", "Bearer")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing_server() -> Iterator[str]:
    with http_server(_RefusesEveryKey) as url:
        yield url


@pytest.mark.parametrize(
    ("key_flags", "key_env", "says"),
    [
        ([], None, "the service needs an API key: pass --api-key KEY or set DFD_API_KEY"),
        (
            ["--api-key", "dfd_wrong"],
            None,
            "the service refused the API key (unknown or revoked): "
            "check --api-key, or DFD_API_KEY when --api-key is not given",
        ),
        (
            [],
            "dfd_wrong",
            "the service refused the API key (unknown or revoked): "
            "check --api-key, or DFD_API_KEY when --api-key is not given",
        ),
    ],
)
def test_a_refused_key_names_the_flag_and_the_variable(
    refusing_server: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key_flags: list[str],
    key_env: str | None,
    says: str,
) -> None:
    monkeypatch.delenv("DFD_API_KEY", raising=False)
    if key_env is not None:
        monkeypatch.setenv("DFD_API_KEY", key_env)
    photo = tmp_path / "face.jpg"
    photo.write_bytes(encode(one_face()))
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO())
    status = main(["scan", "--json", "--server", refusing_server, *key_flags, str(photo)], env)
    assert status == ExitStatus.ERROR
    line = json.loads(env.stdout.getvalue())  # type: ignore[attr-defined]
    assert line["error"] == "unauthorized"  # the code stays the service's
    assert line["message"] == says
    assert "Bearer" not in line["message"]


def test_after_a_refused_key_the_other_files_are_not_sent(
    refusing_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DFD_API_KEY", raising=False)
    photos = []
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        photos.append(tmp_path / name)
        photos[-1].write_bytes(encode(one_face()))
    _RefusesEveryKey.posts = 0
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO())
    status = main(["scan", "--json", "--server", refusing_server, *map(str, photos)], env)
    assert status == ExitStatus.ERROR
    lines = [json.loads(x) for x in env.stdout.getvalue().splitlines()]  # type: ignore[attr-defined]
    assert [line["path"] for line in lines] == [str(p) for p in photos]  # one line per file still
    assert {line["error"] for line in lines} == {"unauthorized"}
    assert lines[0]["message"].startswith("the service needs an API key")
    assert (
        lines[1]["message"]
        == lines[2]["message"]
        == ("not sent: the service refused the API key for an earlier file")
    )
    assert _RefusesEveryKey.posts == 1
