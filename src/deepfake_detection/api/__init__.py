"""The HTTP service (FastAPI): routes, uploads, errors as responses, the app factory."""
