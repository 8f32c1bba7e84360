#!/usr/bin/env bash
# What each -Z level and the streaming verification cost on the catch-up bench: MB/s, CPU,
# RSS and the stored size of completed segments relative to the WAL (ratio), next to
# pg_receivewal with the same -Z where it has it (gzip, lz4).
# Usage: compression.sh [MB] [RUNS] [WALRECEIVER]   (default: 512 MB, 3 runs, the Release build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
MB=${1:-512}; RUNS=${2:-3}
W=${3:-$here/../src/WalReceiver.Cli/bin/Release/net10.0/walreceiver}
W=$(cd "$(dirname "$W")" && pwd)/$(basename "$W")
PGRW=$(pg_config --bindir)/pg_receivewal
T=$(mktemp -d -t zbench.XXXX); chmod 755 "$T"; trap 'rm -rf "$T"' EXIT
wrap() { # name program args...
  local name=$1; shift
  printf '#!/bin/sh\nexec %s "$@"\n' "$*" >"$T/$name"; chmod 755 "$T/$name"; echo "$T/$name"
}
receivers=(
  "$(wrap walreceiver "$W" receive)"
  "$(wrap walreceiver--no-verify "$W" receive --no-verify)"
  "$(wrap pg_receivewal "$PGRW")"
)
for z in gzip:1 gzip lz4 lz4:9 zstd:1 zstd zstd:9; do
  receivers+=("$(wrap "walreceiver-Z$z" "$W" receive -Z "$z")")
done
for z in gzip:1 gzip lz4; do
  receivers+=("$(wrap "pg_receivewal-Z$z" "$PGRW" -Z "$z")")
done
PORT=${PORT:-55436} bash "$here/catchup.sh" "$MB" "$RUNS" "${receivers[@]}"
