"""The API tests' app fixtures (the page and the docs are routes of the same app)."""

from api.conftest import client, detectors, face_jpeg, make_app

__all__ = ["client", "detectors", "face_jpeg", "make_app"]
