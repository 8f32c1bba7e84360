#!/usr/bin/env bash
# Demo: starts a throwaway local PostgreSQL (port 55432, 1 MB WAL segments so files appear quickly), creates a
# physical slot, and runs "walreceiver receive" into an archive directory until Ctrl+C.
# Extra arguments go to walreceiver (for example: -E 0/3000000 -n). "scripts/demo.sh --stop" stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
ensure_postgres
PORT=${PORT:-55432}
base=${DEMO_DIR:-/tmp/walreceiver-demo}
# from /, so that the postgres user need not be able to enter the checkout
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
if [ "${1:-}" = "--stop" ]; then as_pg pg_ctl -D "$base/data" -m fast -w stop; exit 0; fi
mkdir -p "$base" "$base/archive"; chmod 755 "$base"; chmod 700 "$base/archive"
[ "$(id -u)" = 0 ] && chown postgres "$base"
if [ ! -f "$base/data/PG_VERSION" ]; then
  as_pg initdb -D "$base/data" -U postgres -A trust --wal-segsize=1 -E UTF8 >/dev/null
  cat >>"$base/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$base'
wal_level = replica
max_wal_senders = 10
CONF
  echo "host replication all 127.0.0.1/32 trust" >>"$base/data/pg_hba.conf"
fi
as_pg pg_ctl -D "$base/data" -l "$base/server.log" -w status >/dev/null 2>&1 || as_pg pg_ctl -D "$base/data" -l "$base/server.log" -w start >/dev/null
dotnet build src/WalReceiver.Cli -c Release -v quiet -nologo >/dev/null
walreceiver=src/WalReceiver.Cli/bin/Release/net10.0/walreceiver
"$walreceiver" receive -h 127.0.0.1 -p "$PORT" -U postgres -S demo --create-slot --if-not-exists
cat >&2 <<MSG
PostgreSQL is running on 127.0.0.1:$PORT; WAL is archived into $base/archive.
Make some WAL from another terminal, and watch the files appear:
  psql -h 127.0.0.1 -p $PORT -U postgres -c "create table t as select generate_series(1, 100000) g" -c "select pg_switch_wal()"
  ls -l $base/archive
Ctrl+C stops the archiver; "scripts/demo.sh --stop" stops the server.
MSG
exec "$walreceiver" receive -h 127.0.0.1 -p "$PORT" -U postgres -S demo -D "$base/archive" -v "$@"
