from deepfake_detection.shared.onnx_session import session_options


def test_sessions_use_the_threads_asked_and_do_not_spin() -> None:
    options = session_options(3)
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (3, 1)
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
