# Stride: `make run` serves the demo clinic, `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test lint typecheck pytest install demo clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

install: $(VENV)/.installed

## Create .venv, install, migrate, load the demo clinic and serve it as deployed (deploy/bin/stride-web).
run: install
	$(BIN)/python manage.py ensure_database
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PORT=$(PORT) WEB_CONCURRENCY=2 deploy/bin/stride-web

demo: install
	$(BIN)/python manage.py ensure_database
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

# semgrep runs offline: local rules only, no metrics, no version check. It skips tests/ folders
# (its default ignore list); .semgrep/tests/ holds each rule's examples for `semgrep --test`.
SEMGREP_FLAGS := --metrics=off --disable-version-check --quiet

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/semgrep scan --config .semgrep/ --error $(SEMGREP_FLAGS)
	for example in .semgrep/tests/stride.*; do \
		$(BIN)/semgrep --test --config .semgrep/stride.yml $(SEMGREP_FLAGS) "$$example" || exit 1; \
	done

typecheck: install
	$(BIN)/mypy .

pytest: install node_modules/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/pytest $(PYTEST_ARGS)

## ruff, semgrep, mypy and the whole pytest suite (browser tests and API fuzzing included).
test: lint typecheck pytest

## Seed SQLite and PostgreSQL, serve them with granian, load them with wrk next to an nginx
## ceiling, print one table and write it to bench/results.md (about 15 minutes; see README).
bench: install
	@if ! command -v wrk >/dev/null 2>&1 || ! { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1; then \
		echo "installing wrk and nginx from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null; \
	fi
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles var .pytest_cache .mypy_cache .ruff_cache
