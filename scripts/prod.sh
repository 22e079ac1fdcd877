#!/usr/bin/env bash
# `make prod`: the whole production stack on this machine's MariaDB and Redis, in the foreground.
#   scripts/prod.sh               set up (database, migrations, roles, job schedules, static files), then run
#                                 gunicorn, a Celery worker and Celery beat until Ctrl-C stops all three
#   scripts/prod.sh serve         only run the three processes: a restart when the setup of an earlier run stands
#   scripts/prod.sh manage ARGS   manage.py ARGS with the same settings, e.g. `scripts/prod.sh manage createsuperuser`
# Defaults are for a stack on this machine; any of them can be set in the environment:
#   DB_NAME=sales_erp_prod  REDIS_URL=redis://127.0.0.1:6379/0  PORT=8000  ALLOWED_HOSTS=127.0.0.1,localhost
#   HTTPS=0 (plain HTTP on the loopback; behind a TLS proxy set HTTPS=1)  SECRET_KEY (else made once in var/secret_key)
#   WEB_CONCURRENCY (gunicorn workers)  CELERY_CONCURRENCY=2  STATIC_ROOT=var/static
#   DJANGO_SUPERUSER_USERNAME + DJANGO_SUPERUSER_PASSWORD (+ DJANGO_SUPERUSER_EMAIL): creates that admin once.
set -euo pipefail
cd "$(dirname "$0")/.."

export SALES_ERP_MODE=production DB_ENGINE=mariadb
export DB_NAME=${DB_NAME:-sales_erp_prod}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export HTTPS=${HTTPS:-0}
export PORT=${PORT:-8000}
if [ -z "${SECRET_KEY:-}" ]; then
  mkdir -p var
  [ -s var/secret_key ] || (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key)
  SECRET_KEY=$(cat var/secret_key)
  export SECRET_KEY
fi
PY=.venv/bin/python

if [ "${1:-}" = manage ]; then
  shift
  exec "$PY" manage.py "$@"
fi

admin_exists() {  # is there an active superuser (named DJANGO_SUPERUSER_USERNAME when that is set)?
  "$PY" manage.py shell --no-imports -c 'import os, sys
from django.contrib.auth import get_user_model
name = os.environ.get("DJANGO_SUPERUSER_USERNAME")
users = get_user_model().objects.filter(is_superuser=True, is_active=True)
sys.exit(0 if (users.filter(username=name) if name else users).exists() else 1)'
}

setup() {  # every step is idempotent: a second run reuses the database, its data and the admin
  scripts/bootstrap.sh prod
  "$PY" manage.py compilemessages --ignore=.venv -v0
  "$PY" manage.py db_create
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py erp_setup --no-demo
  if [ -n "${DJANGO_SUPERUSER_USERNAME:-}" ] && ! admin_exists; then
    DJANGO_SUPERUSER_EMAIL=${DJANGO_SUPERUSER_EMAIL-} "$PY" manage.py createsuperuser --noinput
  elif ! admin_exists; then
    echo "==> no administrator yet: run \`scripts/prod.sh manage createsuperuser\` (the stack may keep running)"
  fi
  "$PY" manage.py collectstatic --noinput -v0
}

if [ "${1:-}" != serve ]; then setup; fi

pids=() names=()
start() {  # start NAME COMMAND...: run in the background, every output line prefixed with [NAME]
  local name=$1
  shift
  "$@" > >(sed -u "s/^/[$name] /") 2>&1 &
  pids+=("$!") names+=("$name")
}
stop_all() {
  trap - INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap 'echo "==> stopping web, worker and beat"; stop_all; exit 0' INT TERM

start web .venv/bin/gunicorn -c scripts/gunicorn.conf.py sales_erp.wsgi:application
start worker .venv/bin/celery -A sales_erp worker -l info -c "${CELERY_CONCURRENCY:-2}" -n "sales_erp-$$@%h"
start beat .venv/bin/celery -A sales_erp beat -l info
echo "==> Sales ERP (production) at http://127.0.0.1:$PORT/  health: http://127.0.0.1:$PORT/healthz  Ctrl-C stops it"

# Supervision: the stack is up only while all three run; when one stops, stop the others and say which.
dead=
wait -n -p dead "${pids[@]}" || true
for i in "${!pids[@]}"; do [ "${pids[$i]}" = "$dead" ] && echo "==> ${names[$i]} stopped; stopping the others" >&2; done
stop_all
exit 1
