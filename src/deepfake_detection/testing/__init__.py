"""Helpers for testing and measuring the service from outside, as ``starlette.testclient`` is for
Starlette: run ``dfd serve`` and wait until it is ready (``server``), write short videos
(``video``), sign files with C2PA (``provenance``), fuzz a running service (``fuzzing``). The
tests, the benchmarks and the fuzzer share them.

Nothing of the service imports this package, and this package imports nothing at import time:
import the module you need. None of it imports torch. ``provenance`` needs the ``dev`` extra
(``cryptography``) and ``images`` scikit-image."""
