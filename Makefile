# Two commands for a newcomer: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

# The first Python >= 3.12 we can find: an explicit $(PYTHON), the pyenv version
# named in .python-version, any pyenv 3.12+, then whatever python3.x is on PATH.
define find_python
for c in "$$PYTHON" \
    "$$(pyenv root 2>/dev/null)/versions/$$(cat .python-version 2>/dev/null)/bin/python3" \
    $$(ls -d "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/3.1[2-9]*/bin/python3 2>/dev/null) \
    python3.14 python3.13 python3.12 python3; do \
  [ -n "$$c" ] || continue; \
  p=$$(command -v "$$c" 2>/dev/null) || continue; \
  "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$$p"; exit 0; }; \
done; exit 1
endef

.PHONY: help run dev test chromium-check lint format venv migrate catalog fixture loadtest soak screenshots bench bench-import bench-transcripts clean
help:
	@echo "make run    - set up, migrate, load the re:Invent 2022 catalog, serve on http://127.0.0.1:$(PORT) with the background worker"
	@echo "make dev    - the same with DEBUG on and autoreload, for working on the app"
	@echo "make test   - ruff, migration check and the whole pytest suite (Chromium at \$$CHROMIUM, default /usr/bin/chromium)"
	@echo "make format - ruff format and autofix"

$(VENV)/.installed: pyproject.toml constraints.txt
	@python=$$($(find_python)) || { echo "error: no Python >= 3.12 found. Install one (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12 ...'." >&2; exit 1; }; \
	echo "Using $$python ($$($$python --version))"; \
	[ -x $(PY) ] || "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

venv: $(VENV)/.installed

migrate: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

catalog: migrate
	$(MANAGE) load_catalog

# `make run` as people run it at home: DEBUG off (the app's own error pages), a secret key
# made once into data/, static files through whitenoise, plain HTTP. HOST=0.0.0.0 serves
# the home network: the allowed hosts are this machine's name and addresses.
HOST ?= 127.0.0.1
SECRET_FILE ?= data/secret_key
RUN_HOSTS = 127.0.0.1,localhost,[::1],$(HOST)$(if $(filter 0.0.0.0 ::,$(HOST)),$(comma)$$(hostname)$(comma)$$(hostname).local$(comma)$$(hostname -I 2>/dev/null | tr -s ' ' '\n' | sed '/:/s/.*/[&]/' | paste -sd,))
comma := ,
RUN_SITE = http://$(if $(filter 0.0.0.0 ::,$(HOST)),$$(hostname).local,$(HOST)):$(PORT)
RUN_ENV = DEBUG=false HTTPS=false SECRET_KEY="$$(cat $(SECRET_FILE))" ALLOWED_HOSTS="$(RUN_HOSTS)" \
	SITE_URL="$(RUN_SITE)"

$(SECRET_FILE):
	@mkdir -p $(dir $@)
	@umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@echo "Made a secret key in $@ (keep it: it signs everyone's sessions)"

run: catalog $(SECRET_FILE)
	@$(RUN_ENV) $(MANAGE) collectstatic --noinput --verbosity 0
	@echo "Serving on $(RUN_SITE)"
	$(RUN_ENV) GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/honcho start --no-colour -f Procfile

# For working on the app: DEBUG on, the code reloaded as it changes.
dev: catalog
	$(MANAGE) runserver $(HOST):$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The browser tests drive Chromium at $(CHROMIUM); say so in one line when it is missing.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
chromium-check:
	@$(if $(findstring not browser,$(PYTEST_ARGS)),exit 0;) \
	[ -x "$(CHROMIUM)" ] || command -v "$(CHROMIUM)" >/dev/null 2>&1 || { \
	  echo "make test: no Chromium at $(CHROMIUM) for the browser tests. Install it (apt-get install -y chromium), set CHROMIUM=/path/to/chromium, or skip them with PYTEST_ARGS='-m \"not browser\"'." >&2; exit 1; }

test: chromium-check lint
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# 20 people at once against gunicorn with 4 workers, 60 seconds (README: Data safety).
LOAD_SECONDS ?= 60
loadtest: migrate
	PLANNER_TOOLS=true $(MANAGE) loadtest --users 20 --workers 4 --seconds $(LOAD_SECONDS) --out data/loadtest.json

# The README's pictures (docs/screenshots/), from the app as it is, on a scratch database.
screenshots: venv
	rm -f data/screenshots.sqlite3*
	env -u DATABASE_URL SQLITE_PATH=data/screenshots.sqlite3 $(MANAGE) migrate --noinput -v0
	env -u DATABASE_URL SQLITE_PATH=data/screenshots.sqlite3 $(MANAGE) createcachetable
	env -u DATABASE_URL PLANNER_TOOLS=true SQLITE_PATH=data/screenshots.sqlite3 $(MANAGE) screenshots

# Two servers on one PostgreSQL, 100 people, faults on purpose (README: Data safety).
SOAK_SECONDS ?= 600
SOAK_DB ?= planner_soak
SOAK_URL := postgres://postgres@127.0.0.1:5432/$(SOAK_DB)
soak: venv
	psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $(SOAK_DB)" -c "CREATE DATABASE $(SOAK_DB)"
	DATABASE_URL=$(SOAK_URL) $(MANAGE) migrate --noinput -v0
	DATABASE_URL=$(SOAK_URL) $(MANAGE) createcachetable
	DATABASE_URL=$(SOAK_URL) $(MANAGE) load_catalog
	PLANNER_TOOLS=true DATABASE_URL=$(SOAK_URL) $(MANAGE) soak --users $${SOAK_USERS:-100} --seconds $(SOAK_SECONDS) --out data/soak.json

# Full-size benchmark on SQLite and PostgreSQL (scratch databases), see README.
bench: venv
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	rm -f data/bench.sqlite3*
	env -u DATABASE_URL PLANNER_TOOLS=true SQLITE_PATH=data/bench.sqlite3 $(MANAGE) bench
	psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS planner_bench" -c "CREATE DATABASE planner_bench"
	PLANNER_TOOLS=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/planner_bench $(MANAGE) bench
	$(MAKE) bench-import
	$(MAKE) bench-transcripts

# 10,000 talks with a one-hour transcript each: import, search and talk page, both databases.
bench-transcripts: venv
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	rm -f data/bench-transcripts.sqlite3*
	env -u DATABASE_URL PLANNER_TOOLS=true SQLITE_PATH=data/bench-transcripts.sqlite3 $(MANAGE) bench_transcripts
	psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS planner_bench_transcripts" -c "CREATE DATABASE planner_bench_transcripts"
	PLANNER_TOOLS=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/planner_bench_transcripts $(MANAGE) bench_transcripts

# Every import format at 1,000 and 10,000 talks, parse and write timed apart, both databases.
bench-import: venv
	rm -f data/bench-import.sqlite3*
	env -u DATABASE_URL PLANNER_TOOLS=true SQLITE_PATH=data/bench-import.sqlite3 $(MANAGE) migrate -v0
	env -u DATABASE_URL PLANNER_TOOLS=true SQLITE_PATH=data/bench-import.sqlite3 $(MANAGE) bench_import
	psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS planner_bench_import" -c "CREATE DATABASE planner_bench_import"
	PLANNER_TOOLS=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/planner_bench_import $(MANAGE) migrate -v0
	PLANNER_TOOLS=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/planner_bench_import $(MANAGE) bench_import

clean:
	rm -rf $(VENV) staticfiles

# Rebuild fixtures/reinvent-2022.json from the writeup, in a throwaway database.
fixture: venv
	rm -f data/fixture-build.sqlite3*
	SQLITE_PATH=data/fixture-build.sqlite3 $(MANAGE) migrate --noinput --verbosity 0
	SQLITE_PATH=data/fixture-build.sqlite3 $(MANAGE) import_writeup fixtures/reinvent-2022.md
	SQLITE_PATH=data/fixture-build.sqlite3 $(MANAGE) dump_catalog aws-reinvent-2022 > fixtures/reinvent-2022.json
	rm -f data/fixture-build.sqlite3*
