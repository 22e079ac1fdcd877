#!/usr/bin/env bash
# Makes this machine ready for the project: system packages, local services, the virtualenv.
# Idempotent: every step checks first and does nothing when the thing is already there.
#   scripts/bootstrap.sh run    what `make run` needs (build libraries, CJK font)
#   scripts/bootstrap.sh test   the above plus what the tests need (MariaDB up, chromium, poppler)
#   scripts/bootstrap.sh prod   what `make prod` needs (MariaDB and Redis up)
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-run}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_ensure() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install ${missing[*]}"
    as_root apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_mariadb() {
  port_open 3306 && return 0
  echo "==> starting MariaDB"
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 30); do port_open 3306 && return 0; sleep 1; done
  echo "MariaDB did not start on 127.0.0.1:3306" >&2; exit 1
}

# Django's date functions on MariaDB (date_hierarchy, __date lookups, Trunc*) convert time zones in SQL,
# which gives NULL until the server's time zone tables are loaded.
ensure_mariadb_time_zones() {
  [ "$(mariadb -uroot -h127.0.0.1 -N -e 'SELECT COUNT(*) FROM mysql.time_zone_name')" != 0 ] && return 0
  echo "==> loading MariaDB time zone tables"
  mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | mariadb -uroot -h127.0.0.1 mysql
}

ensure_redis() {
  port_open 6379 && return 0
  echo "==> starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 10); do port_open 6379 && return 0; sleep 1; done
  echo "Redis did not start on 127.0.0.1:6379" >&2; exit 1
}

# libmariadb-dev + pkg-config build mysqlclient; fonts-noto-cjk renders Chinese in PDFs;
# libharfbuzz-subset0 lets WeasyPrint subset fonts in milliseconds (without it, fontTools: seconds a PDF);
# gettext compiles the English translation.
apt_ensure libmariadb-dev pkg-config gcc fonts-noto-cjk libharfbuzz-subset0 gettext
if [ "$purpose" = test ]; then
  apt_ensure chromium poppler-utils
fi
if [ "$purpose" = test ] || [ "$purpose" = prod ]; then
  ensure_mariadb
  ensure_mariadb_time_zones
  ensure_redis
fi

stamp=.venv/.requirements.sha
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> pip install -r requirements.txt"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
