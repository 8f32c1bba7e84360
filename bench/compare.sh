#!/usr/bin/env bash
# Side-by-side benchmark of walreceiver (`walreceiver receive`) against pg_receivewal, for every target of the
# performance issue, on throwaway clusters made here (run as root or as a user that can run initdb). Each section runs
# the two programs in pairs whose order alternates (ours first, then pg_receivewal first, ...), prints one line per pair
# with the ratio ours/pg_receivewal, then the medians; the last lines are a table of the targets with PASS or MISS.
#
#   catchup  WAL already waiting on a primary (wal_keep_size), archived from a directory seeded with the segment before
#            it up to its end (-E): MB/s, CPU seconds (user+sys), peak RSS. Every completed file is compared byte for
#            byte with the primary's segment (.gz/.lz4/.zst after decompressing with gzip/lz4/zstd).
#            Targets: MB/s >= 2x, CPU <= 0.8x, peak RSS of ours <= 24 MB (the largest of its runs).
#   sync     pgbench tps (one 100-byte insert per transaction) on one primary whose synchronous standby is the receiver
#            (--synchronous -S slot, application_name in synchronous_standby_names): per run the other receiver is
#            stopped, this one started on an empty directory, and pgbench starts once pg_stat_replication shows it
#            `sync`. Target tps >= 1.3x. Also the tps with no standby, measured once before the pairs.
#   startup  `receive` with nothing to do: the archive already holds the WAL up to -E, so the program connects, plans
#            and exits. Wall time and peak RSS. Target wall time <= 2x.
#   memory   not run unless asked: the catch-up with MEMORY_GB of WAL; peak RSS of both. Target ours <= 24 MB.
#            Needs about 2 x MEMORY_GB + 2 GB free disk (the primary's pg_wal and the archive); refused otherwise.
#
# Usage: bench/compare.sh [options]          (each option also as an environment variable, shown in brackets)
#   --pairs N          pairs for the catch-up and the synchronous standby (PAIRS, default 5)
#   --wal-mb N         MB of WAL for the catch-up (WAL_MB, default 1000)
#   --seconds N        seconds of pgbench per run (PGBENCH_SECONDS, default 15)
#   --clients N        pgbench clients (CLIENTS, default 8)
#   --ours-opts "..."  extra options for ours, e.g. "-Z lz4" or "--no-verify" (OURS_OPTS); pg_receivewal gets the same
#                      -Z when it accepts it, and runs without compression (said in the output) when it does not
#   --sections LIST    comma-separated, of catchup,sync,startup,memory (SECTIONS, default catchup,sync,startup)
#   --memory-gb N      GB of WAL for the memory section, and runs it (MEMORY_GB, default 10 when listed in --sections;
#                      MEMORY_MB, in MB, overrides it to try the section on a small size)
#   --memory-pairs N   pairs for the memory section (MEMORY_PAIRS, default 1)
#   --startup-pairs N  pairs for the start-up section (STARTUP_PAIRS, default 10)
# Environment: WALRECEIVER, the program to test (default artifacts/aot/walreceiver, published with scripts/publish.sh
# when missing); PG_RECEIVEWAL, the program to compare it with (default the pg_receivewal of pg_config --bindir: another
# PostgreSQL's, or an earlier build of ours behind a script that runs `walreceiver receive "$@"`); BASE_PORT (default
# 55440; the sections use BASE_PORT to BASE_PORT+3); BENCH_TMPDIR, where the clusters and archives go (default $TMPDIR
# or /tmp). MB here is 1,048,576 bytes.
set -euo pipefail
export LC_ALL=C # decimal points in printf and awk
cd "$(dirname "$0")/.."
root=$PWD

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
PAIRS=${PAIRS:-5}; WAL_MB=${WAL_MB:-1000}; PGBENCH_SECONDS=${PGBENCH_SECONDS:-15}; CLIENTS=${CLIENTS:-8}
OURS_OPTS=${OURS_OPTS:-}; SECTIONS=${SECTIONS:-}; MEMORY_GB=${MEMORY_GB:-}; MEMORY_PAIRS=${MEMORY_PAIRS:-1}
STARTUP_PAIRS=${STARTUP_PAIRS:-10}; BASE_PORT=${BASE_PORT:-55440}
while [ $# -gt 0 ]; do
  case $1 in
    --pairs) PAIRS=$2; shift 2 ;;
    --wal-mb) WAL_MB=$2; shift 2 ;;
    --seconds) PGBENCH_SECONDS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --ours-opts) OURS_OPTS=$2; shift 2 ;;
    --sections) SECTIONS=$2; shift 2 ;;
    --memory-gb) MEMORY_GB=$2; shift 2 ;;
    --memory-pairs) MEMORY_PAIRS=$2; shift 2 ;;
    --startup-pairs) STARTUP_PAIRS=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$SECTIONS" ]; then SECTIONS=catchup,sync,startup; [ -n "$MEMORY_GB" ] && SECTIONS+=,memory; fi
MEMORY_GB=${MEMORY_GB:-10}
MEMORY_MB=${MEMORY_MB:-$((MEMORY_GB * 1024))} # MEMORY_MB, in MB, to try the section on a small size
for n in PAIRS WAL_MB PGBENCH_SECONDS CLIENTS MEMORY_GB MEMORY_MB MEMORY_PAIRS STARTUP_PAIRS BASE_PORT; do
  [[ ${!n} =~ ^[1-9][0-9]*$ ]] || { echo "$n must be a positive whole number, not '${!n}'" >&2; exit 2; }
done
declare -A RUN=()
IFS=, read -ra list <<<"$SECTIONS"
for s in "${list[@]}"; do
  case $s in catchup|sync|startup|memory) RUN[$s]=1 ;; *) echo "unknown section '$s': catchup, sync, startup, memory" >&2; exit 2 ;; esac
done

# --- what is needed, and the two programs ---------------------------------------------------------------------------
source scripts/prerequisites.sh
ensure_postgres
ensure_compression_tools
if [ ! -x /usr/bin/time ]; then
  echo "installing time (Debian package) for /usr/bin/time..." >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >&2
fi
PGBIN=$(pg_bindir); export PGBIN
PGRW=${PG_RECEIVEWAL:-$PGBIN/pg_receivewal}
[ -x "$PGRW" ] || { echo "PG_RECEIVEWAL: $PGRW is not an executable" >&2; exit 2; }
if [ -z "${WALRECEIVER:-}" ]; then
  WALRECEIVER=$root/artifacts/aot/walreceiver
  if [ ! -x "$WALRECEIVER" ]; then
    echo "no $WALRECEIVER: publishing it with scripts/publish.sh..." >&2
    WALRECEIVER=$(bash scripts/publish.sh | tail -n 1)
  fi
fi
[ -x "$WALRECEIVER" ] || { echo "WALRECEIVER=$WALRECEIVER is not an executable file" >&2; exit 1; }
WALRECEIVER=$(cd "$(dirname "$WALRECEIVER")" && pwd)/$(basename "$WALRECEIVER")
source bench/pg.sh
source bench/lib.sh
bench_traps
bench_workdir W walreceiver-compare

# ours gets OURS_OPTS; pg_receivewal the same -Z when it takes it (asked of the program itself, so a newer one that
# takes zstd gets it too)
read -ra ours_opts <<<"$OURS_OPTS"
theirs_opts=(); notes=(); ours_only=(); z=
for ((i = 0; i < ${#ours_opts[@]}; i++)); do
  w=${ours_opts[i]}
  case $w in
    -Z|--compress) z=${ours_opts[i+1]:-}; i=$((i + 1)) ;;
    --compress=*) z=${w#--compress=} ;;
    -Z*) z=${w#-Z} ;;
    *) ours_only+=("$w") ;;
  esac
done
if [ -n "$z" ]; then
  probe=$("$PGRW" -Z "$z" -D "$W/probe-no-such-dir" 2>&1 || true)
  if [[ $probe == *"could not open directory"* ]]; then theirs_opts=(-Z "$z")
  else notes+=("pg_receivewal refuses -Z $z (${probe%%$'\n'*}): it runs without compression"); fi
fi
[ ${#ours_only[@]} -gt 0 ] && notes+=("for ours only (pg_receivewal has no such option): ${ours_only[*]}")
OURS=("$WALRECEIVER" receive "${ours_opts[@]}")
THEIRS=("$PGRW" "${theirs_opts[@]}")
compressed=; [ -n "$z" ] && compressed=1

# --- output helpers -------------------------------------------------------------------------------------------------
SUM_ROWS=()
summary_row() { SUM_ROWS+=("$(printf '%-44s %-11s %-9s %s' "$1" "$2" "$3" "$4")"); } # name measured target result
pass_if() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN{ if (v == "nan") { print "MISS"; exit }
  ok = (op == ">=") ? (v+0 >= t+0) : (v+0 <= t+0); print (ok ? "PASS" : "MISS") }'; }
plural() { if [ "$1" = 1 ]; then echo "1 $2"; else echo "$1 ${2}s"; fi; }
order_of() { if [ $(($1 % 2)) = 1 ]; then echo "ours theirs"; else echo "theirs ours"; fi; }
first_of() { if [ $(($1 % 2)) = 1 ]; then echo "ours first"; else echo "pg_receivewal first"; fi; }
need_disk() { # MB_NEEDED WHAT
  local free; free=$(free_mb "$W")
  if [ "$free" -lt "$1" ]; then
    echo "refusing the $2: it needs about $(($1 / 1024 + 1)) GB free in $(dirname "$W") and only $((free / 1024)) GB are free;" \
      "set BENCH_TMPDIR to a larger disk, or lower the WAL size" >&2
    exit 1
  fi
}
# checked before anything runs, so a long run does not end in a refusal
[ -n "${RUN[catchup]:-}" ] && need_disk $((2 * WAL_MB + 2048)) "catch-up of $WAL_MB MB"
[ -n "${RUN[memory]:-}" ] && need_disk $((2 * MEMORY_MB + 2048)) "memory section with $MEMORY_MB MB of WAL"

echo "walreceiver compare, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(uname -sr)"
echo "ours:          ${OURS[*]}  (walreceiver $("$WALRECEIVER" --version 2>/dev/null | head -n 1))"
echo "pg_receivewal: ${THEIRS[*]}  ($("$PGRW" --version | sed 's/^pg_receivewal (\(.*\)) /\1 /'))"
for n in "${notes[@]}"; do echo "note: $n"; done
pairs="catch-up and sync $PAIRS, start-up $STARTUP_PAIRS"; [ -n "${RUN[memory]:-}" ] && pairs+=", memory $MEMORY_PAIRS"
echo "pairs: $pairs; the order alternates (ours first, then pg_receivewal first); ratios are ours/pg_receivewal; MB = 2^20 bytes"

# --- catch-up (also the memory section) -----------------------------------------------------------------------------
# catchup_section TITLE MB PAIRS PORT SUMMARY_PREFIX
catchup_section() {
  local title=$1 mb=$2 pairs=$3 port=$4 pre=$5 d p who rmbs rcpu rrss line stored
  local -A MBS=() CPU=() RSS=() V=() # V[who.figure]: this pair's figures
  local RM=() RC=() RR=()
  d=$W/$pre; mkdir -p "$d"; chmod 755 "$d"
  need_disk $((2 * mb + 2048)) "$title"
  echo
  echo "== $title: $mb MB of WAL waiting on the primary (wal_keep_size), $(plural "$pairs" pair)"
  catchup_primary "$d/pg" "$port" "$mb"
  echo "WAL $CU_START to $CU_ENDPOS: $(awk -v b="$CU_BYTES" 'BEGIN{printf "%.0f", b/1048576}') MB; every completed file checked against the primary's pg_wal"
  for p in $(seq "$pairs"); do
    line=""
    for who in $(order_of "$p"); do
      if [ "$who" = ours ]; then catchup_run "$d/arch" "$d/recv.log" "${OURS[@]}"
      else catchup_run "$d/arch" "$d/recv.log" "${THEIRS[@]}"; fi
      catchup_check "$d/arch"
      if [ "$C_BAD" != 0 ] || [ "$C_MISSING" != 0 ]; then
        echo "pair $p: $who's archive is wrong: $C_BAD files differ from the primary's, $C_MISSING segments missing" >&2; exit 1
      fi
      MBS[$who]+="$R_MBS "; CPU[$who]+="$T_CPU "; RSS[$who]+="$T_RSS "
      stored=$(awk -v s="$C_STORED" -v q="$C_PLAIN" 'BEGIN{printf "%.3f", q ? s/q : 0}')
      V[$who.mbs]=$R_MBS; V[$who.cpu]=$T_CPU; V[$who.rss]=$T_RSS; V[$who.n]=$C_N; V[$who.st]=$stored
      rm -rf "$d/arch"
    done
    rmbs=$(ratio "${V[ours.mbs]}" "${V[theirs.mbs]}"); rcpu=$(ratio "${V[ours.cpu]}" "${V[theirs.cpu]}"); rrss=$(ratio "${V[ours.rss]}" "${V[theirs.rss]}")
    RM+=("$rmbs"); RC+=("$rcpu"); RR+=("$rrss")
    line=$(printf 'pair %-2s %-21s ours %7.1f MB/s cpu %6.2f s rss %6.1f MB | pg_receivewal %7.1f MB/s cpu %6.2f s rss %6.1f MB | ratio MB/s %sx cpu %sx rss %sx | %s+%s files identical' \
      "$p" "($(first_of "$p"))" "${V[ours.mbs]}" "${V[ours.cpu]}" "$(mb_of_kb "${V[ours.rss]}")" \
      "${V[theirs.mbs]}" "${V[theirs.cpu]}" "$(mb_of_kb "${V[theirs.rss]}")" "$rmbs" "$rcpu" "$rrss" "${V[ours.n]}" "${V[theirs.n]}")
    [ -n "$compressed" ] && line+=" | stored/WAL ours ${V[ours.st]} pg_receivewal ${V[theirs.st]}"
    echo "$line"
  done
  local m_rm m_rc m_rr ours_max theirs_max
  m_rm=$(fmt %.2f "$(median "${RM[@]}")"); m_rc=$(fmt %.2f "$(median "${RC[@]}")"); m_rr=$(fmt %.2f "$(median "${RR[@]}")")
  ours_max=$(maximum ${RSS[ours]}); theirs_max=$(maximum ${RSS[theirs]})
  printf 'median  %-21s ours %7.1f MB/s cpu %6.2f s rss %6.1f MB | pg_receivewal %7.1f MB/s cpu %6.2f s rss %6.1f MB | ratio MB/s %sx cpu %sx rss %sx (medians of the pair ratios)\n' \
    "" "$(median ${MBS[ours]})" "$(median ${CPU[ours]})" "$(mb_of_kb "$(median ${RSS[ours]})")" \
    "$(median ${MBS[theirs]})" "$(median ${CPU[theirs]})" "$(mb_of_kb "$(median ${RSS[theirs]})")" "$m_rm" "$m_rc" "$m_rr"
  echo "peak RSS, largest of the runs: ours $(mb_of_kb "$ours_max") MB, pg_receivewal $(mb_of_kb "$theirs_max") MB"
  if [ "$pre" = catchup ]; then
    echo "targets: MB/s ratio ${m_rm}x (>= 2x), CPU ratio ${m_rc}x (<= 0.8x), peak RSS of ours $(mb_of_kb "$ours_max") MB (<= 24 MB)"
    summary_row "catch-up MB/s, ours/pg_receivewal" "${m_rm}x" ">= 2x" "$(pass_if "$m_rm" '>=' 2)"
    summary_row "catch-up CPU (user+sys), ours/pg_receivewal" "${m_rc}x" "<= 0.8x" "$(pass_if "$m_rc" '<=' 0.8)"
    summary_row "catch-up peak RSS of ours (largest run)" "$(mb_of_kb "$ours_max") MB" "<= 24 MB" "$(pass_if "$ours_max" '<=' $((24 * 1024)))"
  else
    echo "target: peak RSS of ours $(mb_of_kb "$ours_max") MB (<= 24 MB); pg_receivewal's $(mb_of_kb "$theirs_max") MB"
    summary_row "memory: peak RSS of ours, $mb MB of WAL" "$(mb_of_kb "$ours_max") MB" "<= 24 MB" "$(pass_if "$ours_max" '<=' $((24 * 1024)))"
  fi
  bench_forget_cluster "$d/pg"; rm -rf "$d"
}

# --- synchronous standby --------------------------------------------------------------------------------------------
sync_section() {
  local port=$((BASE_PORT + 1)) d=$W/sync p who tps base r line
  local -A TPS=() V=(); local R=()
  mkdir -p "$d"; chmod 755 "$d"
  echo
  echo "== synchronous standby: pgbench ${PGBENCH_SECONDS}s, $CLIENTS clients, one insert per transaction; the receiver with --synchronous -S slot as application_name $SYNC_APP, listed in synchronous_standby_names; $(plural "$PAIRS" pair) on one primary"
  sync_primary "$d/pg" "$port"
  base=$(pgbench_tps "$port" "$PGBENCH_SECONDS" "$CLIENTS" "$d/pg/ins.sql")
  echo "no standby (reference, once before the pairs): $(fmt %.0f "$base") tps"
  psqlc "$port" -c "select pg_create_physical_replication_slot('bench', true)" >/dev/null
  sync_names "$port" "$SYNC_APP"
  for p in $(seq "$PAIRS"); do
    for who in $(order_of "$p"); do
      rm -rf "$d/arch"
      if [ "$who" = ours ]; then sync_start "$port" "$d/arch" "$d/recv.log" bench "${OURS[@]}"
      else sync_start "$port" "$d/arch" "$d/recv.log" bench "${THEIRS[@]}"; fi
      sync_wait "$port" sync 60 || { echo "pair $p: $who did not become the synchronous standby; its log:" >&2; cat "$d/recv.log" >&2; exit 1; }
      tps=$(pgbench_tps "$port" "$PGBENCH_SECONDS" "$CLIENTS" "$d/pg/ins.sql")
      kill -0 "$SYNC_PID" 2>/dev/null || { echo "pair $p: $who exited during pgbench; its log:" >&2; cat "$d/recv.log" >&2; exit 1; }
      sync_stop "$port"
      TPS[$who]+="$tps "; V[$who]=$tps
    done
    r=$(ratio "${V[ours]}" "${V[theirs]}"); R+=("$r")
    printf 'pair %-2s %-21s ours %8.0f tps | pg_receivewal %8.0f tps | ratio %sx\n' "$p" "($(first_of "$p"))" "${V[ours]}" "${V[theirs]}" "$r"
  done
  local m; m=$(fmt %.2f "$(median "${R[@]}")")
  printf 'median  %-21s ours %8.0f tps | pg_receivewal %8.0f tps | ratio %sx (median of the pair ratios); no standby %.0f tps\n' \
    "" "$(median ${TPS[ours]})" "$(median ${TPS[theirs]})" "$m" "$base"
  echo "target: tps ratio ${m}x (>= 1.3x)"
  summary_row "sync standby tps, ours/pg_receivewal" "${m}x" ">= 1.3x" "$(pass_if "$m" '>=' 1.3)"
  sync_names "$port" ""
  bench_forget_cluster "$d/pg"; rm -rf "$d"
}

# --- start-up with nothing to do ------------------------------------------------------------------------------------
startup_section() {
  local port=$((BASE_PORT + 2)) d=$W/startup p who endpos last f n before after
  local -A WALL=() RSS=() V=(); local RW=() RR=() cmd=()
  mkdir -p "$d"; chmod 755 "$d"
  echo
  echo "== start-up with nothing to do: the archive holds the WAL up to -E, the program connects, plans and exits; $(plural "$STARTUP_PAIRS" pair)"
  bench_pg_up "$d/pg" "$port"
  psqlc "$port" -c "create table s as select g, md5(g::text) as s from generate_series(1, 200000) g"
  endpos=$(psqlc "$port" -c "select pg_switch_wal()") # inside the segment it completes
  last=$(psqlc "$port" -c "select pg_walfile_name('$endpos')")
  mkdir "$d/ours" "$d/theirs"
  n=0
  for f in "$d/pg/data/pg_wal"/[0-9A-F]*; do
    b=$(basename "$f"); [[ ${#b} = 24 && ! $b > $last ]] || continue
    cp "$f" "$d/ours/"; cp "$f" "$d/theirs/"; n=$((n + 1))
  done
  echo "archive: $n segments up to $last; -E $endpos"
  for p in $(seq "$STARTUP_PAIRS"); do
    for who in $(order_of "$p"); do
      before=$(ls "$d/$who" | { grep -E '^[0-9A-F]{24}' || true; } | sort | tr '\n' ' ')
      if [ "$who" = ours ]; then cmd=("${OURS[@]}"); else cmd=("${THEIRS[@]}"); fi
      if ! timed "$d/recv.log" "${cmd[@]}" -h 127.0.0.1 -p "$port" -U postgres -D "$d/$who" -E "$endpos" -n; then
        echo "pair $p: $who failed:" >&2; cat "$d/recv.log" >&2; exit 1
      fi
      after=$(ls "$d/$who" | { grep -E '^[0-9A-F]{24}' || true; } | sort | tr '\n' ' ')
      [ "$before" = "$after" ] || { echo "pair $p: $who wrote WAL files although it had nothing to do: before [$before] after [$after]" >&2; cat "$d/recv.log" >&2; exit 1; }
      local ms; ms=$(awk -v w="$T_WALL" 'BEGIN{printf "%.1f", w*1000}')
      WALL[$who]+="$ms "; RSS[$who]+="$T_RSS "; V[$who.ms]=$ms; V[$who.rss]=$T_RSS
    done
    RW+=("$(ratio "${V[ours.ms]}" "${V[theirs.ms]}")"); RR+=("$(ratio "${V[ours.rss]}" "${V[theirs.rss]}")")
    printf 'pair %-2s %-21s ours %7.1f ms rss %6.1f MB | pg_receivewal %7.1f ms rss %6.1f MB | ratio wall %sx rss %sx\n' \
      "$p" "($(first_of "$p"))" "${V[ours.ms]}" "$(mb_of_kb "${V[ours.rss]}")" "${V[theirs.ms]}" "$(mb_of_kb "${V[theirs.rss]}")" "${RW[-1]}" "${RR[-1]}"
  done
  local mw mr; mw=$(fmt %.2f "$(median "${RW[@]}")"); mr=$(fmt %.2f "$(median "${RR[@]}")")
  printf 'median  %-21s ours %7.1f ms rss %6.1f MB | pg_receivewal %7.1f ms rss %6.1f MB | ratio wall %sx rss %sx (medians of the pair ratios)\n' \
    "" "$(median ${WALL[ours]})" "$(mb_of_kb "$(median ${RSS[ours]})")" "$(median ${WALL[theirs]})" "$(mb_of_kb "$(median ${RSS[theirs]})")" "$mw" "$mr"
  echo "target: wall time ratio ${mw}x (<= 2x)"
  summary_row "start-up wall time, ours/pg_receivewal" "${mw}x" "<= 2x" "$(pass_if "$mw" '<=' 2)"
  bench_forget_cluster "$d/pg"; rm -rf "$d"
}

[ -n "${RUN[catchup]:-}" ] && catchup_section "catch-up" "$WAL_MB" "$PAIRS" "$BASE_PORT" catchup
[ -n "${RUN[sync]:-}" ] && sync_section
[ -n "${RUN[startup]:-}" ] && startup_section
[ -n "${RUN[memory]:-}" ] && catchup_section "memory at scale" "$MEMORY_MB" "$MEMORY_PAIRS" $((BASE_PORT + 3)) memory

echo
echo "== summary${OURS_OPTS:+ (ours with $OURS_OPTS)}"
printf '%-44s %-11s %-9s %s\n' target measured goal result
for r in "${SUM_ROWS[@]}"; do echo "$r"; done
