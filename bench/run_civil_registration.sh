#!/usr/bin/env bash
# Civil registration benchmark on PostgreSQL (issue 4, reference T22): the medan-5y data set
# (~1,000,000 applications over five years, 50,000 citizens), gunicorn on 127.0.0.1:8771, then
# the mixed scenario civil-registration-mixed with bench/load_uploads.py: 200 citizens submitting
# applications with uploads through the API (multipart JPEG + PDF, a fresh Idempotency-Key and
# NIK each, 10% retried with the same key) AND officers working their unit queues (queue, case
# page, claim, document checks) at the same time. Two load models: (a) users with think time
# (citizens 10-30 s: filling in a form; officers 1-3 s), (b) closed loop (no think time: stress).
# Prints p50/p95/p99 and errors per request kind (submission vs officer) and writes
# bench/results/civil-registration-mixed-<timestamp>.json.
#
#   bench/run_civil_registration.sh                      # full run (set-up takes a while)
#   BENCH_SKIP_SETUP=1 bench/run_civil_registration.sh   # again, on the data already there
#
# Settings (environment): BENCH_DATABASE_URL (default
# postgres://postgres@localhost/kotapintar_bench_cr), BENCH_PORT (8771), BENCH_WORKERS (4),
# BENCH_CITIZENS (200), BENCH_OFFICERS (22, one per unit), BENCH_DURATION (60),
# BENCH_CITIZEN_THINK_TIME (10-30), BENCH_OFFICER_THINK_TIME (1-3), BENCH_MODELS
# ("users clients"), BENCH_SEED (1), PYTHON (.venv/bin/python).
# The database is created if missing and is never dropped; it holds demo data only. The run adds
# applications to it (and claims some); the set-up only runs the users and civil_registration
# demo generators (`generate_demo --only users,civil_registration`).
set -euo pipefail
cd "$(dirname "$0")/.."

export BENCH_DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@localhost/kotapintar_bench_cr}
source bench/common.sh
PORT=${BENCH_PORT:-8771}
WORKERS=${BENCH_WORKERS:-4}
CITIZENS=${BENCH_CITIZENS:-200}
OFFICERS=${BENCH_OFFICERS:-22}
DURATION=${BENCH_DURATION:-60}
CITIZEN_THINK=${BENCH_CITIZEN_THINK_TIME:-10-30}
OFFICER_THINK=${BENCH_OFFICER_THINK_TIME:-1-3}
MODELS=${BENCH_MODELS:-users clients}
SEED=${BENCH_SEED:-1}
SCENARIO=bench/scenarios/civil-registration-mixed.json
TOKENS=$KOTAPINTAR_VAR_DIR/cr-tokens.json

if [[ ${BENCH_SKIP_SETUP:-0} != 1 ]]; then
  bench_database_ensure
  step "Migrate, reference data, civil registration services, demo data (medan-5y), static files"
  "$PYTHON" manage.py migrate --noinput -v0
  "$PYTHON" manage.py load_reference_data
  "$PYTHON" manage.py load_civil_registration_services
  time "$PYTHON" manage.py generate_demo --scale medan-5y --seed "$SEED" --only users,civil_registration
  "$PYTHON" manage.py collectstatic --noinput -v0
  "$PYTHON" - <<'PY'
import os

import psycopg

with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
    conn.execute("VACUUM ANALYZE")
PY
fi

step "API tokens: $CITIZENS citizens, one case officer per Disdukcapil unit"
mkdir -p "$KOTAPINTAR_VAR_DIR"
BENCH_TOKENS=$TOKENS BENCH_CITIZENS=$CITIZENS "$PYTHON" manage.py shell -v0 -c "
import json, os
from rest_framework.authtoken.models import Token
from kotapintar.accounts.models import ModuleRoleGrant, User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.selectors import civil_registry_agency
from kotapintar.civil_registration import workflow

n = int(os.environ['BENCH_CITIZENS'])
citizens = list(User.objects.filter(role=Role.CITIZEN, email__regex=r'^warga[0-9]+@').order_by('email')[:n])
assert len(citizens) == n, f'only {len(citizens)} demo citizens: run without BENCH_SKIP_SETUP'
agency = civil_registry_agency()
officers = []
for unit in agency.units.filter(is_active=True).order_by('code'):
    verifier = (User.objects.filter(unit=unit, is_active=True, role__in=[Role.OFFICER, Role.COORDINATOR],
                                    module_roles__code=workflow.VERIFIER).order_by('pk').first())
    if verifier is not None:
        officers.append(verifier)
tokens = {
    'citizens': [Token.objects.get_or_create(user=u)[0].key for u in citizens],
    'officers': [Token.objects.get_or_create(user=u)[0].key for u in officers],
}
with open(os.environ['BENCH_TOKENS'], 'w') as fh:
    json.dump(tokens, fh)
print(f\"{len(tokens['citizens'])} citizen and {len(tokens['officers'])} officer tokens\")
"

bench_server_start "$PORT" "$WORKERS"

# Warm-up (not recorded): fills per-process caches, as after any deploy.
"$PYTHON" bench/load_uploads.py --scenario "$SCENARIO" --tokens "$TOKENS" \
  --base-url "http://127.0.0.1:$PORT" --citizens $((CITIZENS < 4 ? CITIZENS : 4)) \
  --officers $((OFFICERS < 4 ? OFFICERS : 4)) --duration 10 --seed "$SEED" \
  --results-dir /tmp/kotapintar-bench-warmup >/dev/null

for model in $MODELS; do
  case $model in
    users)
      step "Load: $CITIZENS citizens (think $CITIZEN_THINK s) + $OFFICERS officers (think $OFFICER_THINK s), $DURATION s"
      model_args=(--citizen-think-time "$CITIZEN_THINK" --officer-think-time "$OFFICER_THINK")
      ;;
    clients)
      step "Load: $CITIZENS citizens + $OFFICERS officers, closed loop (no think time), $DURATION s"
      model_args=()
      ;;
    *) echo "unknown model $model (users or clients)" >&2; exit 2 ;;
  esac
  "$PYTHON" bench/load_uploads.py --scenario "$SCENARIO" --tokens "$TOKENS" \
    --base-url "http://127.0.0.1:$PORT" --citizens "$CITIZENS" --officers "$OFFICERS" \
    --duration "$DURATION" "${model_args[@]}" --server-pid "$SERVER_PID" --seed "$SEED"
done
