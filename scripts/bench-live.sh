#!/usr/bin/env bash
# Live-updates benchmark: the release server on a fresh PostgreSQL database (DATABASE_URL's
# server, default the local one), driven by tests/web/bench/live.mjs with the real graphql-ws
# client. Prints memory per idle subscription at 10,000 subscriptions and the time from a
# publish to the 1,000th subscriber's message (p50, p99). Figures only, never a pass/fail.
#   scripts/bench-live.sh            # SUBSCRIPTIONS, CONNECTIONS, SUBSCRIBERS, ROUNDS override
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pg="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
db="bench_live_$$"
port="${PORT:-18199}"

cargo build --release --quiet
(cd tests/web && npm ci --no-audit --no-fund --silent)
psql "$pg/postgres" -qc "CREATE DATABASE $db" >/dev/null
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
}
trap cleanup EXIT

export DATABASE_URL="$pg/$db?sslmode=disable"
target/release/filmserver migrate >/dev/null 2>&1
token="$(target/release/filmserver token create --name bench --role editor 2>/dev/null)"
WS_CONNECTIONS_PER_ADDRESS=0 WS_SUBSCRIPTIONS_PER_CONNECTION=0 WS_IDLE_TIMEOUT_SECS=3600 \
  READ_BUDGET_PER_MINUTE=0 MUTATIONS_PER_MINUTE_PER_TOKEN=0 MUTATIONS_PER_MINUTE_PER_ADDRESS=0 \
  RUST_LOG=warn target/release/filmserver serve --listen "127.0.0.1:$port" &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.1
done

echo "filmserver $(git rev-parse --short HEAD), $(nproc) cores, PostgreSQL $(psql "$pg/postgres" -Atc 'SHOW server_version'), node $(node --version)"
FILMSERVER_URL="http://127.0.0.1:$port" FILMSERVER_PID="$server_pid" FILMSERVER_EDITOR_TOKEN="$token" \
  node tests/web/bench/live.mjs
