#!/usr/bin/env bash
# Complaints benchmark on PostgreSQL: the medan-5y data set (50,000 citizens, ~500,000
# complaints over five years), gunicorn on 127.0.0.1:8766, then three scenarios, each under two
# load models: (a) 50 simulated users who wait 1-3 s between actions (think time, the issue's
# "50 concurrent users"; 60 s) and (b) 50 closed-loop clients without think time (capacity /
# stress; 30 s). The scenarios: complaints-public (anonymous list/map/report/Open311), complaints-submit (a
# logged-in citizen submitting without photos) and complaints-staff (the officers' queue).
# Prints a summary per scenario and writes bench/results/<scenario>-<timestamp>.json.
#
#   bench/run_complaints.sh                      # full run (set-up: about 5-6 minutes)
#   BENCH_SKIP_SETUP=1 bench/run_complaints.sh   # again, on the data already there
#   BENCH_SCENARIOS="complaints-public" BENCH_SKIP_SETUP=1 bench/run_complaints.sh
#
# Settings (environment): BENCH_DATABASE_URL (default postgres://postgres@localhost/kotapintar_bench),
# BENCH_PORT (8766), BENCH_WORKERS (4), BENCH_CONCURRENCY (50), BENCH_DURATION (30, clients),
# BENCH_USER_DURATION (60, users), BENCH_THINK_TIME (1-3), BENCH_MODELS ("users clients"),
# BENCH_SCENARIOS (all three), BENCH_CITIZEN_LOGIN (warga00001@demo.kotapintar.id),
# BENCH_STAFF_LOGIN (koordinator@demo.kotapintar.id), BENCH_SEED (1), PYTHON (.venv/bin/python).
# The database is created if missing and is never dropped; it holds demo data only. The
# submission scenario adds reports to it and lifts the complaint policy's hourly submission
# limit there (one citizen submits thousands of times).
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/common.sh
PORT=${BENCH_PORT:-8766}
WORKERS=${BENCH_WORKERS:-4}
CONCURRENCY=${BENCH_CONCURRENCY:-50}
DURATION=${BENCH_DURATION:-30}
USER_DURATION=${BENCH_USER_DURATION:-60}
THINK_TIME=${BENCH_THINK_TIME:-1-3}
MODELS=${BENCH_MODELS:-users clients}
SCENARIOS=${BENCH_SCENARIOS:-complaints-public complaints-submit complaints-staff}
CITIZEN=${BENCH_CITIZEN_LOGIN:-warga00001@demo.kotapintar.id}
STAFF=${BENCH_STAFF_LOGIN:-koordinator@demo.kotapintar.id}
SEED=${BENCH_SEED:-1}

RESOLVED=$KOTAPINTAR_VAR_DIR/bench-scenarios  # scenarios with references from the data

if [[ ${BENCH_SKIP_SETUP:-0} != 1 ]]; then
  bench_database_ensure
  step "Migrate, reference data, complaint categories, demo data (medan-5y), static files"
  "$PYTHON" manage.py migrate --noinput -v0
  "$PYTHON" manage.py load_reference_data
  "$PYTHON" manage.py load_complaint_categories
  time "$PYTHON" manage.py generate_demo --scale medan-5y --seed "$SEED"
  "$PYTHON" manage.py collectstatic --noinput -v0
  "$PYTHON" - <<'PY'
import os

import psycopg

with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
    conn.execute("VACUUM ANALYZE")
PY
fi

step "Scenarios with references from the data; submission limit lifted"
mkdir -p "$RESOLVED"
BENCH_RESOLVED=$RESOLVED BENCH_STAFF_LOGIN=$STAFF "$PYTHON" manage.py shell -v0 -c "
import json, os
from pathlib import Path
from kotapintar.complaints.models import ComplaintPolicy, Complaint, OPEN_STATUSES
from kotapintar.complaints.selectors import complaints_public
from kotapintar.regions.selectors import city_districts

ComplaintPolicy.objects.update(submissions_per_hour=32000)
public = list(complaints_public().order_by('-submitted_at').values_list('reference', flat=True)[:4000:200])
staff = list(Complaint.objects.filter(status__in=list(OPEN_STATUSES)).order_by('-submitted_at').values_list('reference', flat=True)[:2000:100])
districts = list(city_districts().values_list('code', flat=True))
values = {
    '{public_reference}': public,
    '{staff_reference}': staff,
    '{district_code}': districts[6:7] or districts[:1],
}
assert public and staff and districts, 'no demo complaints: run without BENCH_SKIP_SETUP'
for source in sorted(Path('bench/scenarios').glob('complaints*.json')):
    data = json.loads(source.read_text())
    steps = []
    for item in data['requests']:
        holes = [k for k in values if k in item['path']]
        if not holes:
            steps.append(item)
            continue
        options = values[holes[0]]
        for i, value in enumerate(options):
            path = item['path']
            for key in holes:
                path = path.replace(key, values[key][i % len(values[key])] if key != holes[0] else value)
            steps.append({**item, 'name': f\"{item['name']}-{i + 1}\", 'path': path,
                          'weight': item.get('weight', 1) / len(options)})
    data['requests'] = steps
    (Path(os.environ['BENCH_RESOLVED']) / source.name).write_text(json.dumps(data, indent=1))
print(f'{len(public)} public and {len(staff)} staff references')
"

bench_server_start "$PORT" "$WORKERS"

for scenario in $SCENARIOS; do
  login=()
  case $scenario in
    complaints-submit) login=(--login "$CITIZEN") ;;
    complaints-staff) login=(--login "$STAFF") ;;
  esac
  # Warm-up (not recorded): fills per-process caches, as after any deploy.
  "$PYTHON" bench/load.py --scenario "$RESOLVED/$scenario.json" --base-url "http://127.0.0.1:$PORT" \
    --concurrency 4 --requests 200 --seed "$SEED" "${login[@]}" --results-dir /tmp/kotapintar-bench-warmup \
    >/dev/null
  for model in $MODELS; do
    case $model in
      users)
        step "Load: $scenario, $CONCURRENCY users, think time $THINK_TIME s, $USER_DURATION s ${login[*]:-}"
        model_args=(--think-time "$THINK_TIME" --duration "$USER_DURATION")
        ;;
      clients)
        step "Load: $scenario, $CONCURRENCY clients without think time, $DURATION s ${login[*]:-}"
        model_args=(--duration "$DURATION")
        ;;
      *) echo "unknown model $model (users or clients)" >&2; exit 2 ;;
    esac
    "$PYTHON" bench/load.py --scenario "$RESOLVED/$scenario.json" --base-url "http://127.0.0.1:$PORT" \
      --concurrency "$CONCURRENCY" "${model_args[@]}" --server-pid "$SERVER_PID" --seed "$SEED" \
      "${login[@]}"
  done
done
