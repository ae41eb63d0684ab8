#!/usr/bin/env bash
# The production benchmark: builds the release binary, runs it on PostgreSQL +
# Redis, then on PostgreSQL through PgBouncer + a Redis Cluster, then on the
# embedded defaults (SQLite, in-process cache), drives each with wrk over
# loopback, and prints one Markdown table per backend with the targets of
# issue #14 checked against this run's own ceilings, and the cluster's rates
# beside the single Redis's (issue #24).
#
#   bash bench/run.sh            # 10 s per scenario (BENCH_SECS to change)
#   bash bench/run.sh --smoke    # 1 s per scenario: does every step still work?
#
# Environment: BENCH_SECS (default 10), BENCH_BACKENDS ("postgres cluster embedded"),
# BENCH_BINARY (skip the build and use this binary), BENCH_PORT (18080),
# BENCH_RUST_LOG (info, as in production: the request log is part of the cost),
# BENCH_SERVER_ENV (more VAR=value settings for the server, space-separated, for
# experiments such as DATABASE_MAX_CONNECTIONS=8).
# Every rate limit is configured off (0): the bench measures the work, not the
# limits. PostgreSQL, PgBouncer, Redis and the Redis Cluster come from
# .ci/backends.sh (installed and started if missing); the bench uses its own
# databases, `accounts_bench` and `accounts_bench_cluster`, recreated on each
# run, and its own Redis key prefix per run and backend.
#
# `cluster` is the topology of many instances (docs/deploy.md): PostgreSQL
# through CI's PgBouncer (transaction pooling, DATABASE_POOLER=transaction, its
# default_pool_size of server connections; the migrations run first with
# `meiduo-accounts migrate` over a direct connection), and CI's six-node Redis
# Cluster with REDIS_WAIT_REPLICAS=1 (each write guarding a single use or
# counting a guess waits for one replica).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SECS=${BENCH_SECS:-10}
if [ "${1:-}" = "--smoke" ]; then SECS=1; fi
BACKENDS=${BENCH_BACKENDS:-postgres cluster embedded}
PORT=${BENCH_PORT:-18080}
BASE="http://127.0.0.1:$PORT"
CORES=$(nproc)
TICKS=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/meiduo-bench.XXXXXX)
SERVER_PID=

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v wrk >/dev/null; then
  echo "installing wrk from Debian's packages" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk >/dev/null
fi

BINARY=${BENCH_BINARY:-}
if [ -z "$BINARY" ]; then
  cargo build --release -p bootstrap >&2
  BINARY="$ROOT/target/release/meiduo-accounts"
fi

runs() { case " $BACKENDS " in *" $1 "*) return 0 ;; esac; return 1; }

PG_DIRECT="postgres://postgres@127.0.0.1:5432"
PGBOUNCER_ADMIN="postgres://postgres@127.0.0.1:6432/pgbouncer"
recreate_database() { # recreate_database NAME
  psql "$PG_DIRECT/postgres" -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >&2
  psql "$PG_DIRECT/postgres" -qc "CREATE DATABASE $1" >&2
}
if runs postgres || runs cluster; then
  # shellcheck source=../.ci/backends.sh
  source .ci/backends.sh >&2
fi
if runs postgres; then recreate_database accounts_bench; fi
if runs cluster; then
  recreate_database accounts_bench_cluster
  # Through the pooler `serve` does not migrate: the migrations go direct.
  env -i PATH="$PATH" HOME="$HOME" RUST_LOG=warn DATABASE_URL="$PG_DIRECT/accounts_bench_cluster" \
    "$BINARY" migrate >&2
  POOL_SIZE=$(psql "$PGBOUNCER_ADMIN" -tAc "SHOW CONFIG" | awk -F'|' '$1 == "default_pool_size" {print $2}')
fi

# --- measuring ------------------------------------------------------------

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# CPU of PostgreSQL, PgBouncer and Redis together (every process of theirs, the
# single Redis and the cluster's six nodes alike, so other users of the same
# servers count too; the bench says so in its notes).
backend_ticks() {
  local total=0 pid
  for pid in $(pgrep -x postgres; pgrep -x pgbouncer; pgrep -x redis-server); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# CPU of the server's hashing threads (named password-hash-N): what the
# hashes of a scenario cost, measured in the same seconds as its requests.
hash_ticks() {
  local total=0 task
  for task in /proc/"$1"/task/*; do
    if grep -q '^password-hash' "$task/comm" 2>/dev/null; then
      total=$((total + $(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0)))
    fi
  done
  echo "$total"
}

# PgBouncer's running totals for the cluster's database: transactions and the
# µs clients waited for a server connection (is its pool the bottleneck?).
pool_totals() {
  if [ "$backend" != cluster ]; then echo "0 0"; return; fi
  psql "$PGBOUNCER_ADMIN" -tAc "SHOW STATS" |
    awk -F'|' '$1 == "accounts_bench_cluster" {print $2, $8; found = 1} END {if (!found) print 0, 0}'
}

peak_rss_mib() { awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

declare -A RESULT

progress() { echo "[$(date +%T)] $*" >&2; }

# run_wrk NAME THREADS CONNECTIONS SCRIPT URL [wrk args...] [-- script args]
run_wrk() {
  local name=$1 threads=$2 connections=$3 script=$4 url=$5
  shift 5
  progress "$name"
  local before_server before_backend before_hash before_pool out
  before_server=$(cpu_ticks "$SERVER_PID")
  before_backend=$(backend_ticks)
  before_hash=$(hash_ticks "$SERVER_PID")
  before_pool=$(pool_totals)
  out=$(wrk -t"$threads" -c"$connections" -d"${SECS}s" --timeout 5s -s "bench/$script" "$url" "$@")
  record "$name" "$out" "$before_server" "$before_backend" "$before_hash" "$before_pool"
}

# record NAME WRK_OUTPUT SERVER_TICKS_BEFORE BACKEND_TICKS_BEFORE HASH_TICKS_BEFORE POOL_TOTALS_BEFORE
record() {
  local name=$1 out=$2 line
  line=$(grep '^RESULT ' <<<"$out" || true)
  if [ -z "$line" ]; then
    echo "wrk gave no result for $name:" >&2
    echo "$out" >&2
    exit 1
  fi
  local requests duration p50 p99 non2xx socket
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  duration=$(sed -E 's/.*duration_us=([0-9]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.*p50_us=([0-9]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$line")
  non2xx=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$line")
  socket=$(sed -E 's/.*socket_errors=([0-9]+).*/\1/' <<<"$line")
  local server_ticks=$(($(cpu_ticks "$SERVER_PID") - $3))
  local backend_ticks=$(($(backend_ticks) - $4))
  local hashing_ticks=$(($(hash_ticks "$SERVER_PID") - $5))
  RESULT[$name.requests]=$requests
  # Only answers below 400 count as served: fast refusals must not pass for throughput.
  RESULT[$name.rps]=$(awk -v r="$requests" -v e="$non2xx" -v d="$duration" \
    'BEGIN {printf "%.1f", (d > 0 ? (r - e) * 1e6 / d : 0)}')
  RESULT[$name.p50]=$(awk -v v="$p50" 'BEGIN {printf "%.2f", v / 1000}')
  RESULT[$name.p99]=$(awk -v v="$p99" 'BEGIN {printf "%.2f", v / 1000}')
  RESULT[$name.errors]="$non2xx non-2xx, $socket socket"
  RESULT[$name.cpu]=$(awk -v t="$server_ticks" -v hz="$TICKS" -v r="$requests" \
    'BEGIN {printf "%.3f", (r > 0 ? t * 1000 / hz / r : 0)}')
  RESULT[$name.backend_cpu]=$(awk -v t="$backend_ticks" -v hz="$TICKS" -v r="$requests" \
    'BEGIN {printf "%.3f", (r > 0 ? t * 1000 / hz / r : 0)}')
  RESULT[$name.hash_cpu]=$(awk -v t="$hashing_ticks" -v hz="$TICKS" -v r="$requests" \
    'BEGIN {printf "%.2f", (r > 0 ? t * 1000 / hz / r : 0)}')
  RESULT[$name.rss]=$(peak_rss_mib "$SERVER_PID")
  local xacts waited xacts_before waited_before
  read -r xacts waited <<<"$(pool_totals)"
  read -r xacts_before waited_before <<<"$6"
  RESULT[$name.pool_xacts]=$(awk -v x="$((xacts - xacts_before))" -v r="$requests" \
    'BEGIN {printf "%.1f", (r > 0 ? x / r : 0)}')
  RESULT[$name.pool_wait]=$(awk -v w="$((waited - waited_before))" -v r="$requests" \
    'BEGIN {printf "%.0f", (r > 0 ? w / r : 0)}')
}

# --- the server -----------------------------------------------------------

start_server() { # start_server BACKEND
  local backend=$1 data_dir="$WORK/data-$1"
  mkdir -p "$data_dir"
  local -a env=(
    PATH="$PATH" HOME="$HOME"
    BIND_ADDR="127.0.0.1:$PORT" DATA_DIR="$data_dir"
    RUST_LOG="${BENCH_RUST_LOG:-info}"
    # Every limit is configuration; 0 = off.
    CODE_RESEND_INTERVAL_SECS=0 CODE_DAILY_LIMIT=0 CODE_IP_HOURLY_LIMIT=0
    LOGIN_ACCOUNT_FAILURES=0 LOGIN_IP_FAILURES=0 AVAILABILITY_IP_PER_MINUTE=0 CAPTCHA_IP_PER_MINUTE=0
    EMAIL_TEST_ADDRESSES="bench*=135790"
  )
  case $backend in
    postgres)
      env+=(
        DATABASE_URL="$PG_DIRECT/accounts_bench"
        REDIS_URL="$TEST_REDIS_URL" REDIS_KEY_PREFIX="meiduo:bench:$$:"
        JWT_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      )
      ;;
    cluster)
      # As docs/deploy.md sets up many instances: the pooler, no migrations at
      # start (done above), and one replica confirming each guarding write.
      env+=(
        DATABASE_URL="postgres://postgres@127.0.0.1:6432/accounts_bench_cluster"
        DATABASE_POOLER=transaction AUTO_MIGRATE=false
        REDIS_URL="$TEST_REDIS_CLUSTER_URL" REDIS_KEY_PREFIX="meiduo:bench:$$:cluster:" REDIS_WAIT_REPLICAS=1
        JWT_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      )
      ;;
  esac
  # Last, so that an experiment can override a backend's own settings too.
  # shellcheck disable=SC2206 # word splitting is the point: one VAR=value per word
  env+=(${BENCH_SERVER_ENV:-})
  if curl -s -o /dev/null "$BASE/health/live/"; then
    echo "something already answers on $BASE; set BENCH_PORT to a free port" >&2
    exit 1
  fi
  env -i "${env[@]}" "$BINARY" serve 2>"$WORK/server-$backend.log" >/dev/null &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    if curl -fs "$BASE/health/ready/" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "the server did not become ready; its log:" >&2
  cat "$WORK/server-$backend.log" >&2
  exit 1
}

stop_server() {
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

# One account to read and log in with: an email code for a test address, then
# registration, then a login for its token.
make_account() { # make_account USERNAME EMAIL -> prints the access token
  curl -fs "$BASE/email_codes/$2/?send_type=register" >/dev/null
  curl -fs -X POST "$BASE/users/" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"bench-password-1\",\"password2\":\"bench-password-1\",
         \"email\":\"$2\",\"email_code\":\"135790\",\"allow\":true}" >/dev/null
  curl -fs -X POST "$BASE/authorizations/" -d "username=$1&password=bench-password-1" |
    sed -E 's/.*"token":"([^"]+)".*/\1/'
}

# Email codes for the addresses `register` will post, CHUNK per thread at a
# time; a chunk that was not answered in full is asked again (a new code for
# a test address is the same fixed code).
prepare_registrations() {
  local chunk=250 offset=0 tries=0 prepared requests
  progress "$backend: preparing $((CODES_PER_THREAD * 2)) registrations"
  while [ "$offset" -lt "$CODES_PER_THREAD" ]; do
    prepared=$(wrk -t2 -c16 -d2s -s bench/send_codes.lua "$BASE" -- bench "$chunk" "$offset")
    requests=$(sed -nE 's/^RESULT requests=([0-9]+) non2xx=0 socket_errors=0$/\1/p' <<<"$prepared")
    if [ -n "$requests" ] && [ "$requests" -ge $((chunk * 2)) ]; then
      offset=$((offset + chunk))
    elif [ $((tries += 1)) -gt 5 ]; then
      echo "preparing the registrations failed:" >&2
      echo "$prepared" >&2
      exit 1
    fi
  done
}

# --- the run --------------------------------------------------------------

# The fastest of several hashes: the cost of one when it has a core to itself
# (the others compile and test on these cores too).
HASH_MS=$("$BINARY" hash-cost --rounds 15)
CEILING=$(awk -v c="$CORES" -v h="$HASH_MS" 'BEGIN {printf "%.1f", c * 1000 / h}')
# And what a hash costs a core while every core hashes: nothing but hashing,
# the rate the login endpoints would reach if the rest of a request were free.
HASH_ALL_MS=$("$BINARY" hash-cost --rounds 8 --threads "$CORES")
ALL_CORES_CEILING=$(awk -v c="$CORES" -v h="$HASH_ALL_MS" 'BEGIN {printf "%.1f", c * 1000 / h}')
# The hash cost moves by a third from minute to minute here (the 19 MiB of a
# hash compete for the last-level cache with whatever else the host runs), so
# the ceiling that logins and registrations are held to is timed right beside
# them: just before the logins and just after the registrations, with the
# server idle, the faster of the two counting (the higher, stricter ceiling).
time_hashes() { # time_hashes BACKEND before|after
  progress "$1: timing hashes $2"
  RESULT[$1.hash_$2]=$("$BINARY" hash-cost --rounds 7)
  RESULT[$1.hash_all_$2]=$("$BINARY" hash-cost --rounds 4 --threads "$CORES")
}

hash_ceilings() { # hash_ceilings BACKEND
  local faster faster_all
  faster=$(awk -v a="${RESULT[$1.hash_before]}" -v b="${RESULT[$1.hash_after]}" 'BEGIN {print (a < b ? a : b)}')
  faster_all=$(awk -v a="${RESULT[$1.hash_all_before]}" -v b="${RESULT[$1.hash_all_after]}" \
    'BEGIN {print (a < b ? a : b)}')
  RESULT[$1.hash_ms]=$faster
  RESULT[$1.ceiling]=$(awk -v c="$CORES" -v h="$faster" 'BEGIN {printf "%.1f", c * 1000 / h}')
  RESULT[$1.hash_all_ms]=$faster_all
  RESULT[$1.all_cores_ceiling]=$(awk -v c="$CORES" -v h="$faster_all" 'BEGIN {printf "%.1f", c * 1000 / h}')
}

# Enough prepared registrations for twice the ceiling (each of two threads gets
# the whole ceiling's worth), however long the run.
CODES_PER_THREAD=$(awk -v c="$CEILING" -v s="$SECS" 'BEGIN {printf "%d", int(c * s) + 100}')

for backend in $BACKENDS; do
  start_server "$backend"
  run_wrk "$backend.health" 2 64 plain.lua "$BASE/health/live/"
  token=$(make_account benchreader "bench-reader@example.com")
  run_wrk "$backend.user" 2 64 plain.lua "$BASE/user/" -H "Authorization: JWT $token"
  run_wrk "$backend.count" 2 64 wrk.lua "$BASE" -- count new
  time_hashes "$backend" before
  run_wrk "$backend.login" 2 32 wrk.lua "$BASE" -- login benchreader bench-password-1
  prepare_registrations
  run_wrk "$backend.register" 2 32 wrk.lua "$BASE" -- register bench
  time_hashes "$backend" after
  hash_ceilings "$backend"

  # /user/ while a login flood hashes: the flood starts first and outlasts it.
  # First the reader's own account floods (each login records `last_login`, which
  # updates that account in the account cache in place), then another account does.
  make_account benchflooder "bench-flooder@example.com" >/dev/null
  for flooder in benchreader benchflooder; do
    wrk -t1 -c32 -d"$((SECS + 2))s" --timeout 5s -s bench/wrk.lua "$BASE" -- login "$flooder" bench-password-1 \
      >"$WORK/flood.out" &
    flood=$!
    sleep 0.5
    case $flooder in
      benchreader) run_wrk "$backend.flood" 2 64 plain.lua "$BASE/user/" -H "Authorization: JWT $token" ;;
      *) run_wrk "$backend.otherflood" 2 64 plain.lua "$BASE/user/" -H "Authorization: JWT $token" ;;
    esac
    wait "$flood"
  done
  RESULT[$backend.peak_rss]=$(peak_rss_mib "$SERVER_PID")
  stop_server
done

# --- the report -----------------------------------------------------------

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", (b > 0 ? a * 100 / b : 0)}'; }
verdict() { if awk -v a="$1" -v b="$2" 'BEGIN {exit !(a <= b)}'; then echo met; else echo "**NOT met**"; fi; }

echo
echo "Machine: $CORES CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo);" \
  "load average before the report: $(cut -d' ' -f1-3 /proc/loadavg); $SECS s per scenario; wrk on loopback."
echo "One argon2id hash (19 MiB, t=2, p=1): $HASH_MS ms (the fastest of 15), so the login ceiling is" \
  "$CORES ÷ $HASH_MS ms = $CEILING/s. With all $CORES CPUs hashing at once, nothing else running, a hash costs" \
  "$HASH_ALL_MS ms of a CPU: $ALL_CORES_CEILING/s is as fast as this machine hashes. These were timed at the start;" \
  "logins and registrations are held to the ceiling timed beside them (given under each table)." \
  "req/s counts answers below 400 only."
for backend in $BACKENDS; do
  health=${RESULT[$backend.health.rps]}
  ceiling=${RESULT[$backend.ceiling]}
  echo
  case $backend in
    postgres) echo "### PostgreSQL + Redis" ;;
    cluster) echo "### PostgreSQL through PgBouncer + Redis Cluster, WAIT 1" ;;
    embedded) echo "### Embedded (SQLite, in-process cache)" ;;
  esac
  echo
  echo "| scenario | connections | req/s | share | p50 ms | p99 ms | errors | server CPU ms/req | backends CPU ms/req | peak RSS so far MiB |"
  echo "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"
  for row in "health|GET /health/live/|64|of itself" "user|GET /user/ (token)|64|of health" \
    "count|GET /usernames/{new}/count/|64|of health" "login|POST /authorizations/|32|of ceiling" \
    "register|POST /users/ (email)|32|of ceiling" "flood|GET /user/ during a login flood (same account)|64|of health" \
    "otherflood|GET /user/ during a login flood (another account)|64|of health"; do
    IFS='|' read -r key label conns base <<<"$row"
    local_name="$backend.$key"
    case $base in
      "of itself") share=100 ;;
      "of health") share=$(ratio "${RESULT[$local_name.rps]}" "$health") ;;
      "of ceiling") share=$(ratio "${RESULT[$local_name.rps]}" "$ceiling") ;;
    esac
    backend_cpu=${RESULT[$local_name.backend_cpu]}
    [ "$backend" = embedded ] && backend_cpu="–"
    echo "| $label | $conns | ${RESULT[$local_name.rps]} | $share % $base | ${RESULT[$local_name.p50]} |" \
      "${RESULT[$local_name.p99]} | ${RESULT[$local_name.errors]} | ${RESULT[$local_name.cpu]} | $backend_cpu |" \
      "${RESULT[$local_name.rss]} |"
  done
  echo
  echo "The ceiling beside the logins and registrations: one hash took ${RESULT[$backend.hash_before]} ms" \
    "before them and ${RESULT[$backend.hash_after]} ms after (the fastest of 7 each), so $CORES ÷" \
    "${RESULT[$backend.hash_ms]} ms = $ceiling/s; with all $CORES CPUs hashing, ${RESULT[$backend.hash_all_before]} and" \
    "${RESULT[$backend.hash_all_after]} ms of a CPU per hash, so ${RESULT[$backend.all_cores_ceiling]}/s."
  login_in_run=$(awk -v c="$CORES" -v h="${RESULT[$backend.login.hash_cpu]}" 'BEGIN {printf "%.1f", (h > 0 ? c * 1000 / h : 0)}')
  register_in_run=$(awk -v c="$CORES" -v h="${RESULT[$backend.register.hash_cpu]}" \
    'BEGIN {printf "%.1f", (h > 0 ? c * 1000 / h : 0)}')
  echo "Inside those runs the server's hashing threads spent ${RESULT[$backend.login.hash_cpu]} ms of CPU per login" \
    "and ${RESULT[$backend.register.hash_cpu]} ms per registration, so at the hash cost of those very seconds the" \
    "$CORES CPUs could do at most $login_in_run logins/s and $register_in_run registrations/s if nothing else ran."
  if [ "$backend" = cluster ]; then
    echo "Through PgBouncer (default_pool_size $POOL_SIZE): ${RESULT[cluster.login.pool_xacts]} transactions per login," \
      "clients waiting ${RESULT[cluster.login.pool_wait]} µs per login for a server connection;" \
      "${RESULT[cluster.register.pool_xacts]} and ${RESULT[cluster.register.pool_wait]} µs per registration;" \
      "${RESULT[cluster.user.pool_xacts]} and ${RESULT[cluster.user.pool_wait]} µs per /user/," \
      "${RESULT[cluster.count.pool_xacts]} and ${RESULT[cluster.count.pool_wait]} µs per availability check."
  fi
  echo
  echo "Targets:"
  user_share=$(ratio "${RESULT[$backend.user.rps]}" "$health")
  count_share=$(ratio "${RESULT[$backend.count.rps]}" "$health")
  login_share=$(ratio "${RESULT[$backend.login.rps]}" "$ceiling")
  register_share=$(ratio "${RESULT[$backend.register.rps]}" "$ceiling")
  login_all=$(ratio "${RESULT[$backend.login.rps]}" "${RESULT[$backend.all_cores_ceiling]}")
  register_all=$(ratio "${RESULT[$backend.register.rps]}" "${RESULT[$backend.all_cores_ceiling]}")
  login_own=$(ratio "${RESULT[$backend.login.rps]}" "$login_in_run")
  register_own=$(ratio "${RESULT[$backend.register.rps]}" "$register_in_run")
  flood_factor=$(awk -v a="${RESULT[$backend.flood.p99]}" -v b="${RESULT[$backend.user.p99]}" \
    'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}')
  echo "- GET /user/ ≥ 50 % of /health/live/: $user_share % — $(verdict 50 "$user_share")"
  echo "- GET /user/ p99 ≤ 10 ms: ${RESULT[$backend.user.p99]} ms — $(verdict "${RESULT[$backend.user.p99]}" 10)"
  echo "- availability ≥ 30 % of /health/live/: $count_share % — $(verdict 30 "$count_share")"
  echo "- logins ≥ 90 % of the hash ceiling: $login_share % — $(verdict 90 "$login_share")" \
    "($login_all % of the all-CPUs hashing rate, $login_own % of the rate its own hashes allowed)"
  echo "- registrations ≥ 90 % of the hash ceiling: $register_share % — $(verdict 90 "$register_share")" \
    "($register_all % of the all-CPUs hashing rate, $register_own % of the rate its own hashes allowed)"
  echo "- peak RSS ≤ 64 MiB: ${RESULT[$backend.peak_rss]} MiB — $(verdict "${RESULT[$backend.peak_rss]}" 64)"
  other_flood_factor=$(awk -v a="${RESULT[$backend.otherflood.p99]}" -v b="${RESULT[$backend.user.p99]}" \
    'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}')
  echo "- /user/ p99 during a login flood ≤ 3 × alone: ${flood_factor} × — $(verdict "$flood_factor" 3)" \
    "(the reader's own account flooding; another account's flood: ${other_flood_factor} ×)"
done

# The cluster beside the single Redis (issue #24): the cost of the topology of
# many instances, on one machine where it cannot be faster.
if runs postgres && runs cluster; then
  mark() { if awk -v a="$1" -v b="$2" 'BEGIN {exit !(a >= b)}'; then echo "✅"; else echo "❌"; fi; }
  echo
  echo "### PostgreSQL through PgBouncer + Redis Cluster (WAIT 1) beside PostgreSQL + Redis"
  echo
  echo "Target: the cluster's rates ≥ 80 % of the single Redis's; peak RSS ≤ 64 MiB on every topology."
  echo "The hash-bound rates are also given against each run's own ceiling, timed beside it (the machine's hashing"
  echo "speed drifts between the two runs)."
  echo
  echo "| scenario | single Redis req/s | cluster req/s | cluster ÷ single | |"
  echo "|---|---:|---:|---:|---|"
  for row in "user|GET /user/ (token)" "count|GET /usernames/{new}/count/" "login|POST /authorizations/" \
    "register|POST /users/ (email)"; do
    IFS='|' read -r key label <<<"$row"
    single=${RESULT[postgres.$key.rps]}
    cluster=${RESULT[cluster.$key.rps]}
    share=$(ratio "$cluster" "$single")
    note=
    case $key in login | register)
      note=" (of own ceilings: $(ratio "$cluster" "${RESULT[cluster.ceiling]}") % against"
      note="$note $(ratio "$single" "${RESULT[postgres.ceiling]}") %)"
      ;;
    esac
    echo "| $label | $single | $cluster | $share %$note | $(mark "$share" 80) |"
  done
  echo
  echo "| topology | peak RSS MiB | |"
  echo "|---|---:|---|"
  for backend in $BACKENDS; do
    case $backend in
      postgres) label="PostgreSQL + Redis" ;;
      cluster) label="PostgreSQL through PgBouncer + Redis Cluster, WAIT 1" ;;
      embedded) label="Embedded" ;;
      *) label=$backend ;;
    esac
    echo "| $label | ${RESULT[$backend.peak_rss]} | $(mark 64 "${RESULT[$backend.peak_rss]}") |"
  done
fi
echo
echo "Notes: every rate limit off; the load generator, the server, PostgreSQL, PgBouncer and Redis share the" \
  "$CORES CPUs; backends CPU counts every process of PostgreSQL, PgBouncer and Redis (the single Redis and the" \
  "cluster's six nodes alike), other users of them included; wrk counts an answer of 400 or above as an error" \
  "(\"non-2xx\"). Server logs: $WORK."
