# Shared by the bench/run_*.sh scripts (sourced, not run): production-like settings with throwaway
# secrets, the benchmark database, and a gunicorn server on loopback that stops with the script.
# Throttling is lifted: the benchmarks measure capacity, not the rate limits (which would turn
# most requests into 429s with many clients from one address).

PYTHON=${PYTHON:-.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3

export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@localhost/kotapintar_bench}
export KOTAPINTAR_IGNORE_DOTENV=1 DEBUG=false HTTPS=false
export SECRET_KEY=bench-only-not-a-secret PERSONAL_DATA_HASH_KEY=bench-only-not-a-secret
export PERSONAL_DATA_KEYS=r8Wq3lGq7o2mJc3wN1N1oQy0hM3Hc4x0VnJ0sJ6yq1Y=
export ALLOWED_HOSTS=127.0.0.1,localhost LOG_LEVEL=WARNING
export API_THROTTLE_ANON=1000000/min API_THROTTLE_USER=1000000/min
export KOTAPINTAR_VAR_DIR=${KOTAPINTAR_VAR_DIR:-/tmp/kotapintar-bench-var}

step() { printf '\n=== %s ===\n' "$*"; }

# Create the benchmark database when missing; never drop it (it holds demo data only).
bench_database_ensure() {
  step "Database ${DATABASE_URL##*/}"
  "$PYTHON" - <<'PY'
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created {name}")
    else:
        print(f"{name} exists, keeping its data")
PY
}

# Start gunicorn on 127.0.0.1:$1 with $2 workers, wait until /readyz answers, and stop it when the
# script exits. Sets SERVER_PID.
bench_server_start() {
  local port=$1 workers=$2
  step "gunicorn on 127.0.0.1:$port with $workers workers"
  "$PYTHON" -m gunicorn config.wsgi:application --bind "127.0.0.1:$port" --workers "$workers" \
    --log-level warning &
  SERVER_PID=$!
  trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do
    "$PYTHON" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=1)" \
      2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "gunicorn exited" >&2; exit 1; }
    sleep 0.5
  done
  echo "gunicorn did not become ready on port $port" >&2
  exit 1
}
