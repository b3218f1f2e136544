# Two commands for a newcomer: `make run` and `make test`; `make serve` for production.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Test processes (pytest-xdist): one per logical CPU; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= logical
DEV_ENV := AUDIT_APP_ENV=development

.PHONY: setup run serve test lint assets clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

# The flask commands in the README read .env (python-dotenv): on a machine set up with
# `make run` they run in development mode, with its kept key, like make run itself.
.env:
	printf '%s\n' '# Written by make run: flask commands here run in development mode.' \
		'# Never copy this file to a production server.' 'AUDIT_APP_ENV=development' > $@

# What `make run` does before serving: migrate and load the demo data.
setup: $(VENV)/.installed .env
	mkdir -p instance
	$(DEV_ENV) $(BIN)/flask --app wsgi db upgrade
	$(DEV_ENV) $(BIN)/flask --app wsgi seed-demo --if-empty

run: setup
	$(DEV_ENV) $(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(or $(PORT),5000)

# Production: gunicorn with gunicorn.conf.py, on BIND_ADDRESS:PORT (127.0.0.1:8000 unless
# set), with the environment's AUDIT_APP_ENV (production unless set), SECRET_KEY and
# DATABASE_URL. Apply the migrations first (see the README).
serve: $(VENV)/.installed
	PORT=$(or $(PORT),8000) exec $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Rebuild the committed GOV.UK Frontend CSS/JS (needs node and npm).
assets:
	bash assets/build.sh

clean:
	rm -rf $(VENV) test-artifacts
