#!/usr/bin/env bash
# Foundation benchmark on PostgreSQL: a Medan-sized data set, gunicorn with 2 workers on
# 127.0.0.1:8765, the "foundation" scenario at 20 clients for 30 s. Prints the summary and
# writes bench/results/foundation-<timestamp>.json (latency percentiles, throughput, errors,
# status histogram, peak RSS of the workers).
#
#   bench/run_foundation.sh                      # full run (set-up takes about a minute)
#   BENCH_SKIP_SETUP=1 bench/run_foundation.sh   # again, on the data already there
#
# Settings (environment): BENCH_DATABASE_URL (default postgres://postgres@localhost/kotapintar_bench),
# BENCH_PORT (8765), BENCH_WORKERS (2), BENCH_CONCURRENCY (20), BENCH_DURATION (30),
# BENCH_SCENARIO (bench/scenarios/foundation.json), BENCH_SEED (1), PYTHON (.venv/bin/python).
# The database is created if missing and is never dropped; it holds demo data only.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
[[ -x $PYTHON ]] || PYTHON=python3
PORT=${BENCH_PORT:-8765}
WORKERS=${BENCH_WORKERS:-2}
CONCURRENCY=${BENCH_CONCURRENCY:-20}
DURATION=${BENCH_DURATION:-30}
SCENARIO=${BENCH_SCENARIO:-bench/scenarios/foundation.json}
SEED=${BENCH_SEED:-1}

# Production-like settings with throwaway secrets. Throttling is lifted: this measures capacity,
# not the rate limits (which would turn most requests into 429s at 20 clients from one address).
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@localhost/kotapintar_bench}
export KOTAPINTAR_IGNORE_DOTENV=1 DEBUG=false HTTPS=false
export SECRET_KEY=bench-only-not-a-secret PERSONAL_DATA_HASH_KEY=bench-only-not-a-secret
export PERSONAL_DATA_KEYS=r8Wq3lGq7o2mJc3wN1N1oQy0hM3Hc4x0VnJ0sJ6yq1Y=
export ALLOWED_HOSTS=127.0.0.1,localhost LOG_LEVEL=WARNING
export API_THROTTLE_ANON=1000000/min API_THROTTLE_USER=1000000/min
export KOTAPINTAR_VAR_DIR=${KOTAPINTAR_VAR_DIR:-/tmp/kotapintar-bench-var}

step() { printf '\n=== %s ===\n' "$*"; }

if [[ ${BENCH_SKIP_SETUP:-0} != 1 ]]; then
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
  step "Migrate, reference data, demo data (medan-5y), static files"
  "$PYTHON" manage.py migrate --noinput -v0
  "$PYTHON" manage.py load_reference_data
  time "$PYTHON" manage.py generate_demo --scale medan-5y --seed "$SEED"
  "$PYTHON" manage.py collectstatic --noinput -v0
fi

step "gunicorn on 127.0.0.1:$PORT with $WORKERS workers"
"$PYTHON" -m gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --log-level warning &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  "$PYTHON" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/readyz', timeout=1)" \
    2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "gunicorn exited" >&2; exit 1; }
  sleep 0.5
done

step "Load: $SCENARIO, $CONCURRENCY clients, $DURATION s"
"$PYTHON" bench/load.py --scenario "$SCENARIO" --base-url "http://127.0.0.1:$PORT" \
  --concurrency "$CONCURRENCY" --duration "$DURATION" --server-pid "$SERVER_PID" --seed "$SEED"
