#!/usr/bin/env bash
# What archiving into a bucket costs, by durability mode, against a local S3-compatible server (s3rver, installed from
# the npm registry into the tests' cache): catch-up MB/s, CPU and RSS (bench/catchup.sh; a run with a bucket ends when
# its uploads are done, so its MB/s is "into the bucket"), and pgbench tps with the receiver as the synchronous standby
# (bench/sync_tps.sh).
#   plain              receive, no bucket (today's archive)
#   target             --target, --durability local: the flush reported means fsynced locally, uploads follow
#   uploaded           --target --durability uploaded: the flush reported stops at the first segment not in the bucket
# Catch-up has no slot, so there the two modes run with --synchronous (which reports flush); the plain run with
# --synchronous is their baseline. In the synchronous-standby test a commit under `uploaded` waits until its segment is
# complete and uploaded; the server completes a segment that is not full only at archive_timeout, which that run sets to
# ARCHIVE_TIMEOUT (default 1s).
# Usage: bench/durability.sh [MB] [RUNS] [SECONDS] [WALRECEIVER]   (default 256 MB, 3 runs, 15 s, the AOT build)
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
MB=${1:-256}; RUNS=${2:-3}; SECS=${3:-15}
W=${4:-$here/../artifacts/aot/walreceiver}
[ -x "$W" ] || { echo "no walreceiver at $W: run scripts/publish.sh or give the path" >&2; exit 1; }
W=$(cd "$(dirname "$W")" && pwd)/$(basename "$W")
T=$(mktemp -d -t durability.XXXX); chmod 755 "$T"

# --- the S3 server -------------------------------------------------------------------------------------------------
S3RVER_VERSION=3.7.1
cache=$HOME/.cache/walreceiver-tests/s3rver-$S3RVER_VERSION
if [ ! -f "$cache/node_modules/s3rver/bin/s3rver.js" ]; then
  command -v npm >/dev/null || { echo "needs Node.js and npm (apt-get install nodejs npm)" >&2; exit 1; }
  npm install --no-audit --no-fund --prefix "$cache" "s3rver@$S3RVER_VERSION" >/dev/null
fi
S3PORT=${S3PORT:-55490}
mkdir -p "$T/s3"
node "$cache/node_modules/s3rver/bin/s3rver.js" -d "$T/s3" -a 127.0.0.1 -p "$S3PORT" --silent --configure-bucket walarchive >/dev/null 2>&1 &
S3PID=$!
trap 'kill $S3PID 2>/dev/null || true; rm -rf "$T"' EXIT
for i in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$S3PORT") 2>/dev/null && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 AWS_ENDPOINT_URL_S3=http://127.0.0.1:$S3PORT

wrap() { # name args...: a program taking pg_receivewal's options; each run gets its own prefix in the bucket
  local name=$1; shift
  printf '#!/bin/sh\nexec %s "$@"\n' "$*" >"$T/$name"; chmod 755 "$T/$name"; echo "$T/$name"
}
prefix='s3://walarchive/$(basename $0)-$$'

echo "== catch-up: $MB MB, $RUNS runs (MB/s until the last upload for the runs with a bucket)"
PORT=${PORT:-55437} bash "$here/catchup.sh" "$MB" "$RUNS" \
  "$(wrap plain "$W" receive)" \
  "$(wrap plain-synchronous "$W" receive --synchronous)" \
  "$(wrap target-synchronous "$W" receive --synchronous --target "$prefix")" \
  "$(wrap uploaded-synchronous "$W" receive --synchronous --durability uploaded --target "$prefix")"

echo "== synchronous standby: pgbench $SECS s"
for mode in plain target uploaded; do
  case $mode in
    plain) r=$(wrap sync-plain "$W" receive); conf= ;;
    target) r=$(wrap sync-target "$W" receive --target "$prefix"); conf= ;;
    uploaded) r=$(wrap sync-uploaded "$W" receive --durability uploaded --target "$prefix"); conf="archive_timeout = ${ARCHIVE_TIMEOUT:-1s}" ;;
  esac
  echo "$mode: $(PG_EXTRA_CONF=$conf PORT=${SYNC_PORT:-55438} bash "$here/sync_tps.sh" "$r" "$SECS")${conf:+ ($conf)}"
done
