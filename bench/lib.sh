#!/usr/bin/env bash
# Helpers shared by catchup.sh, sync_tps.sh and compare.sh: cleanup on exit, timing, the catch-up primary and its
# byte-for-byte check, the synchronous-standby primary and pgbench. Source pg.sh first (PGBIN, pg_up, pg_down, psqlc).

# --- cleanup: everything registered here is undone on exit, Ctrl+C or SIGTERM -------------------------------------
BENCH_PIDS=(); BENCH_CLUSTERS=(); BENCH_DIRS=()
bench_cleanup() {
  local pid dir i
  for pid in "${BENCH_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for dir in "${BENCH_CLUSTERS[@]}"; do pg_down "$dir" || true; done
  for dir in "${BENCH_DIRS[@]}"; do rm -rf "$dir"; done
  BENCH_PIDS=(); BENCH_CLUSTERS=(); BENCH_DIRS=()
}
bench_traps() {
  trap bench_cleanup EXIT
  trap 'echo "interrupted: cleaning up" >&2; exit 130' INT
  trap 'echo "terminated: cleaning up" >&2; exit 143' TERM
  trap 'echo "stopped: \"$BASH_COMMAND\" failed (line $LINENO)" >&2' ERR
}
# bench_workdir VAR PREFIX: sets VAR to a new directory (removed on exit) that the postgres user can enter, under
# $BENCH_TMPDIR, else $TMPDIR, else /tmp
bench_workdir() {
  local d; d=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/$2.XXXXXX"); chmod 755 "$d"
  BENCH_DIRS+=("$d"); printf -v "$1" %s "$d"
}
# bench_pg_up DIR PORT: pg_up, refusing a port where a server already answers; the cluster is stopped on exit
bench_pg_up() {
  if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$2" >/dev/null 2>&1; then
    echo "port $2 is in use by another server: set another port (PORT / BASE_PORT) or stop that server" >&2; return 1
  fi
  BENCH_CLUSTERS+=("$1")
  pg_up "$1" "$2" || { echo "could not start PostgreSQL in $1 (log: $1/log)" >&2; cat "$1/log" >&2 2>/dev/null; return 1; }
}
bench_forget_cluster() { # DIR: stop it now and drop it from the cleanup list
  local keep=() d
  pg_down "$1" || true
  for d in "${BENCH_CLUSTERS[@]}"; do [ "$d" = "$1" ] || keep+=("$d"); done
  BENCH_CLUSTERS=("${keep[@]}")
}
bench_forget_pid() {
  local keep=() p
  for p in "${BENCH_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  BENCH_PIDS=("${keep[@]}")
}

# --- arithmetic ---------------------------------------------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (!NR) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 == 0) print "nan"; else printf "%.2f\n", a/b }'; }
fmt() { awk -v v="$2" -v f="$1" 'BEGIN{ if (v !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) print v; else printf f, v }'; } # fmt FORMAT VALUE
mb_of_kb() { awk -v k="$1" 'BEGIN{ printf "%.1f", k/1024 }'; }
free_mb() { df -Pm "$1" | awk 'NR==2 {print $4}'; }

# timed LOG CMD...: runs CMD with stdout+stderr to LOG under /usr/bin/time; sets T_WALL (s, from the shell's clock,
# microsecond resolution), T_CPU (user+system s), T_RSS (peak resident KB); returns CMD's status
timed() {
  local log=$1; shift
  local tf="$log.time" t0 t1 rc=0 usr sys
  t0=$EPOCHREALTIME
  /usr/bin/time -f "%U %S %M" -o "$tf" "$@" >"$log" 2>&1 || rc=$?
  t1=$EPOCHREALTIME
  T_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN{ printf "%.4f", b-a }')
  read -r usr sys T_RSS < <(grep -E '^[0-9.]+ [0-9.]+ [0-9]+$' "$tf" | tail -n 1) || true
  # shellcheck disable=SC2034 # T_WALL, T_CPU, T_RSS and R_MBS are read by the callers
  T_CPU=$(awk -v u="${usr:-0}" -v s="${sys:-0}" 'BEGIN{ printf "%.2f", u+s }')
  T_RSS=${T_RSS:-0}
  return $rc
}

# --- catch-up: a primary with MB of WAL already waiting (wal_keep_size), and the check of an archive --------------
# catchup_primary DIR PORT MB: sets CU_DIR CU_PORT CU_FIRST (the seed segment) CU_START CU_ENDPOS CU_BYTES CU_LAST
# (the segment holding CU_ENDPOS: every segment after CU_FIRST and before CU_LAST must come out complete). The WAL is
# `create table ... md5(g) || repeat('x', 100)` in chunks of at most 1000 MB, each table dropped after it (so the heap
# does not take a second copy of the disk space).
catchup_primary() {
  local dir=$1 port=$2 mb=$3 left chunk i=0
  PG_EXTRA_CONF="wal_keep_size = $((mb + 1024))MB
fsync = off
synchronous_commit = off" bench_pg_up "$dir" "$port"
  CU_DIR=$dir; CU_PORT=$port
  psqlc "$port" -c "select pg_switch_wal()" >/dev/null
  # at a segment boundary pg_walfile_name names the segment before it: the seed, so the receiver resumes right after it
  CU_FIRST=$(psqlc "$port" -c "select pg_walfile_name(pg_current_wal_lsn())")
  CU_START=$(psqlc "$port" -c "select pg_current_wal_lsn()")
  left=$mb
  while [ "$left" -gt 0 ]; do
    chunk=$((left > 1000 ? 1000 : left)); left=$((left - chunk)); i=$((i + 1))
    psqlc "$port" -c "create table t$i as select g, md5(g::text) || repeat('x', 100) as s from generate_series(1, $((chunk * 5200))) g" \
      -c "drop table t$i"
  done
  CU_ENDPOS=$(psqlc "$port" -c "select pg_current_wal_lsn()")
  CU_BYTES=$(psqlc "$port" -c "select pg_wal_lsn_diff('$CU_ENDPOS', '$CU_START')::bigint")
  CU_LAST=$(psqlc "$port" -c "select pg_walfile_name('$CU_ENDPOS')")
  psqlc "$port" -c "checkpoint" # so no checkpoint of the generation's buffers runs during the measurements
}
# catchup_run ARCH LOG CMD...: a catch-up into a fresh ARCH seeded with CU_FIRST, to CU_ENDPOS; sets T_* and R_MBS
catchup_run() {
  local arch=$1 log=$2; shift 2
  rm -rf "$arch"; mkdir -p "$arch"; cp "$CU_DIR/data/pg_wal/$CU_FIRST" "$arch/"
  sync # the seed's and the previous archive's dirty pages are not this run's work
  if ! timed "$log" "$@" -h 127.0.0.1 -p "$CU_PORT" -U postgres -D "$arch" -E "$CU_ENDPOS" -n; then
    echo "receiver failed: $*" >&2; tail -n 20 "$log" >&2; return 1
  fi
  # shellcheck disable=SC2034
  R_MBS=$(awk -v b="$CU_BYTES" -v w="$T_WALL" 'BEGIN{ printf "%.1f", b/1048576/w }')
}
# catchup_check ARCH: every completed file but the seed compared byte for byte with the primary's segment (.gz/.lz4/.zst
# decompressed with gzip/lz4/zstd), and every segment between the seed and CU_LAST present; sets C_N C_BAD C_MISSING
# C_STORED C_PLAIN (bytes of the completed files, and of the WAL they hold)
catchup_check() {
  local arch=$1 f b seg tool pgwal=$CU_DIR/data/pg_wal
  C_N=0; C_BAD=0; C_MISSING=0; C_STORED=0; C_PLAIN=0
  declare -A have=()
  for f in "$arch"/[0-9A-F]*; do
    [ -e "$f" ] || continue
    b=$(basename "$f"); [[ $b == *.partial || $b == *.history ]] && continue
    [ "$b" = "$CU_FIRST" ] && continue
    seg=${b%%.*}; have[$seg]=1
    C_N=$((C_N + 1)); C_STORED=$((C_STORED + $(stat -c %s "$f")))
    if [ ! -f "$pgwal/$seg" ]; then C_BAD=$((C_BAD + 1)); echo "  $b: no such segment in the primary's pg_wal" >&2; continue; fi
    C_PLAIN=$((C_PLAIN + $(stat -c %s "$pgwal/$seg")))
    case $b in *.gz) tool=gzip ;; *.lz4) tool=lz4 ;; *.zst) tool=zstd ;; *) tool= ;; esac
    if [ -n "$tool" ]; then cmp -s <($tool -dc "$f") "$pgwal/$seg" || { C_BAD=$((C_BAD + 1)); echo "  $b differs from the primary's segment" >&2; }
    else cmp -s "$f" "$pgwal/$seg" || { C_BAD=$((C_BAD + 1)); echo "  $b differs from the primary's segment" >&2; }; fi
  done
  for f in "$pgwal"/[0-9A-F]*; do
    b=$(basename "$f"); [[ ${#b} = 24 && $b > $CU_FIRST && $b < $CU_LAST ]] || continue
    [ -n "${have[$b]:-}" ] || { C_MISSING=$((C_MISSING + 1)); echo "  $b: not archived as a completed file" >&2; }
  done
}

# --- synchronous standby: a primary, an insert workload, a receiver as its synchronous standby ---------------------
SYNC_APP=${SYNC_APP:-benchrecv}
# sync_primary DIR PORT: starts it and writes DIR/ins.sql (one 100-byte insert per transaction)
sync_primary() {
  bench_pg_up "$1" "$2"
  psqlc "$2" -c "create table ev(id bigserial primary key, payload text)"
  echo "insert into ev(payload) values (repeat('p', 100));" >"$1/ins.sql"
}
# pgbench_tps PORT SECONDS CLIENTS SCRIPT: prints the tps. Stopped 60 s past its time: commits wait forever for a
# synchronous standby that has gone.
pgbench_tps() {
  local out
  out=$(timeout --foreground -k 5 $(($2 + 60)) "$PGBIN/pgbench" -h 127.0.0.1 -p "$1" -U postgres -n -f "$4" -c "$3" -j 2 -T "$2" postgres 2>&1) ||
    { echo "pgbench failed or did not finish (a synchronous standby gone?): $out" >&2; return 1; }
  awk '/^tps/ {print $3; exit}' <<<"$out"
}
# sync_names PORT NAMES: sets synchronous_standby_names and reloads
sync_names() { psqlc "$1" -c "alter system set synchronous_standby_names = '$2'" -c "select pg_reload_conf()" >/dev/null; }
# sync_start PORT ARCH LOG SLOT CMD...: starts CMD as application SYNC_APP with -S SLOT --synchronous in the
# background; sets SYNC_PID
sync_start() {
  local port=$1 arch=$2 log=$3 slot=$4; shift 4
  mkdir -p "$arch"
  PGAPPNAME=$SYNC_APP "$@" -h 127.0.0.1 -p "$port" -U postgres -D "$arch" -S "$slot" --synchronous -n >"$log" 2>&1 &
  SYNC_PID=$!; BENCH_PIDS+=("$SYNC_PID")
}
# sync_wait PORT STATE [SECONDS]: waits until SYNC_APP's sync_state is STATE (sync, async, ...); fails after SECONDS (30)
sync_wait() {
  local i
  for i in $(seq $((${3:-30} * 5))); do
    [ "$(psqlc "$1" -c "select sync_state from pg_stat_replication where application_name = '$SYNC_APP' and state = 'streaming'")" = "$2" ] && return 0
    kill -0 "$SYNC_PID" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
# sync_stop PORT: stops the receiver (SIGTERM, then SIGKILL after 10 s) and waits until the server let go of its slot
sync_stop() {
  local i
  kill -TERM "$SYNC_PID" 2>/dev/null || true
  for i in $(seq 100); do kill -0 "$SYNC_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SYNC_PID" 2>/dev/null || true
  wait "$SYNC_PID" 2>/dev/null || true
  bench_forget_pid "$SYNC_PID"
  for i in $(seq 100); do
    [ "$(psqlc "$1" -c "select count(*) from pg_stat_replication where application_name = '$SYNC_APP'")" = 0 ] &&
      [ "$(psqlc "$1" -c "select count(*) from pg_replication_slots where active")" = 0 ] && return 0
    sleep 0.1
  done
  echo "the server still shows the stopped receiver" >&2; return 1
}
