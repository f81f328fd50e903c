#!/usr/bin/env bash
# Measures GET /api/v1/resolve by coordinates against PostGIS ST_Contains point
# queries on the same machine, with the same random points (bench/resolve.lua and
# bench/postgis.sql draw them from the same box), each side at its best:
#   1. a sweep of 1, 2, 4, 8 and 16 clients for both sides — pgbench in prepared
#      mode for PostGIS (on a table of the published outlines alone,
#      bench/postgis-table.sql; over TCP like the server, and over the Unix
#      socket when run as root), wrk for the server (full default answer and
#      options=0) — printed as one table (rate, p50, p99), and each side's best
#      rate; then the same sweep of bench/ceiling, a bare net/http server
#      sending constant answers of the service's average sizes: net/http's
#      ceiling on the machine, which says whether a goal missed is within reach
#      of a server on net/http; then the same sweep of bench/ceiling -raw, the
#      same bytes written with no HTTP library (the end of each request head
#      found, a prepared answer written), served by a goroutine per connection:
#      the ceiling of that model, above which no HTTP stack in it could meet a
#      goal; then bench/ceiling -loops, the same bytes written by one epoll
#      event loop per core: the kernel's own cost of a read and a write per
#      request, above which no server that reads and writes each request could;
#   2. a constant-rate test at PostGIS's best rate with bench/openload, an
#      open-model generator that counts each latency from the time the request
#      was due, so that it does not hide queueing: p50, p90, p99, p99.9, max,
#      the rate achieved, the collector's cycles and the share of the time it
#      spent marking (GODEBUG=gctrace=1), the CPU taken by the generator and by
#      the server, the server's resident memory and how busy the machine was;
#      the same test on the bare server of the sweep; then, for both, the
#      highest constant rate at which p99 stays within 5 ms;
#   3. the ratios against the goals, with both ceilings' ratios to PostGIS's
#      best and what they say of a throughput goal missed: out of reach of any
#      server on the machine, or of any goroutine-per-connection server, or
#      within reach only of a server without net/http's per-request costs;
#      and the CPU time per request the goal leaves to an answer's work beyond
#      what a request of the machine's ceiling takes, against that work
#      measured under load (the user-space CPU time the service's process
#      took per request at its best, less the bare server's at the ceiling:
#      each sweep records every server's user and kernel time per request)
#      and alone in process (go test -bench BenchmarkLaneAnswer): out of
#      reach of this service when the work under load exceeds what is left;
#   4. POST /api/v1/classify over HTTP on 1,000,000 rows, coordinates then
#      postcode + commune.
#   bench/run.sh            (from the repository root; needs wrk, pgbench, PostGIS, Go)
# DURATION (seconds per measure, default 15), WARMUP (seconds of queries before
# the measures, while the day's ready answers are made, default 20), CLIENTS (default "1 2 4 8 16"),
# ROWS (classify, default 1000000), CONNECTIONS (of the constant-rate test,
# default 64), PROBE (seconds of each trial of the search for the highest rate
# held with p99 <= 5 ms, default 8) and PORT can be set in the environment.
# Everything runs on the loopback; the load generators share the CPU with the
# servers, as on any single box, and the report says how loaded the box was.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15}
CLIENTS=${CLIENTS:-"1 2 4 8 16"}
ROWS=${ROWS:-1000000}
PORT=${PORT:-18080}
WARMUP=${WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-64}
PROBE=${PROBE:-8}
base="http://127.0.0.1:$PORT"
for tool in wrk pgbench curl go awk; do
  command -v "$tool" >/dev/null || { echo "$tool absent (wrk : apt-get install wrk ; pgbench : postgresql-client)" >&2; exit 1; }
done
dsn=$(.ci/postgres.sh)
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== machine : $(nproc) cœurs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f Go", $2/1048576}' /proc/meminfo)"
echo "== charge au départ : $(uptime | sed 's/.*load average/load average/')"
make -s build
go build -o "$work/openload" ./bench/openload
go build -o "$work/ceiling" ./bench/ceiling
echo "== import et publication dans PostGIS" >&2
./bin/zonage import --snapshot "$work/bench.snap" --postgres "$dsn" >/dev/null
psql "$dsn" -q -v ON_ERROR_STOP=1 -f bench/postgis-table.sql 2>/dev/null
# Over the Unix socket, PostgreSQL's fastest way in, as the postgres system user
# (peer authentication): possible when the script runs as root.
pg_socket=
if [ "$(id -u)" = 0 ] && su postgres -c true 2>/dev/null; then
  pg_socket="-h /var/run/postgresql -p $(echo "$dsn" | sed -E 's|.*:([0-9]+)/.*|\1|') $(echo "$dsn" | sed -E 's|.*/([^?]+).*|\1|')"
  chmod 0711 "$work"
  mkdir -m 0777 "$work/pgsock"
fi

# The server's collector reports each cycle on stderr (GODEBUG=gctrace=1, one
# line per cycle, no cost otherwise): the constant-rate test says how much of
# its time the collector was marking.
start_server() {
  GODEBUG=gctrace=1 ./bin/zonage serve --snapshot "$work/bench.snap" --addr "127.0.0.1:$PORT" --journal warn 2>"$work/server.err" &
  pid=$!
  for _ in $(seq 1 300); do curl -sf "$base/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "le serveur ne répond pas sur $base" >&2
  exit 1
}
stop_server() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}

# ms converts a wrk latency (850.00us, 1.20ms, 2.00s) to milliseconds.
ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
    printf "%.2f", n }'
}

# busy_jiffies and all_jiffies read the machine's CPU counters (/proc/stat).
busy_jiffies() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
all_jiffies() { awk '$1 == "cpu" {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }

# wrk_run CLIENTS QUERY [BASE]: prints "rate p50 p99 bytes busy user system",
# bytes being the average size of an answer read, headers included, busy the
# share of the machine's CPU time used meanwhile, in per cent, and user and
# system the CPU time the server process ($pid) took per request in user space
# and in the kernel, in µs.
wrk_run() {
  local c=$1 query=$2 url=${3:-$base} threads=$(( $1 < 2 ? 1 : 2 )) out busy0 all0 busy1 all1 user0 sys0 user1 sys1
  busy0=$(busy_jiffies) all0=$(all_jiffies)
  read -r user0 sys0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  out=$(QUERY=$query wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency -s bench/resolve.lua "$url")
  read -r user1 sys1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  busy1=$(busy_jiffies) all1=$(all_jiffies)
  echo "$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}') $(ms "$(echo "$out" | awk '$1 == "50%" {print $2}')") $(ms "$(echo "$out" | awk '$1 == "99%" {print $2}')") $(echo "$out" | awk '/requests in/ {
    v = $(NF-1) + 0; u = $(NF-1); sub(/^[0-9.]+/, "", u); f = (u == "KB") ? 1024 : (u == "MB") ? 1048576 : (u == "GB") ? 1073741824 : 1
    printf "%.0f", v * f / $1 }') $(awk -v b="$((busy1 - busy0))" -v a="$((all1 - all0))" 'BEGIN {printf "%.0f", 100 * b / a}') $(echo "$out" |
    awk -v u="$((user1 - user0))" -v s="$((sys1 - sys0))" -v hz="$(getconf CLK_TCK)" '/requests in/ {printf "%.2f %.2f", u / hz * 1e6 / $1, s / hz * 1e6 / $1}')"
}

# pg_run CLIENTS [socket]: prints "rate p50 p99" from pgbench's per-transaction
# log, over TCP, or over the Unix socket as the postgres system user.
pg_run() {
  local c=$1 threads=$(( $1 < 2 ? 1 : 2 )) out logs
  if [ "${2:-}" = socket ]; then
    logs=$work/pgsock
    rm -f "$logs"/pglog*
    cp bench/postgis.sql "$logs/postgis.sql"
    out=$(su postgres -c "pgbench -n -M prepared -c$c -j$threads -T$DURATION -f $logs/postgis.sql \
      -l --sampling-rate=0.2 --log-prefix=$logs/pglog $pg_socket" 2>&1)
  else
    logs=$work
    rm -f "$logs"/pglog*
    out=$(pgbench -n -M prepared -c"$c" -j"$threads" -T"$DURATION" -f bench/postgis.sql \
      -l --sampling-rate=0.2 --log-prefix="$logs/pglog" "$dsn" 2>&1)
  fi
  echo "$(echo "$out" | awk '/^tps/ {printf "%.0f", $3}') $(cat "$logs"/pglog* | awk '{print $3}' | sort -n |
    awk '{v[NR] = $1} END {printf "%.2f %.2f", v[int(NR*0.5)+1]/1000, v[int(NR*0.99)+1]/1000}')"
}

echo "== balayage : ${DURATION} s par mesure, clients : $CLIENTS"
start_server
# The day's ready answers are made in the background from the first query on:
# the measures start once they are, as on a server that has run a while.
QUERY= wrk -t2 -c4 -d"${WARMUP}s" -s bench/resolve.lua "$base" >/dev/null
# shellcheck disable=SC2034 # ceilfull and ceillean are filled by name, through sweep_ceiling
declare -A full lean pg pgs ceilfull ceillean
for c in $CLIENTS; do
  full[$c]=$(wrk_run "$c" "")
  lean[$c]=$(wrk_run "$c" "&options=0")
done
stop_server
for c in $CLIENTS; do
  pg[$c]=$(pg_run "$c")
  if [ -n "$pg_socket" ]; then
    pgs[$c]=$(pg_run "$c" socket 2>/dev/null || true)
    if [ -z "${pgs[$c]%% *}" ]; then
      echo "(pgbench par le socket Unix a échoué : PostGIS mesuré par TCP seulement)"
      pg_socket=
      unset 'pgs'
      declare -A pgs
    fi
  fi
done

best() { # best NAME: the clients and rate of the best line of the array NAME
  local -n a=$1
  local bc= br=0
  for c in $CLIENTS; do
    r=${a[$c]%% *}
    if [ "$r" -gt "$br" ]; then bc=$c; br=$r; fi
  done
  echo "$bc $br"
}

echo
printf '| clients | PostGIS TCP tps | p50 ms | p99 ms | PostGIS socket Unix tps | p50 ms | p99 ms | réponse complète req/s | p50 ms | p99 ms | options=0 req/s | p50 ms | p99 ms |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for c in $CLIENTS; do
  read -r pr p50 p99 <<<"${pg[$c]}"
  read -r sr s50 s99 <<<"${pgs[$c]:-— — —}"
  read -r fr f50 f99 _ <<<"${full[$c]}"
  read -r lr l50 l99 _ <<<"${lean[$c]}"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$pr" "$p50" "$p99" "$sr" "$s50" "$s99" "$fr" "$f50" "$f99" "$lr" "$l50" "$l99"
done
read -r pgc pgbest <<<"$(best pg)"
pgway="TCP"
if [ -n "$pg_socket" ]; then
  read -r sc sbest <<<"$(best pgs)"
  if [ "$sbest" -gt "$pgbest" ]; then pgc=$sc pgbest=$sbest pgway="socket Unix"; fi
else
  echo "(PostGIS par le socket Unix non mesuré : il faut lancer le banc en root, pour se connecter en utilisateur système postgres)"
fi
read -r fc fbest <<<"$(best full)"
read -r lc lbest <<<"$(best lean)"
echo
echo "meilleur PostGIS : $pgbest tps à $pgc clients ($pgway) ; réponse complète : $fbest req/s à $fc ; options=0 : $lbest req/s à $lc"

# The HTTP stack's ceiling: a bare net/http server sending constant answers of
# the sizes the service sent (headers included) at its best, with the same
# framing, loaded by the same wrk.
fbytes=$(echo "${full[$fc]}" | awk '{print $4}')
lbytes=$(echo "${lean[$lc]}" | awk '{print $4}')
"$work/ceiling" -addr "127.0.0.1:$((PORT + 1))" -full 1000 -lean 1000 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$((PORT + 1))/api/v1/resolve" && break; sleep 0.1; done
head_bytes=$(curl -s -D - -o /dev/null "http://127.0.0.1:$((PORT + 1))/api/v1/resolve" | wc -c)
stop_server
# start_ceiling [-raw]: the bare server, on net/http or without any HTTP
# library; both send the same bytes.
start_ceiling() {
  GODEBUG=gctrace=1 "$work/ceiling" -addr "127.0.0.1:$((PORT + 1))" -full "$((fbytes - head_bytes))" -lean "$((lbytes - head_bytes))" "$@" 2>"$work/server.err" &
  pid=$!
}
# sweep_ceiling FULL LEAN [FLAG...]: the bare server started with FLAG, swept
# with the same wrk as the service into the arrays named FULL and LEAN.
sweep_ceiling() {
  local -n f=$1 l=$2
  shift 2
  start_ceiling "$@"
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$((PORT + 1))/api/v1/resolve" && break; sleep 0.1; done
  # shellcheck disable=SC2004 # f and l are associative: the key is the string $c
  for c in $CLIENTS; do
    f[$c]=$(wrk_run "$c" "" "http://127.0.0.1:$((PORT + 1))")
    l[$c]=$(wrk_run "$c" "&options=0" "http://127.0.0.1:$((PORT + 1))")
  done
  stop_server
}
sweep_ceiling ceilfull ceillean
# The ceiling of a goroutine per connection: the same bytes, with no HTTP
# library in the way.
# shellcheck disable=SC2034 # filled by name, through sweep_ceiling
declare -A rawfull rawlean
sweep_ceiling rawfull rawlean -raw
# The kernel's own ceiling: the same bytes, written by one epoll event loop per
# core instead of a goroutine per connection.
# shellcheck disable=SC2034 # filled by name, through sweep_ceiling
declare -A loopfull looplean
sweep_ceiling loopfull looplean -loops "$(nproc)"
# ceiling_table FULL LEAN: the sweep of a bare server, one line per clients.
ceiling_table() {
  local -n f=$1 l=$2
  printf '| clients | réponse complète req/s | p50 ms | p99 ms | machine occupée | options=0 req/s | p50 ms | p99 ms | machine occupée |\n|---|---|---|---|---|---|---|---|---|\n'
  for c in $CLIENTS; do
    read -r fr f50 f99 _ fbusy _ <<<"${f[$c]}"
    read -r lr l50 l99 _ lbusy _ <<<"${l[$c]}"
    printf '| %s | %s | %s | %s | %s %% | %s | %s | %s | %s %% |\n' "$c" "$fr" "$f50" "$f99" "$fbusy" "$lr" "$l50" "$l99" "$lbusy"
  done
}
echo
echo "== plafond de net/http sur cette machine (bench/ceiling : réponses fixes de $fbytes et $lbytes octets, en-têtes compris, les tailles moyennes du service)"
ceiling_table ceilfull ceillean
echo
echo "== plafond d'une goroutine par connexion, sans bibliothèque HTTP (bench/ceiling -raw : les mêmes octets, écrits dès la fin de chaque en-tête de requête, sans rien analyser d'autre)"
ceiling_table rawfull rawlean
echo
echo "== plafond de la machine (bench/ceiling -loops $(nproc) : les mêmes octets, écrits par une boucle d'événements epoll par cœur)"
ceiling_table loopfull looplean
# The CPU time each server's process took per request in each line of the
# sweeps, in user space and in the kernel: where the service's time goes
# beside the bare servers', under the same load.
cpu_cell() { echo "$1" | awk '{printf "%s + %s", $6, $7}'; }
echo
echo "== processeur du serveur par requête pendant les balayages, µs (espace utilisateur + noyau, relevés dans /proc/<pid>/stat)"
printf '| clients | service, complète | service, options=0 | net/http, complète | net/http, options=0 | -raw, complète | -raw, options=0 | -loops, complète | -loops, options=0 |\n|---|---|---|---|---|---|---|---|---|\n'
for c in $CLIENTS; do
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$(cpu_cell "${full[$c]}")" "$(cpu_cell "${lean[$c]}")" \
    "$(cpu_cell "${ceilfull[$c]}")" "$(cpu_cell "${ceillean[$c]}")" "$(cpu_cell "${rawfull[$c]}")" "$(cpu_cell "${rawlean[$c]}")" \
    "$(cpu_cell "${loopfull[$c]}")" "$(cpu_cell "${looplean[$c]}")"
done
read -r _ cfbest <<<"$(best ceilfull)"
read -r _ clbest <<<"$(best ceillean)"
read -r _ rfbest <<<"$(best rawfull)"
read -r _ rlbest <<<"$(best rawlean)"
read -r _ efbest <<<"$(best loopfull)"
read -r _ elbest <<<"$(best looplean)"

# Constant rate at PostGIS's best, open model: requests are due at fixed times
# whether or not the previous ones have come back, and each latency counts from
# its due time, so that queueing shows. bench/openload does it on 64 keep-alive
# connections; vegeta, tried first, could not send more than about 9,500 of the
# 24,600 requests/s asked for on these 2 cores (it keeps and encodes every
# answer) and then measured its own backlog. The bare server of the sweep above
# takes the same test with the full answer's size: what the machine, the
# generator and net/http leave of the 5 ms once nothing is looked up and there is
# almost no live data for the collector to mark.
declare -A p99s rss marking
notes=
# constant_rate KIND LABEL URL SUFFIX: one openload run against the process $pid,
# whose collector traces to $work/server.err; prints one row of the table.
constant_rate() {
  local kind=$1 label=$2 url=$3 suffix=$4 peak=0 cpu0 cpu1 gc0 busy0 all0 busy1 all1 generator result
  cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  gc0=$(grep -c '^gc ' "$work/server.err" || true)
  busy0=$(busy_jiffies) all0=$(all_jiffies)
  "$work/openload" -adresse "$url" -debit "$pgbest" -duree "${DURATION}s" -connexions "$CONNECTIONS" \
    -suffixe "$suffix" >"$work/$kind.openload" &
  generator=$!
  while kill -0 "$generator" 2>/dev/null; do
    r=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status")
    [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.5
  done
  wait "$generator"
  cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  busy1=$(busy_jiffies) all1=$(all_jiffies)
  result=$(awk '$1 == "RESULTAT"' "$work/$kind.openload")
  get() { echo "$result" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
  local errors=$(( $(get non200) + $(get errors) + $(get unsent) )) wall
  wall=$(get wall_s)
  local server_cores machine collector
  server_cores=$(awk -v t="$((cpu1 - cpu0))" -v hz="$(getconf CLK_TCK)" -v d="$wall" 'BEGIN {printf "%.2f", t / hz / d}')
  machine=$(awk -v b="$((busy1 - busy0))" -v a="$((all1 - all0))" 'BEGIN {printf "%.0f", 100 * b / a}')
  # gctrace: "gc N @Ts P%: A+MARK+C ms clock, a+assist/background/idle+c ms cpu, …"
  collector=$(tail -n +"$((gc0 + 1))" "$work/server.err" | grep '^gc ' | awk -v d="$wall" '
    { split($5, clock, "+"); mark += clock[2]
      split($8, cpu, "+"); split(cpu[2], m, "/"); used += cpu[1] + m[1] + m[2] + m[3] + cpu[3]; n++ }
    END { if (n == 0) { print "0 | 0 | 0"; exit }
          printf "%d | %.0f | %.1f", n, mark / n, 100 * mark / 1000 / d }')
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s cœur (%s µs/req) | %s cœur | %s | %s %% |\n' "$label" "$(get achieved)" "$errors" \
    "$(get p50_ms)" "$(get p90_ms)" "$(get p99_ms)" "$(get p999_ms)" "$(get max_ms)" "$collector" "$(get cpu_cores)" "$(get cpu_us_per_req)" \
    "$server_cores" "$peak" "$machine"
  p99s[$kind]=$(get p99_ms)
  rss[$kind]=$peak
  marking[$kind]=${collector##* | }
  if awk -v a="$(get achieved)" -v r="$pgbest" 'BEGIN {exit !(a < 0.99 * r)}'; then
    notes+="$label : débit demandé non tenu, $(get achieved) req/s sur $pgbest ; le retard pris est compté dans les latences"$'\n'
  fi
}
# sustained URL: the highest constant rate, found by halving the interval
# between 0 and PostGIS's best in six trials of PROBE seconds (to within 1/64 of
# it), at which the full answer still has p99 <= 5 ms with every request due
# sent; 0 when even the lowest rate tried misses it.
sustained() {
  local url=$1 lo=0 hi=$pgbest mid result p99 achieved
  for _ in 1 2 3 4 5 6; do
    mid=$(( (lo + hi) / 2 ))
    result=$("$work/openload" -adresse "$url" -debit "$mid" -duree "${PROBE}s" -connexions "$CONNECTIONS" | awk '$1 == "RESULTAT"')
    p99=$(echo "$result" | tr ' ' '\n' | awk -F= '$1 == "p99_ms" {print $2}')
    achieved=$(echo "$result" | tr ' ' '\n' | awk -F= '$1 == "achieved" {print $2}')
    if awk -v p="$p99" -v a="$achieved" -v r="$mid" 'BEGIN {exit !(p <= 5 && a >= 0.99 * r)}'; then lo=$mid; else hi=$mid; fi
  done
  echo "$lo"
}
start_server
QUERY= wrk -t2 -c4 -d"${WARMUP}s" -s bench/resolve.lua "$base" >/dev/null
echo
echo "== débit constant de $pgbest req/s pendant ${DURATION} s (bench/openload, modèle ouvert, $CONNECTIONS connexions, sans compression)"
printf '| serveur, réponse | débit obtenu | erreurs | p50 ms | p90 ms | p99 ms | p99,9 ms | max ms | collections | marquage par collection, ms | temps passé à marquer | processeur du générateur | processeur du serveur | RSS max Mo | machine occupée |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
constant_rate full "service, complète" "$base" ""
constant_rate lean "service, options=0" "$base" "&options=0"
held_service=$(sustained "$base")
stop_server
start_ceiling
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$((PORT + 1))/api/v1/resolve" && break; sleep 0.1; done
constant_rate ceiling "serveur nu (bench/ceiling), $fbytes octets" "http://127.0.0.1:$((PORT + 1))" ""
held_ceiling=$(sustained "http://127.0.0.1:$((PORT + 1))")
stop_server
printf '%s' "$notes"
echo
echo "débit constant le plus haut tenu avec p99 ≤ 5 ms, réponse complète (dichotomie entre 0 et $pgbest req/s, 6 essais de ${PROBE} s) :"
echo "  service : $held_service req/s ($(awk -v a="$held_service" -v b="$pgbest" 'BEGIN {printf "%.2f", a/b}')× le meilleur PostGIS) ; serveur nu : $held_ceiling req/s"

verdict() { # verdict OK-CONDITION TEXT
  if awk "BEGIN {exit !($1)}"; then echo "atteint : $2"; else echo "NON ATTEINT : $2"; fi
}
echo
echo "== objectifs"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f %%", 100*a/b}'; }
# The work of one answer alone, without network: all the event loop does for
# a request but its system calls (reading the head from its buffer, the
# service's whole handler chain — Gin, its middleware, the answer — and
# making the answer's bytes), in process, on 65,536 points drawn as
# bench/resolve.lua draws them and asked in turn, so that, as under wrk, the
# outlines they fall in are mostly out of the processor's caches. A floor of
# what an answer costs the server under load, where the network's work also
# clears the caches.
echo "== travail d'une réponse seule, sans réseau (go test -bench BenchmarkLaneAnswer, points du banc)" >&2
inproc=$(ZONAGE_DATA="${ZONAGE_DATA:-../shared/data}" go test -run '^$' -bench 'BenchmarkLaneAnswer' -benchtime 3s ./web 2>&1 |
  awk '/^BenchmarkLaneAnswer\/full/ {f = $3} /^BenchmarkLaneAnswer\/lean/ {l = $3} END {printf "%.2f %.2f", f / 1000, l / 1000}')
read -r work_full work_lean <<<"$inproc"
echo
echo "travail d'une réponse seule, sans réseau (BenchmarkLaneAnswer : la voie rapide sans ses appels système, 65 536 points du banc tour à tour) : réponse complète $work_full µs, options=0 $work_lean µs"

# within_reach GOAL SERVICE NETHTTP RAW LOOPS WORK SERVICEUSER RAWLINE LOOPSLINE:
# what the three ceilings' best rates say of a throughput goal the service's
# best missed. RAWLINE and LOOPSLINE are the best lines of the two sweeps
# without an HTTP library (wrk_run's fields). The machine's ceiling is the
# better of the two: a goal above it is out of reach of any server that reads
# and writes each request. Below it, the budget: at the goal's rate the
# machine has nproc/GOAL of CPU time per request, of which a request of the
# machine's ceiling already took nproc·busy/ceiling (network, kernel,
# generator, the bare server's own few instructions: all but the answer's
# work); what is left is all an answer's work may take. That work is measured
# under load as the user-space CPU time the service's process took per
# request at its best (SERVICEUSER: the answer, Gin, the runtime and its
# collector) less the bare server's at the ceiling; the kernel's part, a read
# and a write per request for both, is in the ceiling's share. WORK, the
# answer's work measured alone, is shown beside it. Above the budget, the goal
# is out of reach of this service here.
within_reach() {
  local machine=$4 line=$8
  [ "$5" -gt "$machine" ] && machine=$5 line=$9
  if [ "$2" -ge "$1" ]; then
    return
  elif [ "$machine" -lt "$1" ]; then
    echo " ; hors de portée ici de tout serveur qui lit et écrit chaque requête : il demande $(pct "$1" "$machine") du plafond de la machine"
    return
  fi
  local busy bare budget loaded
  read -r _ _ _ _ busy bare _ <<<"$line"
  budget=$(awk -v n="$(nproc)" -v g="$1" -v c="$machine" -v b="$busy" 'BEGIN {printf "%.2f", n * 1e6 * (1 / g - b / 100 / c)}')
  loaded=$(awk -v s="$7" -v b="$bare" 'BEGIN {printf "%.2f", s - b}')
  local measured="sous charge, le processus du service prend $7 µs de processeur par requête en espace utilisateur, $loaded de plus que le serveur nu du plafond ($bare) ; le travail d'une réponse mesuré seul en prend $6"
  if awk -v w="$loaded" -v b="$budget" 'BEGIN {exit !(w > b)}'; then
    echo " ; il demande $(pct "$1" "$machine") du plafond de la machine : à ce débit, il reste $budget µs de processeur par requête au-delà de ce qu'en prend une requête du plafond (machine occupée à $busy %), et $measured : hors de portée de ce service ici"
  elif [ "$4" -lt "$1" ]; then
    echo " ; hors de portée ici d'une goroutine par connexion, même sans bibliothèque HTTP ; il demande $(pct "$1" "$machine") du plafond de la machine, et laisse $budget µs par requête au travail d'une réponse ; $measured"
  elif [ "$3" -lt "$1" ]; then
    echo " ; hors de portée de net/http ici ; il demande $(pct "$1" "$machine") du plafond de la machine, et laisse $budget µs par requête au travail d'une réponse ; $measured"
  else
    echo " ; il demande $(pct "$1" "$machine") du plafond de la machine, et laisse $budget µs par requête au travail d'une réponse ; $measured"
  fi
}
# user_at ARRAY CLIENTS: the server's user-space CPU time per request in that
# line of a sweep.
user_at() {
  local -n a=$1
  echo "${a[$2]}" | awk '{print $6}'
}
read -r rfc _ <<<"$(best rawfull)"
read -r rlc _ <<<"$(best rawlean)"
read -r efc _ <<<"$(best loopfull)"
read -r elc _ <<<"$(best looplean)"
verdict "$fbest >= 2 * $pgbest" "réponse complète ≥ 2× le meilleur PostGIS ($(ratio "$fbest" "$pgbest")× ; plafonds ici : net/http $(ratio "$cfbest" "$pgbest")×, une goroutine par connexion sans bibliothèque HTTP $(ratio "$rfbest" "$pgbest")×, boucles d'événements $(ratio "$efbest" "$pgbest")× ; le service en fait $(pct "$fbest" "$cfbest"), $(pct "$fbest" "$rfbest") et $(pct "$fbest" "$efbest")$(within_reach "$((2 * pgbest))" "$fbest" "$cfbest" "$rfbest" "$efbest" "$work_full" "$(user_at full "$fc")" "${rawfull[$rfc]}" "${loopfull[$efc]}"))"
verdict "$lbest >= 3 * $pgbest" "options=0 ≥ 3× le meilleur PostGIS ($(ratio "$lbest" "$pgbest")× ; plafonds ici : net/http $(ratio "$clbest" "$pgbest")×, une goroutine par connexion sans bibliothèque HTTP $(ratio "$rlbest" "$pgbest")×, boucles d'événements $(ratio "$elbest" "$pgbest")× ; le service en fait $(pct "$lbest" "$clbest"), $(pct "$lbest" "$rlbest") et $(pct "$lbest" "$elbest")$(within_reach "$((3 * pgbest))" "$lbest" "$clbest" "$rlbest" "$elbest" "$work_lean" "$(user_at lean "$lc")" "${rawlean[$rlc]}" "${looplean[$elc]}"))"
verdict "${p99s[full]} <= 5" "p99 ≤ 5 ms à $pgbest req/s, réponse complète (${p99s[full]} ms ; le collecteur du service a marqué ${marking[full]} % du temps ; serveur nu au même débit : ${p99s[ceiling]} ms)"
verdict "${rss[full]} <= 300" "RSS ≤ 300 Mo sous cette charge (${rss[full]} Mo)"

# Classify over HTTP: the whole file in, the whole answer out.
start_server
echo
echo "== POST /api/v1/classify, $ROWS lignes"
awk -v n="$ROWS" 'BEGIN { srand(2); print "id;latitude;longitude"
  for (i = 0; i < n; i++) printf "%d;%.6f;%.6f\n", i, 42.3 + rand()*8.8, -4.8 + rand()*13.0 }' >"$work/coords.csv"
laposte=$(ls "${ZONAGE_DATA:-../shared/data}"/codes_postaux/laposte_*.csv.gz | tail -1)
zcat "$laposte" | awk -F, -v n="$ROWS" 'NR > 1 {gsub(/"/, ""); cp[++m] = $3; ville[m] = $2}
  END {print "id;code_postal;ville"; for (i = 0; i < n; i++) {k = i % m + 1; printf "%d;%s;%s\n", i, cp[k], ville[k]}}' >"$work/postcodes.csv"
for kind in coords postcodes; do
  secs=$(curl -s -o "$work/out.csv" -w '%{time_total}' -X POST -H 'Content-Type: text/csv' \
    --data-binary "@$work/$kind.csv" "$base/api/v1/classify")
  rows=$(($(wc -l <"$work/out.csv") - 1))
  label=$([ "$kind" = coords ] && echo "coordonnées (objectif ≥ 150 000 lignes/s)" || echo "code postal + commune (objectif ≥ 50 000 lignes/s)")
  echo "$label : $rows lignes en $secs s, $(awk -v r="$rows" -v s="$secs" 'BEGIN {printf "%.0f", r/s}') lignes/s"
done
stop_server
echo
echo "== charge à la fin : $(uptime | sed 's/.*load average/load average/')"
