# PostgreSQL (Debian's server package) for the JDBC source and sink's PostgreSQL dialect and the
# PostgreSQL CDC source: logical decoding on (wal_level=logical), a database and a user with
# REPLICATION. Generic on purpose: other servers (e.g. a Temporal server) may keep their own
# databases on it. initdb and postgres refuse to run as root, so as root they run as $PG_OS_USER.
# shellcheck shell=bash

POSTGRES_PORT=${POSTGRES_PORT:-5432}
POSTGRES_USER=${POSTGRES_USER:-tconnect}
POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-tconnect-dev}
POSTGRES_DATABASE=${POSTGRES_DATABASE:-tconnect}
PG_OS_USER=tconnect-pg

# The newest installed server's bin directory (Debian keeps each major version apart).
pg_bindir() {
  local d
  d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && echo "$d"
}

# pg_as CMD...: runs CMD as the server's owner (root may not run initdb/postgres).
pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi; }

provision_postgres() {
  if [ -z "$(pg_bindir)" ] || ! command -v psql >/dev/null 2>&1; then
    apt_install postgresql postgresql-client
    # Debian's package starts its own cluster on 5432; ours runs on its own data directory.
    if command -v service >/dev/null; then service postgresql stop >/dev/null 2>&1 || true; fi
    [ -n "$(pg_bindir)" ] || fail "install postgresql" "$TC_HOME/apt.log" "no server binaries under /usr/lib/postgresql/*/bin"
  fi
  if [ "$(id -u)" = 0 ]; then
    id "$PG_OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER" \
      || fail "create user $PG_OS_USER" "" "useradd failed"
  fi
}

start_postgres() {
  alive postgres && return 0
  port_open "$POSTGRES_PORT" && fail "start postgres" "" "port $POSTGRES_PORT is taken by another process (set POSTGRES_PORT)"
  local dir=$RUN/postgres bin
  bin=$(pg_bindir) || fail "start postgres" "" "PostgreSQL is not installed (npm run stack -- up postgres installs it)"
  mkdir -p "$dir/sock"
  touch "$(logfile postgres)"
  if [ "$(id -u)" = 0 ]; then chmod 755 "$TC_HOME" "$RUN"; chown -R "$PG_OS_USER" "$dir"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    rm -rf "$dir/data"
    # The superuser is the OS user (socket, peer auth); the app user is made by setup_postgres.
    pg_as "$bin/initdb" -D "$dir/data" --encoding=UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256 \
      -U "$PG_OS_USER" >"$dir/initdb.log" 2>&1 || fail "initialize postgres" "$dir/initdb.log" "initdb failed"
    # Password logins over TCP from loopback, replication connections included.
    cat >"$dir/data/pg_hba.conf" <<EOF
local   all           all                     peer
host    all           all        127.0.0.1/32 scram-sha-256
host    replication   all        127.0.0.1/32 scram-sha-256
EOF
    if [ "$(id -u)" = 0 ]; then chown "$PG_OS_USER" "$dir/data/pg_hba.conf"; fi
  fi
  local as=()
  # setpriv execs (runuser would stay the parent): the pid start_bg records is the postmaster's.
  if [ "$(id -u)" = 0 ]; then as=(setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups --); fi
  start_bg postgres "${as[@]}" "$bin/postgres" -D "$dir/data" -p "$POSTGRES_PORT" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$dir/sock" -c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20 \
    -c max_connections=200 -c shared_buffers=128MB -c fsync=on -c timezone=UTC -c log_timezone=UTC \
    -c logging_collector=off -c log_min_messages=warning
}

# SIGINT is PostgreSQL's fast shutdown (SIGTERM waits for every client, replication ones included).
stop_postgres() {
  local pf p
  pf=$(pidfile postgres)
  p=$(cat "$pf" 2>/dev/null || true)
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    say "stopping postgres (pid $p)"
    kill -INT "$p" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$p" 2>/dev/null; then say "postgres did not stop in 30s; killing it"; kill -KILL "$p" 2>/dev/null || true; fi
  fi
  rm -f "$pf"
}

pg_psql_admin() { pg_as psql -X -q -v ON_ERROR_STOP=1 -h "$RUN/postgres/sock" -p "$POSTGRES_PORT" -U "$PG_OS_USER" -d postgres; }

# Creates (or repairs) the app user and database once the server accepts socket connections.
setup_postgres() {
  local pw=${POSTGRES_PASSWORD//\'/\'\'}
  pg_psql_admin >>"$(logfile postgres)" 2>&1 <<SQL || return 1
SELECT format('CREATE ROLE %I', '$POSTGRES_USER') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$POSTGRES_USER')\gexec
ALTER ROLE "$POSTGRES_USER" WITH LOGIN REPLICATION CREATEDB PASSWORD '$pw';
SELECT format('CREATE DATABASE %I OWNER %I', '$POSTGRES_DATABASE', '$POSTGRES_USER') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$POSTGRES_DATABASE')\gexec
SQL
}

health_postgres() {
  alive postgres || { echo "not running"; return 1; }
  [ -S "$RUN/postgres/sock/.s.PGSQL.$POSTGRES_PORT" ] || { echo "process up but not accepting connections yet"; return 1; }
  if ! PGPASSWORD=$POSTGRES_PASSWORD psql -X -qtA -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$POSTGRES_DATABASE" \
      -c 'SELECT 1' >/dev/null 2>&1; then
    # First start (or a changed password): make the user and database, then look again.
    setup_postgres || { echo "process up but creating user $POSTGRES_USER / database $POSTGRES_DATABASE failed (see the log)"; return 1; }
    PGPASSWORD=$POSTGRES_PASSWORD psql -X -qtA -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$POSTGRES_DATABASE" \
      -c 'SELECT 1' >/dev/null 2>&1 || { echo "process up but SELECT 1 as $POSTGRES_USER@127.0.0.1:$POSTGRES_PORT failed"; return 1; }
  fi
}

describe_postgres() { echo "127.0.0.1:$POSTGRES_PORT database $POSTGRES_DATABASE user $POSTGRES_USER (wal_level=logical)"; }

env_postgres() {
  cat <<EOF
POSTGRES_HOST=127.0.0.1
POSTGRES_PORT=$POSTGRES_PORT
POSTGRES_USER=$POSTGRES_USER
POSTGRES_PASSWORD=$POSTGRES_PASSWORD
POSTGRES_DATABASE=$POSTGRES_DATABASE
EOF
}
