# The two commands that matter: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Development defaults; production sets its own environment and runs no make target.
export DEBUG ?= 1

.PHONY: install run test test-fast test-pg lint format messages bench lock clean

install: $(VENV)/.installed node_modules/.installed

# Installed from the lock files (exact versions, checked against their hashes); pyproject.toml
# names what the site needs, `make lock` writes the lock files from it.
$(VENV)/.installed: requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null || { \
	  echo "This site needs Python 3.12 or newer (Django 6.1); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.12+ (pyenv reads .python-version here), or run: make PYTHON=python3.13 ..."; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Links in emails and the catalogue name the address the site is served on.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite in TEST_WORKERS processes (pytest-xdist), each test file whole in one of them so
# that a file's shared fixtures are built once; TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# The suite without the browser journeys (no Playwright browser needed).
test-fast: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser"

# The suite on a local PostgreSQL (127.0.0.1:5432, user postgres), started if needed as .ci/run
# does, in a throwaway database that is dropped afterwards whether the suite passes or not.
PG_TEST_DB := $(or $(PG_TEST_DB),innovasjon_test_$(shell echo $$$$))
test-pg: install
	@pg_isready -h 127.0.0.1 -p 5432 -q || { \
	  pg_ctlcluster --skip-systemctl-redirect 15 main start; \
	  for _ in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; }
	dropdb -h 127.0.0.1 -U postgres --if-exists $(PG_TEST_DB)
	createdb -h 127.0.0.1 -U postgres $(PG_TEST_DB)
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(PG_TEST_DB) $(BIN)/python -m pytest $(PYTEST_ARGS); \
	  status=$$?; dropdb -h 127.0.0.1 -U postgres --if-exists $(PG_TEST_DB); exit $$status

# Style, types (mypy with the Django and REST framework stubs), the layering (import-linter,
# contracts in pyproject.toml), migrations that match the models, and the API's OpenAPI
# description against Redocly's recommended rules (redocly.yaml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	@schema=$$(mktemp --suffix=.yaml); \
	  $(BIN)/python manage.py spectacular --file "$$schema" && \
	  REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	    node_modules/.bin/redocly lint --config redocly.yaml --format stylish "$$schema"; \
	  status=$$?; rm -f "$$schema"; exit $$status

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py makemessages --locale nb --locale en --ignore '.venv/*' --ignore 'node_modules/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv/*' --ignore 'node_modules/*'

# The performance harness (not part of `make test`): PostgreSQL on 127.0.0.1:5432 and Redis are
# expected; wrk is installed with apt-get when missing and run as root (otherwise: apt-get
# install wrk, or a slower Python load generator is used); see bench/README.md. BENCH_ARGS
# passes options through, e.g. BENCH_ARGS=--small for a quick run on 1 000 cases.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# requirements.lock is what production installs; requirements-dev.lock adds the test and lint tools.
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.12 --generate-hashes \
	--quiet --custom-compile-command "make lock"
lock: install
	$(LOCK) --output-file requirements.lock
	$(LOCK) --extra dev --output-file requirements-dev.lock

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
