"""The metrics of a process without an HTTP API (``dfd worker --metrics-port``): every process of
the worker (Celery's pool children included) writes to one multiprocess folder, and a small HTTP
server in the main process answers ``/metrics`` with their sum. Imports prometheus-client only
once the folder is set."""

from __future__ import annotations

import os
import sys
import tempfile

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess() -> str:
    """Set ``PROMETHEUS_MULTIPROC_DIR`` (a fresh folder unless the operator chose one) before
    prometheus-client is imported: it picks its value storage once, at import."""
    if "prometheus_client" in sys.modules and not os.environ.get(MULTIPROCESS_VARIABLE):
        raise RuntimeError("prometheus_client was imported before the multiprocess folder was set")
    folder = os.environ.get(MULTIPROCESS_VARIABLE) or tempfile.mkdtemp(prefix="dfd-metrics-")
    os.environ[MULTIPROCESS_VARIABLE] = folder
    return folder


def serve_metrics(host: str, port: int) -> None:
    """Answer ``http://host:port/metrics`` from a daemon thread, for the life of the process."""
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    start_http_server(port, addr=host, registry=registry)
