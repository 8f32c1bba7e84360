#!/usr/bin/env bash
# Side-by-side benchmark of walreceiver and pg_receivewal on the same WAL (this machine's figures go in the issue notes).
# Usage: bench/run.sh [MB=1024] [RUNS=3] [SYNC_SECONDS=15]
#   catchup.sh: archive MB of WAL already waiting on the primary; median MB/s, CPU seconds, peak RSS, byte equality.
#   sync_tps.sh: pgbench tps on a primary whose synchronous standby is the receiver (--synchronous with a slot).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
ensure_postgres
MB=${1:-1024}; RUNS=${2:-3}; SECS=${3:-15}
dotnet publish src/WalReceiver.Cli -c Release -o artifacts/walreceiver -v quiet -nologo >/dev/null
pgrw="$(pg_bindir)/pg_receivewal"; ours="$PWD/bench/walreceiver-as-pg_receivewal"
echo "== catch-up: $MB MB, $RUNS runs each"
bash bench/catchup.sh "$MB" "$RUNS" "$pgrw" "$ours"
echo "== synchronous standby: ${SECS}s of pgbench"
echo "pg_receivewal: $(bash bench/sync_tps.sh "$pgrw" "$SECS" | tail -n 1)"
echo "walreceiver:   $(bash bench/sync_tps.sh "$ours" "$SECS" | tail -n 1)"
