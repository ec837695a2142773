#!/usr/bin/env bash
# Fault script: no acknowledged write is lost, none is applied twice.
#
#   scripts/fault-crash.sh
#
# It starts a PostgreSQL cluster of its own in a temporary directory and the release server
# on it, and runs editors that create films concurrently, each with a unique slug and an
# `Idempotency-Key` (some with invalid input, which must be refused). Mid-run it kills the
# server with SIGKILL and stops PostgreSQL hard (`pg_ctl -m immediate stop`), then starts both
# again. Requests whose outcome the client could not know (connection lost, 503) are retried
# with the same key until they get a definite answer. Then it checks the database:
#   - every creation the client saw succeed is there,
#   - every creation refused for bad input is not,
#   - no film was created twice (one film and one `create` revision per slug).
# It prints the counts and exits non-zero on any violation.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT="${PG_PORT:-55433}"
PORT="${PORT:-18311}"
URL="http://127.0.0.1:$PORT"
source scripts/pg-cluster.sh
WORK="$(mktemp -d)"
DB_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
cleanup() {
  [ -f "$WORK/server.pid" ] && kill -9 "$(cat "$WORK/server.pid")" 2>/dev/null || true
  pg_cluster_stop "$WORK" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

pg_cluster_init "$WORK"
cargo build --release --bin filmserver --quiet
cat > "$WORK/ctl.sh" <<CTL
#!/usr/bin/env bash
# start-pg | stop-pg | start-server | kill-server: used by the load script below.
set -euo pipefail
case "\$1" in
  start-pg) "$PWD/scripts/pg-cluster.sh" start "$WORK" "$PG_PORT" ;;
  stop-pg) "$PWD/scripts/pg-cluster.sh" stop "$WORK" ;;
  start-server)
    DATABASE_URL="$DB_URL" LISTEN_ADDR="127.0.0.1:$PORT" RUST_LOG=warn \
      MUTATIONS_PER_MINUTE_PER_TOKEN=0 MUTATIONS_PER_MINUTE_PER_ADDRESS=0 \
      nohup "$PWD/target/release/filmserver" serve >>"$WORK/server.log" 2>&1 &
    echo \$! > "$WORK/server.pid" ;;
  kill-server) kill -9 "\$(cat "$WORK/server.pid")" ;;
esac
CTL
chmod +x "$WORK/ctl.sh"
"$WORK/ctl.sh" start-pg
"$WORK/ctl.sh" start-server
for _ in $(seq 1 100); do curl -fs "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
TOKEN=$(DATABASE_URL="$DB_URL" ./target/release/filmserver token create --name crash-test --role editor 2>/dev/null | tail -1)
[ -n "$TOKEN" ] || { echo "could not create a token"; exit 1; }

python3 - "$URL" "$TOKEN" "$WORK/ctl.sh" "$DB_URL" <<'PY'
import json, subprocess, sys, threading, time, urllib.request, urllib.error

url, token, ctl, db_url = sys.argv[1:]
CREATE = "mutation($title: String!, $slug: String!) { createMovie(input: { title: $title, slug: $slug, releaseYear: 1999 }, publish: true) { slug } }"
outcomes = {}  # slug -> "applied" | "refused" | "unknown"
valid = {}     # slug -> whether its input was valid
lock = threading.Lock()
stop = threading.Event()

def send(slug, title):
    body = json.dumps({"query": CREATE, "variables": {"title": title, "slug": slug}}).encode()
    req = urllib.request.Request(url + "/graphql", data=body, headers={
        "content-type": "application/json", "accept": "application/graphql-response+json",
        "authorization": "Bearer " + token, "idempotency-key": slug})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, data = resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        status = err.code
        try:
            data = json.loads(err.read())
        except Exception:
            return "unknown"
    except Exception:
        return "unknown"
    errors = data.get("errors") or []
    if not errors and (data.get("data") or {}).get("createMovie"):
        return "applied"
    code = (errors[0].get("extensions") or {}).get("code") if errors else None
    if code == "CONFLICT" and status == 409:
        return "applied"  # applied before; its answer was lost in the crash
    if code == "BAD_USER_INPUT":
        return "refused"
    return "unknown"  # SERVICE_UNAVAILABLE, TIMEOUT, ...: not known either way

def title_of(slug):
    return " " if not valid[slug] else "Crash " + slug

def editor(n):
    i = 0
    while not stop.is_set():
        i += 1
        slug = f"crash-{n}-{i}"
        with lock:
            valid[slug] = i % 7 != 0
        outcome = send(slug, title_of(slug))
        with lock:
            outcomes[slug] = outcome
        if outcome == "unknown":
            time.sleep(0.05)

threads = [threading.Thread(target=editor, args=(n,)) for n in range(6)]
for t in threads:
    t.start()
time.sleep(3)
subprocess.run([ctl, "kill-server"], check=True)
subprocess.run([ctl, "stop-pg"], check=True)
time.sleep(1)
subprocess.run([ctl, "start-pg"], check=True)
subprocess.run([ctl, "start-server"], check=True)
time.sleep(4)
stop.set()
for t in threads:
    t.join()

acknowledged = {s for s, o in outcomes.items() if o == "applied"}
refused = {s for s, o in outcomes.items() if o == "refused"}
unknown = [s for s, o in outcomes.items() if o == "unknown"]
deadline = time.monotonic() + 30
retried = {}
while unknown and time.monotonic() < deadline:
    still = []
    for slug in unknown:
        outcome = send(slug, title_of(slug))
        if outcome == "unknown":
            still.append(slug)
        else:
            retried[slug] = outcome
    unknown = still
    if unknown:
        time.sleep(0.2)

def psql(sql):
    return subprocess.run(["psql", db_url, "-qAtc", sql], check=True, capture_output=True, text=True).stdout.split()

films = psql("SELECT slug FROM movie WHERE slug LIKE 'crash-%'")
present = set(films)
twice = psql("SELECT m.slug FROM movie m JOIN movie_revision r ON r.movie_id = m.id "
             "WHERE m.slug LIKE 'crash-%' AND r.action = 'create' GROUP BY m.slug HAVING COUNT(*) > 1")
lost = sorted(acknowledged - present)
wrongly = sorted(refused & present)
retried_applied = {s for s, o in retried.items() if o == "applied"}
retried_refused = {s for s, o in retried.items() if o == "refused"}
print(f"mutations sent: {len(outcomes)}; acknowledged: {len(acknowledged)}; refused for bad input: {len(refused)}")
print(f"outcome unknown at the crash, retried with their keys: {len(retried) + len(unknown)} "
      f"(then applied: {len(retried_applied)}, refused: {len(retried_refused)}, still unknown: {len(unknown)})")
print(f"films in the database: {len(present)} (duplicates: {len(films) - len(present)}, created twice: {len(twice)})")
print(f"acknowledged but missing: {len(lost)} {lost[:5]}")
print(f"refused but present: {len(wrongly)} {wrongly[:5]}")
print(f"retried-applied but missing: {len(retried_applied - present)}; retried-refused but present: {len(retried_refused & present)}")
ok = not lost and not wrongly and not twice and len(films) == len(present) \
     and not (retried_applied - present) and not (retried_refused & present) and not unknown \
     and present == acknowledged | retried_applied
print("no acknowledged write lost, none applied twice: " + ("yes" if ok else "NO"))
sys.exit(0 if ok else 1)
PY
