"""``dfd serve``: the HTTP service under uvicorn, built by the app factory in each worker."""

from __future__ import annotations

import argparse

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.config import get_settings

HELP = "Serve the HTTP API (OpenAPI at /docs). Other settings come from DFD_* variables."

APP_FACTORY = "deepfake_detection.api.app:create_app"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default: DFD_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: DFD_PORT or 8080)")
    parser.add_argument(
        "--workers", type=int, help="worker processes, one model each (default: DFD_WORKERS or 1)"
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="uvicorn log level (default: info)",
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="do not log one line per request"
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    overrides = {k: v for k in ("host", "port", "workers") if (v := getattr(args, k)) is not None}
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
        log_level=args.log_level,
        access_log=not args.no_access_log,
        # The software and its version are nobody's business (fingerprinting).
        server_header=False,
    )
    return ExitStatus.OK
