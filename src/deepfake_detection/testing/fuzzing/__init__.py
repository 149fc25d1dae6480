"""A fuzzer for the service: seeded, structure-aware mutations of every supported image and video
format and of the requests that carry them, sent to a real server (``scripts/bench/fuzz.py``, and a
short run in the test suite, ``tests/fuzz``)."""
