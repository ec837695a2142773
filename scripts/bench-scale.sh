#!/usr/bin/env bash
# Does a bigger catalogue cost more per request? The uncached server on 10,000 films and on
# 100,000 films, in one sitting, rounds alternating between the two databases (the machine's
# own speed drifts between runs minutes apart, so two separate `scripts/bench` runs cannot
# tell a 10% difference). Same queries as scripts/bench, 16 connections, GET.
#
#   scripts/bench-scale.sh                      # 3 rounds of 5 s per scenario and size
#   ROUNDS=5 DURATION=10s scripts/bench-scale.sh
#
# Prints each run, then per scenario the median req/s and p50 at each size, and the ratio
# 100,000 / 10,000. The databases are made by bench_data (as scripts/bench makes them) once.
set -euo pipefail
cd "$(dirname "$0")/.."

SMALL="${SMALL:-10000}"
LARGE="${LARGE:-100000}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-5s}"
PORT="${PORT:-18310}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
POOL="${BENCH_POOL:-$(( 2 * $(nproc) ))}"
URL="http://127.0.0.1:${PORT}"

command -v wrk >/dev/null || { echo "installing wrk (Debian package)"; apt-get install -y wrk >/dev/null; }
cargo build --release --bins --quiet
for films in "$SMALL" "$LARGE"; do
  db="filmserver_bench_${films}"
  psql "$PG/postgres" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || psql "$PG/postgres" -qc "CREATE DATABASE $db"
  ./target/release/bench_data --films "$films" --database-url "$PG/$db"
  psql "$PG/$db" -qc "VACUUM ANALYZE" >/dev/null
done

SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true; }
trap cleanup EXIT
urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
queries() { # films -> sets LIST PAGE SEARCH PEOPLE for that catalogue
  local middle=$(( ($1 + 1) / 2 ))
  LIST='{ movies(first: 20) { edges { node { title sections { title body } characters { name actor { name } } } } } }'
  PAGE="{ movie(slug: \"bench-$middle\") { title releaseYear plot directors { name } companies { role company { name } } sections { title body } characters { name description actor { name } } period { startYear endYear description } setting { description locations { name } } themes { emoji name description } } }"
  SEARCH="{ search(query: \"Bench Film $middle\", first: 10) { edges { node { rank snippet node { __typename ... on Movie { title } ... on Section { title } ... on Character { name } } } } } }"
  PEOPLE='{ people(first: 20) { edges { node { name roles(first: 5) { edges { node { name movie { title } } } } } } } }'
}

RESULTS=$(mktemp)
printf '%-6s %-8s %-8s %12s %10s\n' round films scenario "requests/s" p50
for round in $(seq 1 "$ROUNDS"); do
  for films in "$SMALL" "$LARGE"; do
    env DATABASE_URL="$PG/filmserver_bench_${films}?sslmode=disable" LISTEN_ADDR="127.0.0.1:$PORT" \
      RUST_LOG=warn RESPONSE_CACHE_MB=0 READ_BUDGET_PER_MINUTE=0 MAX_REQUESTS_PER_ADDRESS=0 \
      MAX_CONNECTIONS_PER_ADDRESS=0 DB_MAX_CONNECTIONS="$POOL" ./target/release/filmserver serve &
    SERVER=$!
    for _ in $(seq 1 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    queries "$films"
    for scenario in list page search people; do
      case $scenario in list) q=$LIST;; page) q=$PAGE;; search) q=$SEARCH;; people) q=$PEOPLE;; esac
      url="$URL/graphql?query=$(urlencode "$q")"
      curl -fs "$url" -H 'accept: application/json' | grep -q '"errors"' && { echo "$scenario answered with errors"; exit 1; }
      out=$(wrk -t2 -c16 -d"$DURATION" --latency -H 'Accept: application/json' "$url")
      rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
      p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
      printf '%-6s %-8s %-8s %12s %10s\n' "$round" "$films" "$scenario" "$rps" "$p50" | tee -a "$RESULTS"
    done
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  done
done

python3 - "$RESULTS" "$SMALL" "$LARGE" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
small, large = sys.argv[2], sys.argv[3]
print(f"\nmedian req/s at 16 connections, uncached ({len(rows) // 8} rounds)")
print(f"{'scenario':8} {small:>10} {large:>10} {'ratio':>7}")
for scenario in ["list", "page", "search", "people"]:
    med = {f: statistics.median(float(r[3]) for r in rows if r[1] == f and r[2] == scenario)
           for f in (small, large)}
    print(f"{scenario:8} {med[small]:10.0f} {med[large]:10.0f} {med[large] / med[small]:7.2f}")
PY
rm -f "$RESULTS"
