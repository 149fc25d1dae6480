"""``dfd worker``: a Celery worker that runs queued jobs (the ``celery`` job backend).

It reads the same ``DFD_*`` settings as ``dfd serve``: ``DFD_REDIS_URL`` (broker and result store),
``DFD_DATA_DIR`` (the uploads, on a volume shared with the API) and the model and video settings.
Each worker process loads the models once, at its first job.

``--threads N`` caps the CPU threads of one job: the models' (``DFD_ONNX_THREADS``), the video
decoder's (``DFD_VIDEO_DECODE_THREADS``) and OpenCV's. A job does not keep several cores busy: on
2 cores, two 1-thread worker processes carried 10-37% more jobs than one 2-thread process (the
README's scale-out numbers).
"""

from __future__ import annotations

import argparse

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.config import Settings, get_settings
from deepfake_detection.monitoring.exporter import prepare_multiprocess, serve_metrics


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
    parser.add_argument(
        "--threads",
        type=int,
        help="CPU threads per job: the models', the video decoder's and OpenCV's "
        "(default: DFD_ONNX_THREADS, DFD_VIDEO_DECODE_THREADS, OpenCV's own)",
    )
    parser.add_argument("--hostname", help="worker name (default: Celery's, from the host name)")
    parser.add_argument(
        "--metrics-port",
        type=int,
        help="serve the Prometheus metrics of this worker's jobs on this port (/metrics)",
    )
    parser.add_argument(
        "--metrics-host", default="0.0.0.0", help="address of the metrics port (default: all)"
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="log level (default: info)",
    )


def worker_settings(args: argparse.Namespace) -> Settings:
    """The settings, with ``--threads`` over the thread counts they name."""
    if args.threads is None:
        return get_settings()
    return get_settings(onnx_threads=args.threads, video_decode_threads=args.threads)


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    settings = worker_settings(args)
    if args.metrics_port is not None:
        # Before the job modules import prometheus-client: the pool's processes share the folder.
        prepare_multiprocess()
    from deepfake_detection.jobs.celery_backend import create_celery_app

    if args.threads is not None:
        import cv2

        # Process-wide, so inherited by the pool's processes: resizing, cropping, the ssd detector.
        cv2.setNumThreads(args.threads)
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
        f"dfd worker: jobs from {settings.redis_url}, uploads in {settings.data_dir}; "
        f"threads per job: models {settings.onnx_threads}, "
        f"video decoder {settings.video_decode_threads or 'one per CPU'}",
        file=env.stderr,
    )
    if args.metrics_port is not None:
        serve_metrics(args.metrics_host, args.metrics_port)
    app.worker_main(argv)
    return ExitStatus.OK
