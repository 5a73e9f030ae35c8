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

source bench/common.sh
PORT=${BENCH_PORT:-8765}
WORKERS=${BENCH_WORKERS:-2}
CONCURRENCY=${BENCH_CONCURRENCY:-20}
DURATION=${BENCH_DURATION:-30}
SCENARIO=${BENCH_SCENARIO:-bench/scenarios/foundation.json}
SEED=${BENCH_SEED:-1}

if [[ ${BENCH_SKIP_SETUP:-0} != 1 ]]; then
  bench_database_ensure
  step "Migrate, reference data, demo data (medan-5y), static files"
  "$PYTHON" manage.py migrate --noinput -v0
  "$PYTHON" manage.py load_reference_data
  time "$PYTHON" manage.py generate_demo --scale medan-5y --seed "$SEED"
  "$PYTHON" manage.py collectstatic --noinput -v0
fi

bench_server_start "$PORT" "$WORKERS"

step "Load: $SCENARIO, $CONCURRENCY clients, $DURATION s"
"$PYTHON" bench/load.py --scenario "$SCENARIO" --base-url "http://127.0.0.1:$PORT" \
  --concurrency "$CONCURRENCY" --duration "$DURATION" --server-pid "$SERVER_PID" --seed "$SEED"
