# Shared shell helpers for scripts/run, scripts/test and scripts/bench. Source it.
# Throwaway PostgreSQL and Redis servers on loopback, free ports, and pid bookkeeping.

FX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FX_BUILD_DIR="${FX_BUILD_DIR:-$FX_ROOT/build}"

fx_log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fx_die() { fx_log "error: $*"; exit 1; }

# A TCP port on 127.0.0.1 that nothing listens on right now.
fx_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

fx_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/pg_ctl" ]] && { echo "$d"; return; }; done
  fx_die "PostgreSQL server binaries not found (run scripts/deps)"
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses root).
fx_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then /usr/sbin/runuser -u postgres -- "$@"; else "$@"; fi
}

# fx_start_postgres DIR PORT PASSWORD: a new cluster in DIR (owned by postgres when root),
# listening on 127.0.0.1:PORT only, password (scram) authentication. Waits until ready.
# FX_PG_OPTS adds server options (e.g. "-c ssl=on -c ssl_cert_file=...").
# backend_flush_after: a backend that writes out table pages asks the kernel to send them
# on at once, instead of leaving them to the periodic writeback, whose burst (hundreds of
# MB at a time under the passage log's load) held WAL flushes, and so every commit, for
# 50-100 ms (docs/performance.md, "The half-rate tail").
fx_start_postgres() {
  local dir=$1 port=$2 password=$3 bin
  bin=$(fx_pg_bin)
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  local pwfile="$dir/.pw"
  printf '%s\n' "$password" > "$pwfile"
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$pwfile"; fi
  fx_as_pg "$bin/initdb" -D "$dir/data" -U postgres -A scram-sha-256 --pwfile="$pwfile" \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; fx_die "initdb failed"; }
  rm -f "$pwfile"
  fx_as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=${FX_PG_FSYNC:-on} -c max_connections=200 -c backend_flush_after=256kB ${FX_PG_OPTS:-}" \
    >/dev/null || { cat "$dir/postgres.log" >&2; fx_die "PostgreSQL did not start"; }
  head -1 "$dir/data/postmaster.pid"
}

fx_stop_postgres() {
  local dir=$1
  [[ -f "$dir/data/postmaster.pid" ]] || return 0
  fx_as_pg "$(fx_pg_bin)/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

# fx_start_redis DIR PORT [PASSWORD]: no persistence (throwaway). Prints the pid.
fx_start_redis() {
  local dir=$1 port=$2 password=${3:-}
  mkdir -p "$dir"
  local args=(--bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize yes
              --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir")
  [[ -n "$password" ]] && args+=(--requirepass "$password")
  redis-server "${args[@]}" || fx_die "redis-server did not start"
  local i
  for i in $(seq 1 200); do
    if redis-cli -h 127.0.0.1 -p "$port" ${password:+-a "$password" --no-auth-warning} ping 2>/dev/null | grep -q PONG; then
      cat "$dir/redis.pid"; return 0
    fi
    sleep 0.05
  done
  fx_die "Redis did not answer on port $port"
}

# Stops one pid we started (TERM, then KILL after a grace period). Never anything broader.
fx_stop_pid() {
  local pid=$1 i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

# Configures (once) and builds the given targets (all when none) with two jobs.
fx_build() {
  if [[ ! -f "$FX_BUILD_DIR/build.ninja" ]]; then
    cmake -S "$FX_ROOT" -B "$FX_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${FX_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  fi
  ninja -C "$FX_BUILD_DIR" -j"${FX_JOBS:-2}" "$@"
}

fx_random_b64() { head -c "${1:-32}" /dev/urandom | base64 -w0; }
fx_random_hex() { head -c "${1:-16}" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
