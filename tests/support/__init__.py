"""The tests' own helpers (``from support.fake_card import fake_card``): a fake model card, a tiny
real ONNX model, a live ``dfd serve`` with it, a full disk, the peak memory of a piece of code.
Helpers the scripts share live in ``deepfake_detection.testing``."""
