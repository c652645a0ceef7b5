# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := rgpd_app

.PHONY: run test install install-dev lint migrate worker e2e-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pybabel -q compile -d rgpd_app/translations

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pybabel -q compile -d rgpd_app/translations

# After the schema, seal any value still stored in clear in an encrypted column (idempotent).
migrate: install
	$(BIN)/flask db upgrade
	$(BIN)/flask rgpd keys reencrypt

# Installs, migrates the SQLite database under instance/, loads the demo data the first time
# (passwords are printed once), then runs the worker and the web server on 127.0.0.1:5000.
run: migrate
	$(BIN)/flask rgpd demo
	@echo "Web: http://127.0.0.1:5000  (Ctrl-C stops the web server and the worker)"
	@$(BIN)/flask rgpd worker & WORKER=$$!; \
	trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	$(BIN)/gunicorn --bind 127.0.0.1:5000 --workers 2 --access-logfile - 'rgpd_app:create_app()'

# Installs the dev dependencies and runs the whole suite (SQLite, and PostgreSQL when it answers).
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
