#!/usr/bin/env bash
# Read-replica benchmark: a primary and a streaming replica of their own (scripts/pg-replica.sh,
# temporary directory, free ports), FILMS synthetic films, and the release server run twice
# under the same load: once on the primary alone, once with DATABASE_READ_URLS pointing at
# the replica. The load is wrk on one film page (uncached, 16 connections) while an editor
# publishes a film through the server PUBLISHES_PER_SEC times a second. Prints, for each run:
# page requests/s and latency, how the page reads split between primary and replica (from
# /metrics), the replica lag the monitor saw (largest of samples every 100 ms), and how long a
# publish took to be acknowledged (p50, p99: with a replica it waits until the replica has
# replayed it). Figures, not assertions. On one machine both servers share its cores, so the
# replica shows where reads go and what consistency costs, not added capacity.
#   scripts/bench-replica.sh          # FILMS, DURATION, PUBLISHES_PER_SEC override
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
FILMS="${FILMS:-10000}"
DURATION="${DURATION:-10}"
PUBLISHES_PER_SEC="${PUBLISHES_PER_SEC:-5}"
PORT="${PORT:-18310}"
URL="http://127.0.0.1:$PORT"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PRIMARY_PORT="$(free_port)"
REPLICA_PORT="$(free_port)"

command -v wrk >/dev/null || { echo "installing wrk (Debian package)"; apt-get install -y wrk >/dev/null; }
cargo build --release --bins --quiet

dir="$(mktemp -d)"
chmod 755 "$dir"
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  scripts/pg-replica.sh stop "$dir/cluster" || true
  rm -rf "$dir"
}
trap cleanup EXIT
scripts/pg-replica.sh start "$dir/cluster" "$PRIMARY_PORT" "$REPLICA_PORT"
PRIMARY="postgres://postgres@127.0.0.1:$PRIMARY_PORT/postgres?sslmode=disable"
REPLICA="postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres?sslmode=disable"
./target/release/bench_data --films "$FILMS" --database-url "$PRIMARY" >/dev/null 2>&1
psql "$PRIMARY" -qc "VACUUM ANALYZE" >/dev/null
until [ "$(psql "$REPLICA" -Atc "SELECT count(*) >= $FILMS FROM movie" 2>/dev/null)" = t ]; do sleep 0.2; done
TOKEN="$(DATABASE_URL="$PRIMARY" ./target/release/filmserver token create --name bench --role editor 2>/dev/null)"

MIDDLE=$(( (FILMS + 1) / 2 ))
PAGE="{ movie(slug: \"bench-$MIDDLE\") { title releaseYear plot directors { name } companies { role company { name } } sections { title body } characters { name description actor { name } } period { startYear endYear description } setting { description locations { name } } themes { emoji name description } } }"
PAGE_URL="$URL/graphql?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PAGE")"

metric() { curl -fs "$URL/metrics" | awk -v name="$1" 'index($1, name) == 1 { print $2; exit }'; }

run() { # label, then extra environment assignments
  local label="$1"; shift
  env DATABASE_URL="$PRIMARY" LISTEN_ADDR="127.0.0.1:$PORT" RUST_LOG=warn RESPONSE_CACHE_MB=0 \
    READ_BUDGET_PER_MINUTE=0 MAX_REQUESTS_PER_ADDRESS=0 MAX_CONNECTIONS_PER_ADDRESS=0 \
    MUTATIONS_PER_MINUTE_PER_TOKEN=0 MUTATIONS_PER_MINUTE_PER_ADDRESS=0 DB_MAX_CONNECTIONS=4 \
    "$@" ./target/release/filmserver serve &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  if [ "$#" -gt 0 ]; then
    until curl -fs "$URL/readyz" | grep -q '"inRotation":true'; do sleep 0.1; done
  fi
  curl -fs "$PAGE_URL" >/dev/null
  local replica0 primary0 waits0 waited0
  replica0="$(metric filmserver_replica_reads_total || true)"
  primary0="$(metric filmserver_primary_query_reads_total || true)"
  waits0="$(metric filmserver_replica_waits_total || true)"
  waited0="$(metric filmserver_replica_wait_seconds_total || true)"
  # The editor's publishes and the lag samples run beside wrk.
  python3 - "$URL" "$TOKEN" "$DURATION" "$PUBLISHES_PER_SEC" >"$dir/writer.out" <<'PY' &
import json, sys, time, urllib.request
url, token, duration, rate = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
def call(query, variables):
    request = urllib.request.Request(url + "/graphql", json.dumps({"query": query, "variables": variables}).encode(),
        {"content-type": "application/json", "authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(request))
def lag():
    for line in urllib.request.urlopen(url + "/metrics").read().decode().splitlines():
        if line.startswith("filmserver_replica_lag_seconds"):
            return float(line.split()[-1])
    return None
acks, lags, n = [], [], 0
end = time.time() + duration
next_publish = time.time()
while time.time() < end:
    now = time.time()
    lags.append(lag())
    if now >= next_publish:
        n += 1
        slug = "bench-%d" % (1 + n % 50)
        film = call('query($s: String!) { movie(slug: $s, status: DRAFT) { id version } }', {"s": slug})["data"]["movie"]
        draft = call('mutation($id: ID!, $v: Int!, $t: String!) { updateMovie(id: $id, expectedVersion: $v, input: { title: $t }) { version } }',
                     {"id": film["id"], "v": film["version"], "t": "Bench title %d" % n})
        version = draft["data"]["updateMovie"]["version"]
        started = time.time()
        done = call('mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { version } }', {"id": film["id"], "v": version})
        assert "errors" not in done, done
        acks.append((time.time() - started) * 1000)
        next_publish += 1 / rate
    time.sleep(0.1)
acks.sort()
seen = [l for l in lags if l is not None]
pct = lambda xs, p: xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")
print("%d publishes, ack p50 %.1f ms, p99 %.1f ms; replica lag seen: max %s ms" % (
    len(acks), pct(acks, 0.5), pct(acks, 0.99), ("%.0f" % (max(seen) * 1000)) if seen else "-"))
PY
  local writer=$!
  local out
  out="$(wrk -t2 -c16 -d"${DURATION}s" --latency -H 'Accept: application/json' "$PAGE_URL")"
  wait "$writer"
  local replica1 primary1 waits1 waited1
  replica1="$(metric filmserver_replica_reads_total || true)"
  primary1="$(metric filmserver_primary_query_reads_total || true)"
  waits1="$(metric filmserver_replica_waits_total || true)"
  waited1="$(metric filmserver_replica_wait_seconds_total || true)"
  printf '%-22s %10s req/s  p50 %8s  p99 %8s' "$label" \
    "$(awk '/Requests\/sec/ { print $2 }' <<<"$out")" \
    "$(awk '$1 == "50%" { print $2 }' <<<"$out")" "$(awk '$1 == "99%" { print $2 }' <<<"$out")"
  if [ -n "$replica1" ]; then
    printf '  reads: replica %s, primary %s' "$(( ${replica1%.*} - ${replica0%.*} ))" "$(( ${primary1%.*} - ${primary0%.*} ))"
    printf '\n%22s waiting for the replica to replay a write: %s ms on average over %s waits' "" \
      "$(python3 -c "print(round(1000 * ($waited1 - $waited0) / max(1, $waits1 - $waits0), 2))")" "$(( waits1 - waits0 ))"
  fi
  printf '\n%22s %s\n' "" "$(cat "$dir/writer.out")"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

echo "filmserver $(git rev-parse --short HEAD), $(nproc) cores, PostgreSQL $(psql "$PRIMARY" -Atc 'SHOW server_version'), $FILMS films, ${DURATION}s per run, film page uncached at 16 connections, $PUBLISHES_PER_SEC publishes/s"
run "primary only"
run "primary + 1 replica" DATABASE_READ_URLS="$REPLICA"
run "primary only (again)"
run "primary + 1 replica (again)" DATABASE_READ_URLS="$REPLICA"
