# Helpers sourced by .ci/run and the scripts in this folder (not run on its own).

# The features of the end-to-end builds (WebKit's mock camera, no browser launched). The test
# command builds the workspace once with them, so the tests, the end-to-end tests and the app
# binaries they drive share one set of compiled dependencies (each different feature set is a
# separate compile of tauri, tokio, sqlx and what depends on them).
E2E_FEATURES="proof-ramp-app/e2e proof-ramp-minimal/e2e"

# phase TEXT: a heading with the seconds since the script started.
phase() { echo "== [${SECONDS} s] $*"; }

# Run as root: directly when already root, else through sudo.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# apt_install PACKAGE…: install Debian packages quietly.
apt_install() {
  echo "== installing $*"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# start_xvfb WIDTHxHEIGHT: a virtual display on a free number. Exports DISPLAY and sets
# XVFB_PID; Xvfb reports the number once it accepts clients, so no guess and no fixed sleep.
start_xvfb() {
  local out
  out=$(mktemp)
  Xvfb -displayfd 1 -screen 0 "${1}x24" -nolisten tcp >"$out" 2>/dev/null &
  XVFB_PID=$!
  for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
  if [ ! -s "$out" ]; then
    rm -f "$out"
    echo "Xvfb did not start" >&2
    return 1
  fi
  DISPLAY=":$(head -n 1 "$out")"
  export DISPLAY
  rm -f "$out"
}

# start_postgres: a throw-away PostgreSQL cluster for the tests, in its own data directory and
# on its own port, run as the `postgres` user when we are root (initdb refuses root). Exports
# RAMP_TEST_POSTGRES_URL and sets PG_SCRATCH; stop_postgres stops it and removes its files.
# Returns 1 (and prints why) when PostgreSQL's server programs are not installed.
start_postgres() {
  local bin port run
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL server not installed (Debian package postgresql)" >&2
    return 1
  fi
  PG_SCRATCH=$(mktemp -d /tmp/proof-ramp-pg.XXXXXX)
  run=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$PG_SCRATCH"
    run=(runuser -u postgres --)
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${run[@]}" "$bin/initdb" -D "$PG_SCRATCH/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null || return 1
  "${run[@]}" "$bin/pg_ctl" -D "$PG_SCRATCH/data" -l "$PG_SCRATCH/log" -w -t 60 start \
    -o "-p $port -k $PG_SCRATCH -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off" >/dev/null || return 1
  PG_BIN=$bin
  RAMP_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export RAMP_TEST_POSTGRES_URL
  echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_SCRATCH)"
}

stop_postgres() {
  [ -n "${PG_SCRATCH:-}" ] || return 0
  local run=()
  [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_SCRATCH/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_SCRATCH"
  PG_SCRATCH=
}
