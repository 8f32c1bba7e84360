#!/usr/bin/env bash
# Restore throughput from a bucket: fills an archive with SEGMENTS 16 MB segments (walreceiver receive catching up on a
# primary), uploads them to a local S3-compatible server (s3rver, from the npm cache the tests use), then restores all of
# them in WAL order, one `walreceiver restore` process per file as PostgreSQL runs restore_command, from
#   (i) the archive directory (-D), (ii) the bucket with --prefetch 0, (iii) the bucket with --prefetch 8,
# and, through bench/delay_proxy.py adding DELAY_MS (20) before each request, (ii) and (iii) again.
# Prints per mode the median MB/s (WAL restored per second of wall time) over RUNS; the last restored segment of each
# run is compared with the archive's.
# Usage: restore_bucket.sh [SEGMENTS] [RUNS] [WALRECEIVER]   (default: 64 segments, 3 runs, the Release build)
# Environment: PORT (55450; the S3 server uses PORT+1, the proxy PORT+2), Z (-Z of the archive, default none), DELAY_MS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); source "$here/pg.sh"; source "$here/lib.sh"
SEGMENTS=${1:-64}; RUNS=${2:-3}
W=${3:-$here/../src/WalReceiver.Cli/bin/Release/net10.0/walreceiver}
W=$(cd "$(dirname "$W")" && pwd)/$(basename "$W")
PORT=${PORT:-55450}; S3_PORT=$((PORT + 1)); PROXY_PORT=$((PORT + 2)); DELAY_MS=${DELAY_MS:-20}; Z=${Z:-none}
S3RVER_VERSION=3.7.1 # the tests' version (tests/WalReceiver.IntegrationTests/Fixtures/S3Server.cs), in their npm cache
S3RVER=$HOME/.cache/walreceiver-tests/s3rver-$S3RVER_VERSION
bench_traps
bench_workdir T restorebench

# --- the archive: SEGMENTS complete segments caught up from a primary ----------------------------------------------
catchup_primary "$T/pg" "$PORT" $(((SEGMENTS + 2) * 16))
catchup_run "$T/archive" "$T/receive.log" "$W" receive -Z "$Z"
mapfile -t FILES < <(cd "$T/archive" && ls | grep -E '^[0-9A-F]{24}(\.(gz|lz4|zst))?$' | grep -v "^$CU_FIRST" | sort | head -n "$SEGMENTS")
[ "${#FILES[@]}" = "$SEGMENTS" ] || { echo "only ${#FILES[@]} complete segments archived, $SEGMENTS wanted" >&2; exit 1; }
bench_forget_cluster "$T/pg"
MB=$((SEGMENTS * 16))
echo "archive: $SEGMENTS segments ($MB MB of WAL, -Z $Z, $(du -sm "$T/archive" | cut -f1) MB stored) from ${FILES[0]} to ${FILES[-1]}"

# --- the bucket: s3rver with the archive uploaded under bench/ --------------------------------------------------------
if [ ! -f "$S3RVER/node_modules/s3rver/bin/s3rver.js" ]; then
  mkdir -p "$S3RVER"; npm install --no-audit --no-fund --prefix "$S3RVER" "s3rver@$S3RVER_VERSION" >/dev/null
fi
mkdir -p "$T/s3"
node "$S3RVER/node_modules/s3rver/bin/s3rver.js" -d "$T/s3" -a 127.0.0.1 -p "$S3_PORT" --silent --configure-bucket walarchive >"$T/s3.log" 2>&1 &
BENCH_PIDS+=($!)
python3 "$here/delay_proxy.py" "$PROXY_PORT" "$S3_PORT" "$DELAY_MS" >"$T/proxy.log" 2>&1 &
BENCH_PIDS+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && break; sleep 0.1; done
for f in "${FILES[@]}"; do # s3rver takes unsigned PUTs; the ETag it stores is the MD5, as for the receiver's uploads
  curl -sf -o /dev/null -T "$T/archive/$f" "http://127.0.0.1:$S3_PORT/walarchive/bench/$f"
done
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1

# restore_all LABEL ARGS...: restores every segment in order into a fresh pg_wal, one process each; prints and records MB/s
declare -A RES
restore_all() {
  local label=$1 run t0 t1 wall mbs last f; shift
  for run in $(seq "$RUNS"); do
    rm -rf "$T/data"; mkdir -p "$T/data/pg_wal"; sync
    t0=$EPOCHREALTIME
    for f in "${FILES[@]}"; do
      "$W" restore "$@" "${f:0:24}" "$T/data/pg_wal/RECOVERYXLOG" || { echo "$label: restore of ${f:0:24} failed" >&2; return 1; }
    done
    t1=$EPOCHREALTIME
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{ printf "%.3f", b-a }')
    mbs=$(awk -v m="$MB" -v w="$wall" 'BEGIN{ printf "%.1f", m/w }')
    last=${FILES[-1]}
    case $last in *.gz) cmp -s <(gzip -dc "$T/archive/$last") "$T/data/pg_wal/RECOVERYXLOG" ;; *.lz4) cmp -s <(lz4 -dc "$T/archive/$last") "$T/data/pg_wal/RECOVERYXLOG" ;;
      *.zst) cmp -s <(zstd -dc "$T/archive/$last") "$T/data/pg_wal/RECOVERYXLOG" ;; *) cmp -s "$T/archive/$last" "$T/data/pg_wal/RECOVERYXLOG" ;; esac \
      || { echo "$label: the last restored segment differs from the archive's" >&2; return 1; }
    echo "run $run $label: ${mbs} MB/s (${wall} s for $SEGMENTS files, $(awk -v w="$wall" -v n="$SEGMENTS" 'BEGIN{ printf "%.0f", w*1000/n }') ms per file)"
    RES[$label]+="$mbs "
  done
}
LABELS=("directory (-D)" "bucket --prefetch 0" "bucket --prefetch 8" "bucket +${DELAY_MS}ms --prefetch 0" "bucket +${DELAY_MS}ms --prefetch 8")
restore_all "${LABELS[0]}" -D "$T/archive"
restore_all "${LABELS[1]}" --target s3://walarchive/bench --endpoint "http://127.0.0.1:$S3_PORT" --prefetch 0
restore_all "${LABELS[2]}" --target s3://walarchive/bench --endpoint "http://127.0.0.1:$S3_PORT" --prefetch 8
restore_all "${LABELS[3]}" --target s3://walarchive/bench --endpoint "http://127.0.0.1:$PROXY_PORT" --prefetch 0
restore_all "${LABELS[4]}" --target s3://walarchive/bench --endpoint "http://127.0.0.1:$PROXY_PORT" --prefetch 8
echo "median of $RUNS runs, $SEGMENTS segments of 16 MB restored one process per file ($(basename "$W"), -Z $Z):"
for label in "${LABELS[@]}"; do
  # shellcheck disable=SC2086 # the recorded values are words
  printf '  %-34s %8s MB/s\n' "$label" "$(median ${RES[$label]})"
done
