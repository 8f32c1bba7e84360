#!/usr/bin/env bash
# Side-by-side benchmark of walreceiver and pg_receivewal on the same WAL (this machine's figures go in the issue notes).
# Usage: bench/run.sh [MB=1024] [RUNS=3] [SYNC_SECONDS=15]
#   The receiver is the shipped Native AOT file, artifacts/aot/walreceiver, published by scripts/publish.sh when it is
#   missing or older than the sources; WALRECEIVER=/path/to/walreceiver benchmarks another build instead.
#   catchup.sh: archive MB of WAL already waiting on the primary; median MB/s, CPU seconds, peak RSS, byte equality.
#   sync_tps.sh: pgbench tps on a primary whose synchronous standby is the receiver (--synchronous with a slot).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
ensure_postgres
MB=${1:-1024}; RUNS=${2:-3}; SECS=${3:-15}
aot=artifacts/aot/walreceiver
if [ -z "${WALRECEIVER:-}" ] && { [ ! -x "$aot" ] || [ -n "$(find src Directory.Build.props Directory.Packages.props global.json \
    -newer "$aot" -type f -not -path '*/bin/*' -not -path '*/obj/*' -print -quit)" ]; }; then
  echo "== publishing $aot (scripts/publish.sh, about 2 min)"
  publish_log=$(mktemp)
  bash scripts/publish.sh >/dev/null 2>"$publish_log" || { cat "$publish_log" >&2; rm -f "$publish_log"; exit 1; }
  rm -f "$publish_log"
fi
echo "== receiver: ${WALRECEIVER:-$aot}"
pgrw="$(pg_bindir)/pg_receivewal"; ours="$PWD/bench/walreceiver-as-pg_receivewal"
echo "== catch-up: $MB MB, $RUNS runs each"
bash bench/catchup.sh "$MB" "$RUNS" "$pgrw" "$ours"
echo "== synchronous standby: ${SECS}s of pgbench"
echo "pg_receivewal: $(bash bench/sync_tps.sh "$pgrw" "$SECS" | tail -n 1)"
echo "walreceiver:   $(bash bench/sync_tps.sh "$ours" "$SECS" | tail -n 1)"
