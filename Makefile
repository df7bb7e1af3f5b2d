# Aftersales: `make run` starts everything on SQLite; `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test venv deps dev-deps assets migrate demo lint messages bench-clean

$(PY):
	@python=""; \
	for candidate in python3.13 python3 python3.12; do \
	  if command -v $$candidate >/dev/null 2>&1 && $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then python=$$candidate; break; fi; \
	done; \
	if [ -z "$$python" ]; then echo "Aftersales needs Python 3.12 or newer (3.13 recommended); none was found on PATH." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$($$python --version)"; \
	$$python -m venv $(VENV)

$(STAMP_RUN): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(STAMP_DEV): requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP_RUN) $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

deps: $(STAMP_RUN) node_modules/.package-lock.json
dev-deps: $(STAMP_DEV) node_modules/.package-lock.json

assets: deps
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: deps assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_data --if-empty
	@echo
	@echo "Aftersales is starting at http://127.0.0.1:8000"
	@echo "Demo logins (password: demo-password): admin agent dispatcher engineer expert qc manager keeper archivist customer1 customer2"
	@echo "On a phone: engineer (on the road to a P1), engineer-sz2 (on site), expert-db (sheet to sign), expert-net (remote job)"
	@echo
	$(VENV)/bin/honcho start

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DATABASE_URL= $(PY) manage.py makemigrations --check --dry-run

test: dev-deps lint
	DATABASE_URL= $(VENV)/bin/pytest -n 2
	@if [ -n "$$DATABASE_URL" ] || [ "$$TEST_POSTGRES" = 1 ]; then \
	  echo "Running the suite again on PostgreSQL"; \
	  DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/aftersales} $(VENV)/bin/pytest -n 2; \
	fi

messages: dev-deps
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules
