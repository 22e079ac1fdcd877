# The README's quick start is these two targets: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint bench setup prod

# Set up (venv, packages, database, demo data) and serve the desk on SQLite.
run:
	@scripts/bootstrap.sh run
	@$(PY) manage.py compilemessages --ignore=.venv -v0
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py erp_setup
	@$(PY) manage.py demo_month
	@$(PY) manage.py statement_fonts
	@$(PY) manage.py demo_logins
	@$(PY) manage.py runserver 127.0.0.1:8000

# Lint, type-check, check migrations, then the whole suite on SQLite and on a throwaway MariaDB database.
test:
	@scripts/bootstrap.sh test
	@$(PY) manage.py compilemessages --ignore=.venv -v0
	@echo "==> ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
	@echo "==> mypy"; .venv/bin/mypy sales_erp tests bench scripts/run_benchmarks.py
	@echo "==> makemigrations --check"; DB_ENGINE=sqlite $(PY) manage.py makemigrations --check --dry-run
	@echo "==> PDF fonts"; DB_ENGINE=sqlite $(PY) manage.py statement_fonts
	@echo "==> pytest on SQLite"; DB_ENGINE=sqlite $(PY) -m pytest
	@echo "==> pytest on MariaDB"; DB_ENGINE=mariadb DB_NAME=erp_$$$$ $(PY) -m pytest
	@echo "==> all checks passed on SQLite and MariaDB"

# The production stack on this machine's MariaDB and Redis: gunicorn, Celery worker and beat (README, Production).
prod:
	@scripts/prod.sh

# Every benchmark (bench/*.py) on SQLite and on MariaDB, each on a throwaway database, then a summary table.
bench:
	@scripts/bootstrap.sh prod
	@$(PY) scripts/run_benchmarks.py
