"""The README's screenshots of the page: an image with its face boxes and a heatmap, and a video
with a person's timeline. Starts `dfd serve` (shipped model) on 127.0.0.1, drives Debian's
Chromium with Playwright, writes docs/page-image.png and docs/page-video.png.

Run: .venv/bin/python scripts/docs/screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright
from skimage import data

from deepfake_detection.testing.server import serve
from deepfake_detection.testing.video import face_scene, write_video

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 900, "height": 760}


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
        env = {k: v for k, v in os.environ.items() if not k.startswith("DFD_")}
        env["DFD_DATA_DIR"] = str(Path(folder) / "data")
        log = Path(folder) / "server.log"
        with (
            serve(env, log, "--no-access-log", ready_timeout_s=120) as server,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            for shoot, source, name in (
                (shoot_image, image, "page-image.png"),
                (shoot_video, video, "page-video.png"),
            ):
                page = browser.new_page(viewport=VIEWPORT)
                page.goto(server.url)
                shoot(page, source, args.out / name)
                page.close()
                print(f"wrote {args.out / name}")
            browser.close()


if __name__ == "__main__":
    main()
