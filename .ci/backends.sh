#!/usr/bin/env bash
# Makes sure PostgreSQL, PgBouncer, Redis and a six-node Redis Cluster run on
# this machine (starting them if stopped, installing them from Debian's
# packages if missing), creates the test database, and exports what the test
# suites read:
#   TEST_DATABASE_URL, TEST_POOLED_DATABASE_URL (the same database through
#   PgBouncer in transaction mode), TEST_REDIS_URL, TEST_REDIS_CLUSTER_URL, and
#   REQUIRE_BACKENDS=1 (a missing service then fails the tests instead of
#   skipping them).
# Sourced by .ci/run; can be sourced by hand before `cargo test`.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
PGBOUNCER_PORT=6432
# PgBouncer's configuration, pid file and log: it runs as postgres, which must own them.
PGBOUNCER_DIR=/var/lib/pgbouncer-ci
REDIS_PORT=6379
TEST_DB=accounts_test

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  echo "installing $* from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # wait_for DESCRIPTION COMMAND...
  local what=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "$what did not come up" >&2
  return 1
}

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    apt_install postgresql postgresql-client
    local version; version=$(ls /etc/postgresql | sort -V | tail -n1)
    # The tests connect over TCP as postgres without a password, as on the CI machines.
    sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/; s/^(host\s+all\s+all\s+::1\/128\s+)\S+/\1trust/' \
      "/etc/postgresql/$version/main/pg_hba.conf"
  fi
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
    local version; version=$(ls /etc/postgresql | sort -V | tail -n1)
    echo "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster --skip-systemctl-redirect "$version" main restart
    wait_for "PostgreSQL" pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
  fi
  if ! psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$TEST_DB'" | grep -q 1; then
    psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE $TEST_DB"
  fi
  export TEST_DATABASE_URL="postgres://postgres@$PG_HOST:$PG_PORT/$TEST_DB"
}

ensure_pgbouncer() {
  if ! command -v pgbouncer >/dev/null; then
    apt_install pgbouncer
  fi
  if ! pg_isready -q -h "$PG_HOST" -p "$PGBOUNCER_PORT" -U postgres; then
    echo "starting PgBouncer"
    as_root mkdir -p "$PGBOUNCER_DIR"
    # Transaction pooling as a shop runs it in front of many instances. The
    # fallback entry reaches every database of the server, so a test can create
    # its own and use it through the pooler. Few server connections per
    # database and user, so the clients of one instance share them; idle ones
    # close soon, so the databases tests leave behind hold none for long.
    as_root tee "$PGBOUNCER_DIR/pgbouncer.ini" >/dev/null <<EOF
[databases]
* = host=$PG_HOST port=$PG_PORT

[pgbouncer]
listen_addr = $PG_HOST
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PGBOUNCER_DIR/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 4
max_client_conn = 2000
max_user_connections = 40
server_idle_timeout = 5
ignore_startup_parameters = extra_float_digits
logfile = $PGBOUNCER_DIR/pgbouncer.log
pidfile = $PGBOUNCER_DIR/pgbouncer.pid
EOF
    echo '"postgres" ""' | as_root tee "$PGBOUNCER_DIR/userlist.txt" >/dev/null
    as_root chown -R postgres:postgres "$PGBOUNCER_DIR"
    # Started directly, not through systemd (CI machines have none); it refuses
    # to run as root, so it drops to postgres.
    as_root pgbouncer -d -u postgres "$PGBOUNCER_DIR/pgbouncer.ini"
    wait_for "PgBouncer" pg_isready -q -h "$PG_HOST" -p "$PGBOUNCER_PORT" -U postgres
  fi
  export TEST_POOLED_DATABASE_URL="postgres://postgres@$PG_HOST:$PGBOUNCER_PORT/$TEST_DB"
}

ensure_redis() {
  if ! command -v redis-server >/dev/null; then
    apt_install redis-server
  fi
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    echo "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for "Redis" sh -c "redis-cli -h 127.0.0.1 -p $REDIS_PORT ping | grep -q PONG"
  fi
  export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  export REDIS_SERVER_BIN
  REDIS_SERVER_BIN=$(command -v redis-server)
}

# Three masters and three replicas on ports 7001-7006, nothing kept on disk but
# each node's cluster file; a short node timeout so a failed master is replaced
# within seconds. Tests that kill a master start a cluster of their own.
REDIS_CLUSTER_PORTS=(7001 7002 7003 7004 7005 7006)
REDIS_CLUSTER_DIR=/var/lib/redis-cluster-ci

# Whole: every slot served, three replicas, none failed, each in sync with its master. A cluster that lost a
# node (a replica promoted and its master never back) has a master without a replica, and the suites that
# confirm writes with one (REDIS_WAIT_REPLICAS=1) would answer 503: such a cluster is made again.
redis_cluster_is_whole() {
  local first=${REDIS_CLUSTER_PORTS[0]} port
  redis-cli -p "$first" cluster info 2>/dev/null | grep -q "cluster_state:ok" || return 1
  [ "$(redis-cli -p "$first" cluster nodes | grep -c slave)" -eq 3 ] || return 1
  ! redis-cli -p "$first" cluster nodes | grep -q fail || return 1
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    redis-cli -p "$port" info replication | grep -Eq "role:master|master_link_status:up" || return 1
  done
}

ensure_redis_cluster() {
  local first=${REDIS_CLUSTER_PORTS[0]}
  if ! redis_cluster_is_whole; then
    echo "starting a Redis Cluster on ports ${REDIS_CLUSTER_PORTS[*]}"
    local port nodes=()
    for port in "${REDIS_CLUSTER_PORTS[@]}"; do
      redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
      rm -rf "${REDIS_CLUSTER_DIR:?}/$port"
      mkdir -p "$REDIS_CLUSTER_DIR/$port"
      redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
        --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 --repl-diskless-sync-delay 0 \
        --dir "$REDIS_CLUSTER_DIR/$port" --logfile "$REDIS_CLUSTER_DIR/$port/redis.log"
      wait_for "Redis Cluster node $port" sh -c "redis-cli -p $port ping | grep -q PONG"
      nodes+=("127.0.0.1:$port")
    done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
    wait_for "the Redis Cluster" sh -c "redis-cli -p $first cluster info | grep -q cluster_state:ok"
    # Replicas attach and sync a moment later; the suites that confirm writes with one need them.
    wait_for "the Redis Cluster's replicas" redis_cluster_is_whole
  fi
  export TEST_REDIS_CLUSTER_URL="redis-cluster://127.0.0.1:$first?node=127.0.0.1:${REDIS_CLUSTER_PORTS[1]}&node=127.0.0.1:${REDIS_CLUSTER_PORTS[2]}"
  export REDIS_CLI_BIN
  REDIS_CLI_BIN=$(command -v redis-cli)
}

ensure_postgres
ensure_pgbouncer
ensure_redis
ensure_redis_cluster
export REQUIRE_BACKENDS=1
echo "backends: TEST_DATABASE_URL=$TEST_DATABASE_URL TEST_POOLED_DATABASE_URL=$TEST_POOLED_DATABASE_URL" \
  "TEST_REDIS_URL=$TEST_REDIS_URL TEST_REDIS_CLUSTER_URL=$TEST_REDIS_CLUSTER_URL REQUIRE_BACKENDS=1"
