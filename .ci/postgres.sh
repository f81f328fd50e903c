#!/usr/bin/env bash
# Starts a PostgreSQL server with PostGIS for the tests and prints its DSN on
# stdout. Installs Debian's packages first when run as root on a machine without
# them (a fresh CI machine); otherwise expects a server it can start or reach.
set -euo pipefail
log() { echo "postgres.sh: $*" >&2; }

if [ -n "${ZONAGE_TEST_POSTGRES:-}" ]; then
  echo "$ZONAGE_TEST_POSTGRES"
  exit 0
fi
if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    log "PostGIS absent ; installez postgresql et postgresql-15-postgis-3, ou définissez ZONAGE_TEST_POSTGRES"
    exit 1
  fi
  log "installation de PostgreSQL et PostGIS (apt-get)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-15-postgis-3 >&2
fi
cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  log "aucun cluster PostgreSQL ; création"
  pg_createcluster 15 main >&2
  cluster="15 main"
fi
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  log "démarrage du cluster $cluster"
  pg_ctlcluster $cluster start >&2
fi
port=$(pg_lsclusters -h | awk 'NR==1 {print $3}')
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sh -c "$1"; fi; }
as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='zonage'\"" | grep -q 1 ||
  as_postgres "psql -p $port -qc \"CREATE ROLE zonage LOGIN PASSWORD 'zonage' SUPERUSER\"" >&2
as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname='zonage_test'\"" | grep -q 1 ||
  as_postgres "createdb -p $port -O zonage zonage_test" >&2
echo "postgres://zonage:zonage@localhost:$port/zonage_test?sslmode=disable"
