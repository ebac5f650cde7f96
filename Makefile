# ACTION LMS: `make run` sets everything up and serves on http://127.0.0.1:5000;
# `make test` checks lint, format and types, then runs the whole suite on SQLite, then on PostgreSQL.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export FLASK_APP := action_lms
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run setup install dev lint format test test-sqlite test-postgres bench bench-scale10 screenshots clean \
	translations translations-extract translations-update

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# axe-core for the accessibility checks of the browser tests (from the npm registry, never a CDN).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# The compiled catalogues (.mo, not committed) from the translated ones (.po).
TRANSLATIONS := action_lms/translations
CATALOGUES   := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
$(TRANSLATIONS)/.compiled: $(CATALOGUES) | $(VENV)/.installed
	$(BIN)/pybabel compile -d $(TRANSLATIONS)
	touch $@

translations: $(TRANSLATIONS)/.compiled

# Every marked string of the code and templates into messages.pot (babel.cfg says where).
translations-extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 --sort-by-file --no-wrap \
	  --project "ACTION LMS" --copyright-holder "ACTION LMS" -o $(TRANSLATIONS)/messages.pot .

# ... and merged into each language's catalogue: new entries to translate, gone ones dropped.
translations-update: translations-extract
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-wrap --no-fuzzy-matching --ignore-obsolete

install: $(VENV)/.installed $(TRANSLATIONS)/.compiled
dev: $(VENV)/.dev-installed node_modules/.installed $(TRANSLATIONS)/.compiled

setup: install
	$(BIN)/flask db upgrade
	@if $(BIN)/flask courses --help >/dev/null 2>&1; then $(BIN)/flask courses import courses/; fi
	$(BIN)/flask demo seed

run: setup
	HOST=$(HOST) PORT=$(PORT) SCHEDULER_IN_PROCESS=1 $(BIN)/flask run --host $(HOST) --port $(PORT) --no-reload

# Lint, import order, formatting and types of the application package: any finding fails.
lint: dev
	$(BIN)/ruff check action_lms
	$(BIN)/ruff format --check action_lms
	$(BIN)/mypy

format: dev
	$(BIN)/ruff check --fix action_lms
	$(BIN)/ruff format action_lms

# Each run uses two processes (pytest-xdist; TEST_WORKERS=0 for one) and prints its ten slowest tests.
TEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --durations=10
	TEST_DATABASE=postgres $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --durations=10

test-sqlite: dev
	$(BIN)/python -m pytest -q

test-postgres: dev
	TEST_DATABASE=postgres $(BIN)/python -m pytest -q

bench: dev
	$(BIN)/python bench/run.py

bench-scale10: dev
	$(BIN)/python bench/run.py --db postgres --scale 10

# Every menu page of each demo user at 1280 and 390 px, in screenshots/ (system Chromium), in LANGUAGE.
LANGUAGE ?= en
screenshots: dev
	$(BIN)/python scripts/screenshots.py screenshots $(LANGUAGE)

clean:
	rm -rf $(VENV) *.egg-info
