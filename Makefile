# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := rgpd_app

.PHONY: run test install install-dev lint migrate worker e2e-deps screenshots

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

# axe-core (accessibility checks of the browser tests), pinned, under tests/e2e/node_modules
# (not committed); without npm the accessibility journeys are skipped locally.
AXE_CORE_VERSION := 4.14.1
AXE_JS := tests/e2e/node_modules/axe-core/axe.min.js

# npm oidc-provider, pinned, under tests/oidc_provider/node_modules (not committed): the real
# OpenID provider of the sign-in tests (tests/oidc_provider/provider.mjs); without npm they skip.
OIDC_PROVIDER_VERSION := 9.13.3
OIDC_PROVIDER := tests/oidc_provider/node_modules/oidc-provider/package.json

e2e-deps: $(AXE_JS) $(OIDC_PROVIDER)

$(OIDC_PROVIDER):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix tests/oidc_provider --no-save --no-package-lock --no-audit --no-fund \
	    --loglevel=error oidc-provider@$(OIDC_PROVIDER_VERSION); \
	else echo "make: npm not found: oidc-provider not installed, the OpenID Connect tests skip"; fi

$(AXE_JS):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix tests/e2e --no-save --no-package-lock --no-audit --no-fund \
	    --loglevel=error axe-core@$(AXE_CORE_VERSION); \
	else echo "make: npm not found: axe-core not installed, the accessibility journeys skip"; fi

# Installs the dev dependencies and runs the whole suite (SQLite, and PostgreSQL when it answers).
test: install-dev e2e-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c .bandit.yml -r rgpd_app audit encryption deadlines -ll
	$(BIN)/pytest $(PYTEST_ARGS)

# The README's pictures (docs/*.png), taken by the browser tests on the demo.
screenshots: install-dev e2e-deps
	RGPD_DOCS_SCREENSHOTS=1 $(BIN)/pytest -q tests/e2e/test_demo_screens.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
