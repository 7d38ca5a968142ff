# CivicWorks — the commands a new user needs. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py

.PHONY: run test reliability cluster cluster-stop cluster-destroy screenshots bench bench-quick bench-province stack install install-dev lint format messages messages-check migrations-check ci clean

$(VENV)/.run-installed: requirements/run.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements/run.txt
	touch $@

$(VENV)/.dev-installed: requirements/run.txt requirements/dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements/dev.txt
	touch $(VENV)/.run-installed $@

# Test-only browser tools (axe-core); the product itself needs no Node.js.
node_modules/.installed: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the browser accessibility checks will be skipped"; fi

install: $(VENV)/.run-installed
install-dev: $(VENV)/.dev-installed node_modules/.installed

## make run: the embedded default (SQLite, eager tasks) on http://127.0.0.1:8000
run: install
	$(MANAGE) migrate --no-input
	test -f .demo-seeded || ($(MANAGE) seed_demo --quiet-logins && touch .demo-seeded)
	$(MANAGE) shell -c "from civicworks.accounts.demo import print_logins; import sys; print_logins(sys.stdout)"
	$(MANAGE) runserver 127.0.0.1:8000

## make test: the whole suite; PostgreSQL when DATABASE_URL is set, Redis/Celery tests when REDIS_URL is set
## (the fault tests, which stop and restart services, run in `make reliability`)
test: install-dev
	$(VENV)/bin/pytest -m "not faults" $(PYTEST_ARGS)

## make stack: gunicorn + Celery worker + beat against DATABASE_URL / REDIS_URL (production shape)
stack: install
	@test -n "$$DATABASE_URL" || (echo "Set DATABASE_URL (PostgreSQL) first." && exit 1)
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL first." && exit 1)
	$(MANAGE) migrate --no-input
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(VENV)/bin/celery -A civicworks worker --loglevel=INFO --concurrency=2 & \
	$(VENV)/bin/celery -A civicworks beat --loglevel=INFO --schedule=/tmp/civicworks-beat & \
	$(VENV)/bin/gunicorn civicworks.wsgi --bind 127.0.0.1:8000 --workers 3 --access-logfile - ; \
	kill 0

## make cluster: the several-node shape on this machine (HAProxy, two gunicorn nodes, PgBouncer,
## a PostgreSQL primary and streaming replica, Redis, two Celery workers, one beat) on loopback
## ports from CLUSTER_PORT (18400); prints the URL. See docs/deployment.md.
cluster: install
	deploy/cluster/run.sh start

## make cluster-stop: stop every part of it (its data is kept); make cluster-destroy deletes it too
cluster-stop:
	deploy/cluster/run.sh stop

cluster-destroy:
	deploy/cluster/run.sh destroy

## make reliability: fault tests (private PostgreSQL, Redis, gunicorn, Celery on free ports; the cluster of
## `make cluster` with a node, a worker and the replica lost), then docs/reliability.md
## (a missing program stops it with what to install; a skipped test fails it; figures not measured
## in this run are marked with their date)
reliability: install-dev
	since=$$(date -u +%Y-%m-%dT%H:%M:%S+00:00); \
	CIVICWORKS_FAULTS=1 $(VENV)/bin/pytest tests/integration/test_faults.py tests/integration/test_cluster_faults.py tests/security/test_personal_data.py $(PYTEST_ARGS); \
	status=$$?; CIVICWORKS_RELIABILITY_SINCE=$$since $(PY) tests/integration/report.py; exit $$status

## make screenshots: regenerate docs/screenshots/*.png from the demo city (throwaway SQLite, Chromium)
screenshots: install-dev
	$(PY) tests/e2e/screenshots.py

## make bench: a large city (100,000 projects, 1,000,000 reports) built in PostgreSQL and measured
## against raw-SQL lower bounds; writes bench/results.json and bench/RESULTS.md (docs/performance.md)
BENCH_DATABASE ?= civicworks_bench
BENCH_REDIS_DB ?= 4
BENCH_PORT ?= 8750
bench: install-dev
	$(PY) bench/run.py --size full --database $(BENCH_DATABASE) --redis-db $(BENCH_REDIS_DB) --port $(BENCH_PORT) $(BENCH_ARGS)

## make bench-quick: the same at 1/20 of the size (CI smoke check; no timing verdicts)
bench-quick: install-dev
	$(PY) bench/run.py --size quick --database $(BENCH_DATABASE)q --redis-db $(BENCH_REDIS_DB) --port $(BENCH_PORT) $(BENCH_ARGS)

## make bench-province: the province (100,000 projects, 10,000,000 reports, 1,000,000 survey answers):
## about an hour to build, never in CI; writes bench/province/ (docs/performance.md, "The province")
bench-province: install-dev
	$(PY) bench/run.py --size province --database $(BENCH_DATABASE)p --redis-db $(BENCH_REDIS_DB) --port $(BENCH_PORT) $(BENCH_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install-dev
	$(MANAGE) makemigrations --check --dry-run

# Translations: catalogues are compiled and committed, so no gettext is needed to run.
MESSAGE_DIRS := projects feedback evaluation participation opendata civicworks/accounts
messages: install-dev
	$(MANAGE) makemessages -l zh_Hans --no-location --ignore='.venv/*' --ignore='projects/*' --ignore='feedback/*' --ignore='evaluation/*' --ignore='participation/*' --ignore='opendata/*' --ignore='civicworks/accounts/*' --ignore='tests/*' --ignore='bench/*'
	for d in $(MESSAGE_DIRS); do (cd $$d && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages -l zh_Hans --no-location) || exit 1; done
	$(MANAGE) compilemessages --ignore='.venv/*'

## messages-check: catalogues current (no new strings) and compiled (CI)
messages-check: messages
	git diff -I 'POT-Creation-Date' --exit-code -- '*.po' '*.mo'

clean:
	rm -rf $(VENV) staticfiles .demo-seeded
