#!/usr/bin/env bash
# A primary and a streaming replica of its own, in a directory of their own, for the read
# replica tests (never a shared server): initdb, start the primary, pg_basebackup -R (which
# writes the replica's primary_conninfo and standby.signal), start the replica.
#   scripts/pg-replica.sh start DIR PRIMARY_PORT REPLICA_PORT
#   scripts/pg-replica.sh stop DIR
#   scripts/pg-replica.sh stop-replica DIR        (immediate: the replica crashes)
#   scripts/pg-replica.sh start-replica DIR REPLICA_PORT
#   scripts/pg-replica.sh freeze-replica DIR     (SIGSTOP: it hangs, connections stay open)
#   scripts/pg-replica.sh thaw-replica DIR
# Both listen on 127.0.0.1 with trust authentication (user postgres). As root, PostgreSQL runs
# as the postgres user (see pg-cluster.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=pg-cluster.sh
source "$here/pg-cluster.sh"

start() {
  local dir="$1" primary="$2" replica="$3"
  pg_cluster_init "$dir"
  pg_cluster_start "$dir" "$primary"
  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$dir/replica" -R -X stream >/dev/null
  start_replica "$dir" "$replica"
}

start_replica() {
  local dir="$1" replica="$2"
  as_pg "$PGBIN/pg_ctl" -D "$dir/replica" -l "$dir/replica.log" -w \
    -o "-p $replica -k $dir -c listen_addresses=127.0.0.1 -c hot_standby=on" start >/dev/null
}

# The replica's postmaster and every process it started.
replica_pids() {
  local postmaster
  postmaster="$(head -1 "$1/replica/postmaster.pid")"
  echo "$postmaster" $(pgrep -P "$postmaster")
}

stop_replica() {
  as_pg "$PGBIN/pg_ctl" -D "$1/replica" -m immediate stop >/dev/null
}

stop() {
  local dir="$1"
  [ -d "$dir/replica" ] && as_pg "$PGBIN/pg_ctl" -D "$dir/replica" -m fast stop >/dev/null 2>&1 || true
  [ -d "$dir/data" ] && as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start "$2" "$3" "$4" ;;
  stop) stop "$2" ;;
  stop-replica) stop_replica "$2" ;;
  start-replica) start_replica "$2" "$3" ;;
  freeze-replica) kill -STOP $(replica_pids "$2") ;;
  thaw-replica) kill -CONT $(replica_pids "$2") ;;
  *) echo "usage: $0 start DIR PRIMARY_PORT REPLICA_PORT | stop DIR | stop-replica DIR | start-replica DIR REPLICA_PORT | freeze-replica DIR | thaw-replica DIR"; exit 2 ;;
esac
