#!/usr/bin/env bash
# Measures /api/v1/resolve by coordinates against PostGIS ST_Contains point queries
# on the same machine, with the same random points and the same concurrency.
#   bench/run.sh            (from the repository root; needs wrk, pgbench, PostGIS)
# DURATION and CONNECTIONS can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-18080}
command -v wrk >/dev/null || { echo "wrk absent : apt-get install wrk" >&2; exit 1; }
dsn=$(.ci/postgres.sh)
make -s build
snap=$(mktemp -d)/bench.snap
echo "== import et publication dans PostGIS" >&2
./bin/zonage import --snapshot "$snap" --postgres "$dsn" >/dev/null
./bin/zonage serve --snapshot "$snap" --addr "127.0.0.1:$PORT" --journal warn 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
# Saturation (throughput) with CONNECTIONS, then latency at lighter loads (4 and 2
# connections): on two cores the load generator shares the CPU with the server,
# so latency at saturation measures the queue, not the service.
for c in "$CONNECTIONS" 4 2; do
  echo "== zonage serve : GET /api/v1/resolve?lat=&lon= ($c connexions, $DURATION)"
  wrk -t2 -c"$c" -d"$DURATION" --latency -s bench/resolve.lua "http://127.0.0.1:$PORT" | grep -E 'Requests/sec|50%|90%|99%'
done
kill $pid; wait $pid 2>/dev/null || true
trap - EXIT
for c in "$CONNECTIONS" 4; do
  echo "== PostGIS : ST_Contains ($c connexions, $DURATION)"
  pgbench -n -c"$c" -j2 -T"${DURATION%s}" -r -f bench/postgis.sql "$dsn" 2>&1 | grep -E '^tps|latency average|latency stddev'
done
