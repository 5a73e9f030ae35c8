#!/usr/bin/env bash
# UMKM e-catalogue benchmark on PostgreSQL (issue 5): the medan-5y data set (~30,000 UMKM,
# ~150,000 products, 60,000 orders, coaching and OPD purchases), gunicorn on 127.0.0.1:8773,
# then the issue's scenario: 50 concurrent users, 80% search / 20% product pages, with queries
# drawn from a realistic list (typos, spelling variants, synonyms, phrases, exclusions, filters)
# and product ids drawn from the data. Two load models, as in run_complaints.sh: (a) 50 users
# who wait 1-3 s between actions (the issue's "50 concurrent users"; 60 s) and (b) 50
# closed-loop clients without think time (capacity; 30 s). Scenarios: umkm-catalogue (the web
# pages citizens use), umkm-api (the same mix on /api/v1/umkm/) and umkm-catalogue-distinct (the
# web pages with a long tail of 525 distinct searches, not pre-computed). Before the load it prints the
# number of SQL queries per page type on this data (a constant per page; also asserted in
# kotapintar/umkm/tests/test_api.py), EXPLAIN ANALYZE of the search query and the time of single
# searches computed without the answer cache (browse, broad word, selective, typo, filters).
# Prints a summary per scenario (with "GROUP search" / "GROUP product" rows) and writes
# bench/results/<scenario>-<timestamp>.json.
#
#   bench/run_umkm.sh                      # full run (set-up: about 5-6 minutes)
#   BENCH_SKIP_SETUP=1 bench/run_umkm.sh   # again, on the data already there
#   BENCH_SCENARIOS="umkm-catalogue" BENCH_MODELS=users BENCH_SKIP_SETUP=1 bench/run_umkm.sh
#   BENCH_SEARCH_CACHE=0 BENCH_SKIP_SETUP=1 bench/run_umkm.sh   # the search answer cache off
#
# Settings (environment): BENCH_DATABASE_URL (default
# postgres://postgres@localhost/kotapintar_bench_umkm), BENCH_PORT (8773), BENCH_WORKERS (4),
# BENCH_CONCURRENCY (50), BENCH_DURATION (30, clients), BENCH_USER_DURATION (60, users),
# BENCH_REDIS_URL (redis://127.0.0.1:6379/7: a database of its own, flushed before the load),
# BENCH_THINK_TIME (1-3), BENCH_MODELS ("users clients"), BENCH_SCENARIOS ("umkm-catalogue
# umkm-api umkm-catalogue-distinct"), BENCH_SEARCH_CACHE (1; 0 = every search computed: the
# server runs with UMKM_SEARCH_ANSWER_CACHE=0), BENCH_SEED (1), PYTHON (.venv/bin/python). The database is created if missing and
# is never dropped; it holds demo data only. Set-up generates only the users and umkm demo data
# (--only users,umkm): the other modules' five-year data sets are not needed here.
set -euo pipefail
cd "$(dirname "$0")/.."

export BENCH_DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@localhost/kotapintar_bench_umkm}
source bench/common.sh
# As in production, the cache (and with it the catalogue's search-answer cache, shared by the
# workers) is Redis; its own database number, flushed before the load so runs are comparable.
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/7}
PORT=${BENCH_PORT:-8773}
WORKERS=${BENCH_WORKERS:-4}
CONCURRENCY=${BENCH_CONCURRENCY:-50}
DURATION=${BENCH_DURATION:-30}
USER_DURATION=${BENCH_USER_DURATION:-60}
THINK_TIME=${BENCH_THINK_TIME:-1-3}
MODELS=${BENCH_MODELS:-users clients}
SCENARIOS=${BENCH_SCENARIOS:-umkm-catalogue umkm-api umkm-catalogue-distinct}
SEARCH_CACHE=${BENCH_SEARCH_CACHE:-1}
SEED=${BENCH_SEED:-1}

RESOLVED=$KOTAPINTAR_VAR_DIR/bench-scenarios  # scenarios with product ids from the data

if [[ ${BENCH_SKIP_SETUP:-0} != 1 ]]; then
  bench_database_ensure
  step "Migrate, reference data, UMKM reference data, demo data (medan-5y: users, umkm), static files"
  "$PYTHON" manage.py migrate --noinput -v0
  "$PYTHON" manage.py load_reference_data
  "$PYTHON" manage.py load_umkm_reference
  time "$PYTHON" manage.py generate_demo --scale medan-5y --only users,umkm
  "$PYTHON" manage.py collectstatic --noinput -v0
  "$PYTHON" - <<'PY'
import os

import psycopg

with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
    conn.execute("VACUUM ANALYZE")
PY
fi

step "Scenarios with product ids from the data; SQL queries per page type; EXPLAIN ANALYZE"
mkdir -p "$RESOLVED"
BENCH_RESOLVED=$RESOLVED "$PYTHON" manage.py shell -v0 -c "
import json, os
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kotapintar.umkm.search import parse_query, public_products

ids = [str(pk) for pk in public_products().order_by('pk').values_list('public_id', flat=True)[::1800]]
assert len(ids) >= 20, 'no public demo products: run without BENCH_SKIP_SETUP'
for source in sorted(Path('bench/scenarios').glob('umkm-*.json')):
    data = json.loads(source.read_text())
    steps = []
    for item in data['requests']:
        if '{product_id}' not in item['path']:
            steps.append(item)
            continue
        for i, pk in enumerate(ids):
            steps.append({**item, 'name': f\"{item['name']}-{i + 1}\",
                          'path': item['path'].replace('{product_id}', pk),
                          'weight': item['weight'] / len(ids)})
    data['requests'] = steps
    (Path(os.environ['BENCH_RESOLVED']) / source.name).write_text(json.dumps(data, indent=1))
print(f'{len(ids)} product ids')

client = Client(SERVER_NAME='localhost')
pages = {
    'web search (bika ambon)': '/umkm/?q=bika+ambon',
    'web search (typo, bika ambn)': '/umkm/?q=bika+ambn',
    'web search (filters)': '/umkm/?q=kopi&kategori=kopi&skala=mikro',
    'web browse (no query)': '/umkm/',
    'web product page': f'/umkm/produk/{ids[0]}/',
    'web product page (other)': f'/umkm/produk/{ids[-1]}/',
    'API search (bika ambon)': '/api/v1/umkm/products/?q=bika+ambon',
    'API search (typo)': '/api/v1/umkm/products/?q=bika+ambn',
    'API product': f'/api/v1/umkm/products/{ids[0]}/',
}
from django.core.cache import cache

client.get(pages['web browse (no query)'])  # warm per-process caches
print('SQL queries per page: computed (empty cache) / with the search answer cached')
for label, url in pages.items():
    counts = []
    cache.delete('umkm:search:version')  # a new catalogue version: the answer is computed
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        counts.append(len(queries))
    print(f'{label:<32} {status}  {counts[0]:>3} / {counts[1]:>3} queries')

from kotapintar.umkm.search import _postgres_base, _postgres_match, _order, SearchFilters
page = _order(_postgres_match(_postgres_base(SearchFilters()), parse_query('bika ambon')),
              'relevance', True, walk_index=False).values_list('pk', flat=True)[:20]
print('EXPLAIN ANALYZE (search: bika ambon, first page)')
for line in page.explain(analyze=True, buffers=True).splitlines():
    print('  ' + line)

import statistics, time
from kotapintar.umkm.search import product_search_uncached
print('Single searches computed without the answer cache (median of 3, ms; SQL queries)')
for label, kwargs in {
    'browse (no query)': {},
    'browse, newest, page 3': {'sort': 'newest', 'page': 3},
    'browse, category + price': {'filters': {'category': 'makanan-minuman', 'price_min': 25001, 'price_max': 100000}},
    'broad word (oleh oleh)': {'query': 'oleh oleh'},
    'broad word (kopi)': {'query': 'kopi'},
    'selective (bika ambon)': {'query': 'bika ambon'},
    'typo (bika ambn)': {'query': 'bika ambn'},
    'filters (kopi, kopi, mikro)': {'query': 'kopi', 'filters': {'category': 'kopi', 'scale': 'mikro'}},
    'certificate (bika ambon, halal)': {'query': 'bika ambon', 'filters': {'certification': 'halal'}},
}.items():
    times = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = product_search_uncached(log_empty=False, **kwargs)
            times.append((time.perf_counter() - started) * 1000)
    print(f'{label:<34} {statistics.median(times):>6.0f} ms  {len(queries):>2} queries  {result.total:>7} results')
"

if [[ $SEARCH_CACHE == 0 ]]; then
  export UMKM_SEARCH_ANSWER_CACHE=0
  step "Search answer cache OFF (UMKM_SEARCH_ANSWER_CACHE=0): every search is computed"
fi

"$PYTHON" -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).flushdb()"
bench_server_start "$PORT" "$WORKERS"

for scenario in $SCENARIOS; do
  # Warm-up (not recorded): each search of the scenario once (computes its answer into the
  # shared cache, as the first visitors after a deploy would), then 200 random requests
  # (per-process caches).
  # A scenario with "warm_searches": false (the long tail) is not pre-computed, and the shared
  # cache is flushed before each of its runs: its searches meet a cold answer cache.
  "$PYTHON" - "$RESOLVED/$scenario.json" "$PORT" <<'PY'
import json
import os
import sys
import urllib.request

data = json.loads(open(sys.argv[1], encoding="utf-8").read())
if not data.get("warm_searches", True) or os.environ.get("UMKM_SEARCH_ANSWER_CACHE") == "0":
    sys.exit(0)
for step in data["requests"]:
    if step.get("group") == "search":
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[2]}{step['path']}", timeout=120).read()
PY
  "$PYTHON" bench/load.py --scenario "$RESOLVED/$scenario.json" --base-url "http://127.0.0.1:$PORT" \
    --concurrency 4 --requests 200 --seed "$SEED" --results-dir /tmp/kotapintar-bench-warmup \
    >/dev/null
  for model in $MODELS; do
    case $model in
      users)
        step "Load: $scenario, $CONCURRENCY users, think time $THINK_TIME s, $USER_DURATION s"
        model_args=(--think-time "$THINK_TIME" --duration "$USER_DURATION")
        ;;
      clients)
        step "Load: $scenario, $CONCURRENCY clients without think time, $DURATION s"
        model_args=(--duration "$DURATION")
        ;;
      *) echo "unknown model $model (users or clients)" >&2; exit 2 ;;
    esac
    if grep -q '"warm_searches": false' "bench/scenarios/$scenario.json"; then
      "$PYTHON" -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).flushdb()"
    fi
    "$PYTHON" bench/load.py --scenario "$RESOLVED/$scenario.json" --base-url "http://127.0.0.1:$PORT" \
      --concurrency "$CONCURRENCY" "${model_args[@]}" --server-pid "$SERVER_PID" --seed "$SEED"
  done
done
