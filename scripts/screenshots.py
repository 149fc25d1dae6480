"""The README's screenshots of the page: an image with its face boxes and a heatmap, and a video
with a person's timeline. Starts `dfd serve` (shipped model) on 127.0.0.1, drives Debian's
Chromium with Playwright, writes docs/page-image.png and docs/page-video.png.

Run: .venv/bin/python scripts/screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright
from skimage import data
from synthetic_video import face_scene, write_video

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 900, "height": 760}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DFD_")}
    env["DFD_DATA_DIR"] = str(folder / "data")
    command = [sys.executable, "-m", "deepfake_detection.cli.main", "serve", "--no-access-log"]
    process = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", str(port)], env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the service did not become ready")


def inputs(folder: Path) -> tuple[Path, Path]:
    face = np.asarray(data.astronaut())
    image = folder / "two-faces.jpg"
    Image.fromarray(np.concatenate([face, face[:, ::-1]], axis=1)).save(image, quality=92)
    tile = np.ascontiguousarray(face[20:220, 150:330])
    video = folder / "clip.mp4"
    write_video(video, face_scene([tile], width=640, height=360, count=75))
    return image, video


def shoot_image(page: Page, image: Path, target: Path) -> None:
    page.get_by_test_id("upload").set_input_files(image)
    expect(page.get_by_test_id("face-box")).to_have_count(2, timeout=120_000)
    page.locator("#faces-table button").first.click()
    expect(page.locator("img.heatmap").first).to_be_visible(timeout=120_000)
    save(page, target)


def save(page: Page, target: Path) -> None:
    """The page from the result's top, as a 256-colour PNG (a few times smaller)."""
    page.evaluate("document.getElementById('result').scrollIntoView()")
    page.screenshot(path=str(target))
    Image.open(target).convert("RGB").quantize(colors=256).save(target, optimize=True)


def shoot_video(page: Page, video: Path, target: Path) -> None:
    page.get_by_text("Options").click()
    page.get_by_test_id("ask-annotate").check()  # the page asks for these only when ticked
    page.get_by_test_id("ask-explain").check()
    page.get_by_test_id("upload").set_input_files(video)
    expect(page.get_by_test_id("timeline")).to_have_count(1, timeout=120_000)
    page.wait_for_timeout(1500)  # the thumbnails are drawn from the browser's own decoding
    save(page, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        image, video = inputs(Path(folder))
        process, url = start_server(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                for shoot, source, name in (
                    (shoot_image, image, "page-image.png"),
                    (shoot_video, video, "page-video.png"),
                ):
                    page = browser.new_page(viewport=VIEWPORT)
                    page.goto(url)
                    shoot(page, source, args.out / name)
                    page.close()
                    print(f"wrote {args.out / name}")
                browser.close()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
