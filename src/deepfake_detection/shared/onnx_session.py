"""onnxruntime session options shared by every model the service runs (classifier, CenterFace)."""

from __future__ import annotations

import onnxruntime as ort


def session_options(threads: int) -> ort.SessionOptions:
    """Options for a CPU session with ``threads`` intra-op threads.

    Concurrent requests each run a session: threads that sleep rather than spin between runs leave
    the cores to the other requests. Severity 3 (errors only): the warnings onnxruntime logs for
    our files (weights listed as inputs) are noise.
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options
