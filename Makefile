# Plandag: `make run` serves, `make test` checks. Both set up .venv on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 0.0.0.0
PORT   ?= 5000
export HOST PORT

.PHONY: run test setup setup-dev lint translations extract-messages clean

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
	$(BIN)/pybabel compile -d shared/translations -D messages >/dev/null

setup: $(VENV)/.installed translations
setup-dev: $(VENV)/.installed-dev translations

run: setup
	$(BIN)/plandag db upgrade
	$(BIN)/plandag run --host $(HOST) --port $(PORT)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: setup-dev lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# After changing user-facing strings: refresh the catalog, then translate the new entries.
extract-messages: | $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k Nn_:1,2 -o shared/translations/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i shared/translations/messages.pot -d shared/translations --no-fuzzy-matching
