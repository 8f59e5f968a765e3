# Plandag: `make run` serves, `make test` checks. Both set up .venv on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 0.0.0.0
PORT   ?= 5000
export HOST PORT

.PHONY: run test setup setup-dev lint typecheck translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,postgres,redis]'
	touch $(VENV)/.installed $@

translations: | $(BIN)/python
	$(BIN)/pybabel compile --use-fuzzy -d shared/translations -D messages 2>/dev/null || $(BIN)/pybabel compile -d shared/translations -D messages

setup: $(VENV)/.installed translations
setup-dev: $(VENV)/.installed-dev translations

run: setup
	$(BIN)/plandag db upgrade
	$(BIN)/plandag run --host $(HOST) --port $(PORT)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

test: setup-dev lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
