#!/usr/bin/env bash
# Fault script: a database outage under steady load.
#
#   scripts/fault-outage.sh              # 4 s steady, 6 s outage, 8 s after the restart
#   OUTAGE=10 scripts/fault-outage.sh
#
# It starts a PostgreSQL cluster of its own in a temporary directory (never the shared
# server), the release server on it (response cache off, so every request needs the
# database), and a load of steady GraphQL requests. Then it stops PostgreSQL hard
# (`pg_ctl -m immediate stop`), waits, starts it again, and prints:
#   - the slowest failed request during the outage (target: under 5 s),
#   - the seconds from the restart until requests succeed again (target: under 5 s),
#   - the error codes and HTTP statuses seen, and that the server process never died.
# It exits non-zero when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."

STEADY="${STEADY:-4}"
OUTAGE="${OUTAGE:-6}"
AFTER="${AFTER:-8}"
PG_PORT="${PG_PORT:-55432}"
PORT="${PORT:-18310}"
URL="http://127.0.0.1:$PORT"

source scripts/pg-cluster.sh
WORK="$(mktemp -d)"
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  pg_cluster_stop "$WORK" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
pg_cluster_init "$WORK"
pg_cluster_start "$WORK" "$PG_PORT"

cargo build --release --bin filmserver --quiet
DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres" LISTEN_ADDR="127.0.0.1:$PORT" \
  RESPONSE_CACHE_MB=0 RUST_LOG=warn ./target/release/filmserver serve 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "$URL" "$STEADY" "$OUTAGE" "$AFTER" "$PWD/scripts/pg-cluster.sh" "$WORK" "$PG_PORT" "$SERVER" <<'PY'
import json, os, subprocess, sys, threading, time, urllib.request, urllib.error

url, steady, outage, after, cluster, work, pg_port, server = sys.argv[1:]
steady, outage, after = float(steady), float(outage), float(after)
query = json.dumps({"query": '{ movie(slug: "m-butterfly") { title characters { name actor { name } } } }'}).encode()
results = []  # (start, end, ok, status, code)
lock = threading.Lock()
stop = threading.Event()

def worker():
    while not stop.is_set():
        start = time.monotonic()
        status, code = 0, "NO_ANSWER"
        try:
            req = urllib.request.Request(url + "/graphql", data=query, headers={
                "content-type": "application/json",
                "accept": "application/graphql-response+json"})
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, body = resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            status = err.code
            try:
                body = json.loads(err.read())
            except Exception:
                body = {}
        except Exception as err:
            body = {"errors": [{"extensions": {"code": type(err).__name__}}]}
        errors = body.get("errors") or []
        ok = status == 200 and not errors and body.get("data", {}).get("movie") is not None
        if errors:
            code = (errors[0].get("extensions") or {}).get("code", "NO_CODE")
        elif ok:
            code = "OK"
        with lock:
            results.append((start, time.monotonic(), ok, status, code))
        time.sleep(0.02)

threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads:
    t.start()
time.sleep(steady)
stopped_at = time.monotonic()
subprocess.run([cluster, "stop", work], check=True)
time.sleep(outage)
restarted_at = time.monotonic()
subprocess.run([cluster, "start", work, pg_port], check=True)
ready_at = time.monotonic()
time.sleep(after)
stop.set()
for t in threads:
    t.join()

before = [r for r in results if r[1] < stopped_at]
failed = [r for r in results if not r[2]]
during = [r for r in failed if r[0] >= stopped_at - 1 and r[0] < restarted_at]
slowest = max((r[1] - r[0] for r in during), default=0.0)
last_failure_end = max((r[1] for r in failed), default=restarted_at)
recovered = [r for r in results if r[2] and r[0] >= restarted_at and r[1] >= last_failure_end]
recovery = (min(r[1] for r in recovered) - restarted_at) if recovered else float("inf")
alive = os.path.exists(f"/proc/{server}")
codes = {}
for r in failed:
    codes[f"{r[3]} {r[4]}"] = codes.get(f"{r[3]} {r[4]}", 0) + 1

print(f"requests: {len(results)} ({len(before)} before the outage, all ok: {all(r[2] for r in before)})")
print(f"failed requests: {len(failed)}; statuses and codes: {codes}")
print(f"slowest failed request during the outage: {slowest:.2f} s (target < 5 s)")
print(f"PostgreSQL took {ready_at - restarted_at:.2f} s to start again")
print(f"from the restart until requests succeed again: {recovery:.2f} s (target < 5 s)")
print(f"server process alive throughout: {alive}")
sys.exit(0 if slowest < 5 and recovery < 5 and alive and all(r[2] for r in before) else 1)
PY
