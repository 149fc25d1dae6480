"""``dfd serve``: the HTTP service under uvicorn, built by the app factory in each worker."""

from __future__ import annotations

import argparse
import os

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.config import get_settings
from deepfake_detection.monitoring.logs import uvicorn_log_config

APP_FACTORY = "deepfake_detection.api.app:create_app"
HEADER_TIMEOUT_PROTOCOL = "deepfake_detection.api.header_timeout:HeaderTimeoutProtocol"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default: DFD_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: DFD_PORT or 8080)")
    parser.add_argument(
        "--workers", type=int, help="worker processes, one model each (default: DFD_WORKERS or 1)"
    )
    parser.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        help="log level of the service and uvicorn (default: DFD_LOG_LEVEL or info)",
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="do not log one JSON line per request"
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    overrides = {k: v for k in ("host", "port", "workers") if (v := getattr(args, k)) is not None}
    # The worker processes read their settings from the environment: pass the options on there.
    if args.log_level:
        os.environ["DFD_LOG_LEVEL"] = args.log_level
    if args.no_access_log:
        os.environ["DFD_ACCESS_LOG"] = "false"
    # Validated here so that a bad setting fails at once with a clear message, not in each worker.
    settings = get_settings(**overrides)
    import uvicorn

    print(
        f"dfd serve: http://{settings.host}:{settings.port} ({settings.workers} worker(s)); "
        f"API docs at /docs",
        file=env.stderr,
    )
    # The factory reads the same settings (environment and settings file) in each worker process.
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        log_config=uvicorn_log_config(settings.log_level),
        # The service writes its own access log: one JSON line per request (api/middleware/access_log.py).
        access_log=False,
        # The software and its version are nobody's business (fingerprinting).
        server_header=False,
        # h11 with a deadline on request headers (a trickling client is closed).
        http=HEADER_TIMEOUT_PROTOCOL,
    )
    return ExitStatus.OK
