# Werkplaats: two commands for a newcomer.
#   make run   installs, migrates, loads the demo data and starts web + Celery worker + beat
#   make test  installs the dev dependencies and runs every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

# The embedded default runs with DEBUG on unless the environment says otherwise.
export DEBUG ?= true

.PHONY: run test install lint messages clean bench faults backup restore

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "Werkplaats needs Python 3.11; $(PYTHON) is $$($(PYTHON) --version). Set PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "Python's venv module is missing; on Debian/Ubuntu: apt-get install python3.11-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Links in mails and the printed demo logins point at the address the server listens on.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Starting web on http://$(HOST):$(PORT) with a Celery worker and beat; Ctrl-C stops all."
	$(PY) manage.py run_embedded $(HOST):$(PORT)

# One pytest-xdist worker per core (PYTEST_WORKERS=0 runs in this process, for a debugger);
# loadgroup keeps the tests that share the live Redis broker in one worker.
PYTEST_WORKERS ?= auto
# Bytecode is written even where the environment sets PYTHONDONTWRITEBYTECODE: without it
# pytest rewrites the asserts of every test module anew in each worker (about 2.7 s each).
test: install
	PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The speed budget on PostgreSQL (a scratch database, created if missing; its data is filled once
# and reused): 100 PWs x 6 years x 2 cycles x 60 respondents, 100,000 activities, 200 goals and
# 500 members; every key page's median, p95, queries and ratio to a trivial logged-in page,
# PASS/FAIL against 3x (4x after a write), in-process and then under gunicorn (two workers,
# production settings, 10 s of load a page). Exits non-zero when a page fails.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/werkplaats_bench
bench: install
	$(PY) -c 'import psycopg, sys, urllib.parse as p; u = p.urlparse(sys.argv[1]); name = u.path.lstrip("/"); c = psycopg.connect(u._replace(path="/postgres").geturl(), autocommit=True); c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() or c.execute("CREATE DATABASE \"%s\"" % name)' "$(BENCH_DATABASE_URL)"
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) manage.py migrate --noinput
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) manage.py seed_bench --if-missing
	DATABASE_URL="$(BENCH_DATABASE_URL)" DEBUG=false ALLOWED_HOSTS=127.0.0.1 \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(PY) manage.py bench_pages

# The fault suite (issue 20): its own Redis, a local SMTP server that refuses on command,
# gunicorn and Celery with production settings against a PostgreSQL database of its own
# (FAULTS_DATABASE_URL, dropped and created anew); kills and outages, then counts every mail and
# answer. Exits non-zero on a loss, an undocumented duplicate or a 5xx.
faults: install
	$(PY) -m tests.faults

# Back up the database to one file in BACKUP_DIR (var/backups); restore one with
# make restore FILE=var/backups/werkplaats-....sqlite3 (stop make run first).
backup: install
	$(PY) manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=path/to/backup"; exit 1; }
	$(PY) manage.py restore "$(FILE)" --yes

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: install
	$(PY) manage.py makemessages -l nl -l en --ignore=.venv --ignore=var --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

clean:
	rm -rf $(VENV) var .pytest_cache
