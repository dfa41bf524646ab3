# perfgoals: `make run` sets up and starts the app on SQLite with the seed data;
# `make test` runs the whole test suite (DATABASE_URL selects PostgreSQL).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
SEED_TEXT := fixtures/seed/2025-鄂州市数据局.txt

.PHONY: run test fuzz venv system-deps fixtures lint migrate load bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

system-deps:
	./scripts/install-system-deps

migrate: venv
	mkdir -p data
	PERFGOALS_DEV=1 $(PY) manage.py migrate --noinput -v0

run: migrate
	PERFGOALS_DEV=1 $(PY) manage.py setup_demo
	@echo "打开 http://$(HOST)/ 并用上面的演示账号登录。"
	PERFGOALS_DEV=1 DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST)

test: venv system-deps
	PERFGOALS_DEV=1 $(PY) -m pytest $(PYTEST_ARGS)

# The property-based tests (tests/test_fuzz.py, Hypothesis) with many more examples than
# `make test` runs (profile "fuzz" in tests/conftest.py): about 15 minutes on two shared cores.
fuzz: venv
	HYPOTHESIS_PROFILE=fuzz PERFGOALS_DEV=1 $(PY) -m pytest tests/test_fuzz.py $(PYTEST_ARGS)

# Regenerate fixtures/seed-2025.json from the copied text through the importer.
fixtures: venv
	rm -rf /tmp/perfgoals-fixtures && mkdir -p /tmp/perfgoals-fixtures
	PERFGOALS_DEV=1 PERFGOALS_DATA_DIR=/tmp/perfgoals-fixtures DATABASE_URL= $(PY) manage.py migrate -v0
	PERFGOALS_DEV=1 PERFGOALS_DATA_DIR=/tmp/perfgoals-fixtures DATABASE_URL= $(PY) manage.py import_approvals "$(SEED_TEXT)" --department 鄂州市数据局
	PERFGOALS_DEV=1 PERFGOALS_DATA_DIR=/tmp/perfgoals-fixtures DATABASE_URL= $(PY) manage.py export_approvals -o fixtures/seed-2025.json

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Bounded load test against gunicorn + the local PostgreSQL (127.0.0.1 only): 20 users, 60 s per phase.
load: venv
	$(PY) bench/load.py --users 20 --seconds 60

# Benchmark (bench/run.py): fresh databases perfgoals_bench_* on the local PostgreSQL
# (N=2,000 and 20,000) and a SQLite file (N=2,000); prints one table per case.
# BENCH_ARGS="--quick --db sqlite --projects 30" for a smoke run.
bench: venv
	PERFGOALS_DEV=1 $(PY) bench/run.py $(BENCH_ARGS)
