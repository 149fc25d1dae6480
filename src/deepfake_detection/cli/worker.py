"""``dfd worker``: a Celery worker that runs queued jobs (the ``celery`` job backend).

It reads the same ``DFD_*`` settings as ``dfd serve``: ``DFD_REDIS_URL`` (broker and result store),
``DFD_DATA_DIR`` (the uploads, on a volume shared with the API) and the model and video settings.
Each worker process loads the models once, at its first job.
"""

from __future__ import annotations

import argparse

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.config import get_settings

HELP = "Run a Celery worker for queued jobs (job backend `celery`; settings from DFD_*)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--concurrency", type=int, default=1, help="jobs at once, one process each (default: 1)"
    )
    parser.add_argument(
        "--pool",
        default="prefork",
        choices=("prefork", "solo", "threads"),
        help="prefork: child processes (default); solo: run jobs in this process",
    )
    parser.add_argument("--hostname", help="worker name (default: Celery's, from the host name)")
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="log level (default: info)",
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    settings = get_settings()
    from deepfake_detection.jobs.celery_backend import create_celery_app

    app = create_celery_app(settings)
    argv = [
        "worker",
        f"--concurrency={args.concurrency}",
        f"--pool={args.pool}",
        f"--loglevel={args.log_level.upper()}",
        "--without-gossip",
        "--without-mingle",
    ]
    if args.hostname:
        argv.append(f"--hostname={args.hostname}")
    print(
        f"dfd worker: jobs from {settings.redis_url}, uploads in {settings.data_dir}",
        file=env.stderr,
    )
    app.worker_main(argv)
    return ExitStatus.OK
