#!/usr/bin/env bash
# A throwaway PostgreSQL cluster in a directory of its own, for the fault scripts (so they
# never touch a shared server). PostgreSQL refuses to run as root; as root it runs as the
# postgres user.
#
# Sourced, it defines pg_cluster_init DIR, pg_cluster_start DIR PORT, pg_cluster_stop DIR
# (immediate: a crash) and PGBIN. Run, it does one step:
#   scripts/pg-cluster.sh start DIR PORT
#   scripts/pg-cluster.sh stop DIR

PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_cluster_init() {
  [ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql"; return 1; }
  mkdir -p "$1"
  if [ "$(id -u)" = 0 ]; then chown postgres "$1"; fi
  as_pg "$PGBIN/initdb" -D "$1/data" -U postgres -A trust >/dev/null
}

pg_cluster_start() {
  as_pg "$PGBIN/pg_ctl" -D "$1/data" -l "$1/pg.log" -w \
    -o "-p $2 -k $1 -c listen_addresses=127.0.0.1" start >/dev/null
}

pg_cluster_stop() {
  as_pg "$PGBIN/pg_ctl" -D "$1/data" -m immediate stop >/dev/null
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start) pg_cluster_start "$2" "$3" ;;
    stop) pg_cluster_stop "$2" ;;
    *) echo "usage: $0 start DIR PORT | stop DIR"; exit 2 ;;
  esac
fi
