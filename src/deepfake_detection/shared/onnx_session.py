"""onnxruntime session options shared by every model the service runs (classifier, CenterFace, YuNet)."""

from __future__ import annotations

import onnxruntime as ort


def session_options(threads: int) -> ort.SessionOptions:
    """Options for a CPU session with ``threads`` intra-op threads.

    Concurrent requests each run a session: threads that sleep rather than spin between runs leave
    the cores to the other requests. Severity 3 (errors only): the warnings onnxruntime logs for
    our files (weights listed as inputs) are noise.

    No memory arena: onnxruntime's CPU arena keeps every block it grew to for the largest inputs
    seen (the detector's follow the uploads' sizes), for good. Without it tensors come from malloc,
    whose free memory the service hands back when idle (``media.memory.IdleRelease``). Measured by
    ``scripts/bench/measure_memory.py`` (idle RSS after 10,000 fuzz cases): 487 MB with the arena and
    without the idle release, 454 MB with the arena for the classifier only, 433 MB without it.
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.enable_cpu_mem_arena = False
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options
