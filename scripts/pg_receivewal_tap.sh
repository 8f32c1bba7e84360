#!/usr/bin/env bash
# Runs PostgreSQL 15's own test of pg_receivewal, src/bin/pg_basebackup/t/020_pg_receivewal.pl, unmodified, against a
# program started through a symlink named pg_receivewal: WalReceiver's build by default, or any executable. The real
# pg_receivewal is the control (--program /usr/lib/postgresql/15/bin/pg_receivewal) and must pass every test.
#
#   scripts/pg_receivewal_tap.sh [--program PATH] [--skip-compression] [--cache DIR] [--keep]
#
#   --program PATH      executable to test (WALRECEIVER_TAP_PROGRAM); default: build src/WalReceiver.Cli and use it
#   --skip-compression  make the test skip its gzip and lz4 blocks (how and why: at the pg_config shim below)
#   --cache DIR         where the source package and the extracted test are kept between runs
#                       (WALRECEIVER_TAP_CACHE; default /var/cache/walreceiver/pg-tap)
#   --keep              keep the work directory (test logs, the archives) even when the run passes
#
# The test is PostgreSQL's text, not ours: it is fetched at run time from Debian's postgresql-15 source package (the
# version installed here), through a deb-src copy of the machine's own Debian apt sources, and never committed.
# Runs as root (apt-get; initdb refuses root, so the test itself runs as the postgres account), as CI does.
#
# Prints the TAP output, then a summary with a "result: planned=N run=N passed=N ..." line.
# Exit status: 0 when the test ran to its end and every failure is in the allow-list below; 1 otherwise;
# 2 when a prerequisite is missing (not root, a package could not be installed or the source not fetched).
set -uo pipefail

pg_major=15
here=$(cd "$(dirname "$0")/.." && pwd)
program=${WALRECEIVER_TAP_PROGRAM:-}
cache=${WALRECEIVER_TAP_CACHE:-/var/cache/walreceiver/pg-tap}
skip_compression=0
keep=0
test_path=src/bin/pg_basebackup/t/020_pg_receivewal.pl
deb_src_file=/etc/apt/sources.list.d/walreceiver-deb-src

# Failures we expect from WalReceiver, by the test's own description, each with the reason. Anything else failing is
# a regression; one of these passing is reported too (and changes the pass count the xunit test checks).
# Only one: every other test passes, the gzip and lz4 blocks included, each checking a real completed file with
# `gzip --test` / `lz4 -t`. (Test 33, "check that previously partial WAL is now complete", once failed only as a
# cascade of those blocks: each replaces the test's list of partials with the compressed ones it found, so while -Z was
# missing it looked for no file at all. It passes now and is not allowed to fail.)
declare -A allowed=(
  ["restart LSN of new slot is null"]="our --create-slot reserves WAL at once (a deliberate difference, see README)"
)

while [ $# -gt 0 ]; do
  case $1 in
    --program) program=$2; shift 2 ;;
    --program=*) program=${1#*=}; shift ;;
    --cache) cache=$2; shift 2 ;;
    --cache=*) cache=${1#*=}; shift ;;
    --skip-compression) skip_compression=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 1 ;;
  esac
done

missing() { echo "prerequisite missing: $*" >&2; exit 2; }
say() { echo "pg_receivewal_tap: $*" >&2; }

[ "$(id -u)" = 0 ] || missing "run as root: apt-get installs the test's packages, and runuser runs it as postgres"
command -v apt-get >/dev/null || missing "apt-get (a Debian machine)"

apt_updated=0
apt_update() {
  [ "$apt_updated" = 1 ] && return 0
  apt-get update -qq >/dev/null 2>&1 || say "apt-get update reported errors; going on with what it fetched"
  apt_updated=1
}

# --- packages ------------------------------------------------------------------------------------------------------
pg_bindir=/usr/lib/postgresql/$pg_major/bin
packages=()
[ -x "$pg_bindir/initdb" ] || packages+=("postgresql-$pg_major")
[ -x "$pg_bindir/pg_config" ] || packages+=("postgresql-client-$pg_major")
# check_pg_config() reads pg_config.h under `pg_config --includedir`, which Debian ships in libpq-dev.
[ -f /usr/include/postgresql/pg_config.h ] || packages+=(libpq-dev)
perl -MIPC::Run -e 1 2>/dev/null || packages+=(libipc-run-perl)
command -v prove >/dev/null || packages+=(perl)
command -v bzip2 >/dev/null || packages+=(bzip2) # the orig tarball is .tar.bz2
command -v gzip >/dev/null || packages+=(gzip)
command -v lz4 >/dev/null || packages+=(lz4)     # the test checks the completed .gz/.lz4 with these, or skips the check
if [ ${#packages[@]} -gt 0 ]; then
  say "installing ${packages[*]}"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null ||
    missing "could not install ${packages[*]} with apt-get"
fi
pgxs=$("$pg_bindir/pg_config" --pkglibdir)/pgxs
[ -f "$pgxs/src/test/perl/PostgreSQL/Test/Cluster.pm" ] || missing "PostgreSQL::Test::Cluster under $pgxs (postgresql-client-$pg_major)"

# --- the test file, from Debian's source package ------------------------------------------------------------------
# A deb-src twin of every Debian entry of the machine's own apt sources: deb822 stanzas (*.sources) and one-line
# entries (sources.list, *.list) whose suite is this release's (bookworm, bookworm-updates, bookworm-security, ...).
write_deb_src() {
  local codename; codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || missing "VERSION_CODENAME in /etc/os-release"
  local f stanzas="" lines=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && [ "$f" != "$deb_src_file.sources" ] || continue
    stanzas+=$(awk -v cn="$codename" '
      function flush() { if (n && deb && ours && enabled) { for (i = 1; i <= n; i++) print out[i]; print "" } n = 0; deb = 0; ours = 0; enabled = 1 }
      BEGIN { enabled = 1 }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]*#/ { next }
      { line = $0; key = tolower($1)
        if (key == "types:") { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1; line = "Types: deb-src" }
        if (key == "suites:") for (i = 2; i <= NF; i++) if ($i == cn || index($i, cn "-") == 1) ours = 1
        if (key == "enabled:" && tolower($2) == "no") enabled = 0
        out[++n] = line }
      END { flush() }' "$f")$'\n\n'
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && [ "$f" != "$deb_src_file.list" ] || continue
    lines+=$(awk -v cn="$codename" '
      $1 == "deb" { s = 0; suite = ""; for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/ && $i !~ /=/) { if (++s == 2) suite = $i }
                    if (suite == cn || index(suite, cn "-") == 1) { $1 = "deb-src"; print } }' "$f")$'\n'
  done
  [ -n "${stanzas//[$'\n']/}${lines//[$'\n']/}" ] || missing "a Debian $codename entry in the apt sources to derive deb-src from"
  printf '# Written by WalReceiver scripts/pg_receivewal_tap.sh: deb-src twins of the Debian entries in the apt sources of this machine.\n%s' "$stanzas" > "$deb_src_file.sources"
  if [ -n "${lines//[$'\n']/}" ]; then printf '%s' "$lines" > "$deb_src_file.list"; else rm -f "$deb_src_file.list"; fi
}

installed=$(dpkg-query -W -f='${Version}' "postgresql-$pg_major" 2>/dev/null) || missing "postgresql-$pg_major"
version_dir=$cache/$installed
test_file=$version_dir/020_pg_receivewal.pl
if [ ! -s "$test_file" ]; then
  mkdir -p "$version_dir" || missing "a writable cache directory ($cache)"
  write_deb_src
  apt_updated=0; apt_update
  fetched=$installed
  if ! (cd "$version_dir" && apt-get source -qq --download-only "postgresql-$pg_major=$installed" >/dev/null 2>&1); then
    # The mirror keeps only current versions; the test rarely changes between minor releases, so take the newest.
    fetched=$(apt-cache showsrc "postgresql-$pg_major" 2>/dev/null | awk '/^Version:/ { print $2 }' | sort -V | tail -n 1)
    [ -n "$fetched" ] || missing "Debian's postgresql-$pg_major source package (apt-get source found none)"
    say "source $installed is gone from the mirror; using the test of $fetched"
    (cd "$version_dir" && apt-get source -qq --download-only "postgresql-$pg_major=$fetched" >/dev/null 2>&1) ||
      missing "could not download postgresql-$pg_major $fetched's source"
  fi
  orig=$(ls "$version_dir"/postgresql-"$pg_major"_*.orig.tar.* 2>/dev/null | sort -V | tail -n 1)
  [ -n "$orig" ] || missing "the orig tarball in $version_dir"
  tar -xf "$orig" --wildcards -O "*/$test_path" > "$test_file.tmp" && [ -s "$test_file.tmp" ] ||
    { rm -f "$test_file.tmp"; echo "$test_path is not in $orig" >&2; exit 1; }
  mv "$test_file.tmp" "$test_file"
  echo "$fetched" > "$version_dir/test-version"
fi
test_version=$(cat "$version_dir/test-version" 2>/dev/null || echo "$installed")

# --- the program ---------------------------------------------------------------------------------------------------
if [ -z "$program" ]; then
  say "building src/WalReceiver.Cli (Release)"
  (cd "$here" && dotnet build src/WalReceiver.Cli -c Release -nologo -v q >&2) || { echo "the build failed" >&2; exit 1; }
  program=$here/src/WalReceiver.Cli/bin/Release/net10.0/walreceiver
fi
[ -x "$program" ] || { echo "not an executable: $program" >&2; exit 1; }
program=$(cd "$(dirname "$program")" && pwd)/$(basename "$program")

work=$(mktemp -d /tmp/pg_receivewal_tap.XXXXXX)
cleanup() {
  # Cluster.pm stops its nodes when the test ends; a test killed by the timeout does not, so stop what is left.
  local pid_file
  while IFS= read -r pid_file; do
    runuser -u postgres -- "$pg_bindir/pg_ctl" stop -s -m immediate -D "$(dirname "$pid_file")" >/dev/null 2>&1
  done < <(find "$work" -name postmaster.pid 2>/dev/null)
  if [ "$keep" = 1 ]; then say "kept $work for inspection (clusters stopped)"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/bin" "$work/t" "$work/testdir"
# The postgres account must reach the program (root's checkout may be private): else test a copy of its directory.
if ! runuser -u postgres -- test -x "$program" || ! runuser -u postgres -- test -r "$(dirname "$program")"; then
  cp -a "$(dirname "$program")" "$work/program" && program=$work/program/$(basename "$program")
fi
ln -s "$program" "$work/bin/pg_receivewal"
cp "$test_file" "$work/t/"
path=$work/bin

# Skipping the compression blocks is an option, not the default: the test runs unmodified, compression included.
# The test decides whether to run them with check_pg_config(), which greps pg_config.h under `pg_config --includedir`;
# a pg_config earlier on PATH that answers --includedir with a copy of pg_config.h lacking HAVE_LIBZ and USE_LZ4 makes
# both blocks skip. Everything else goes to the real one.
skipped_blocks="none"
if [ "$skip_compression" = 1 ]; then
  mkdir -p "$work/shim/include"
  grep -vE '^#define (HAVE_LIBZ|USE_LZ4) 1' "$("$pg_bindir/pg_config" --includedir)/pg_config.h" > "$work/shim/include/pg_config.h"
  printf '#!/bin/sh\n[ "$*" = --includedir ] && { echo "%s"; exit 0; }\nexec "%s" "$@"\n' \
    "$work/shim/include" "$pg_bindir/pg_config" > "$work/shim/pg_config"
  chmod 755 "$work/shim/pg_config"
  path=$path:$work/shim
  skipped_blocks="the ZLIB (gzip) and LZ4 blocks, 5 tests each (pg_config.h without HAVE_LIBZ and USE_LZ4)"
fi
chown -R postgres: "$work" && chmod 755 "$work"

# --- run -----------------------------------------------------------------------------------------------------------
log=$work/tap.log
started=$SECONDS
say "running PostgreSQL $test_version's $test_path against $program as pg_receivewal"
(cd "$work" && runuser -u postgres -- env -i HOME="$work" LANG=C.UTF-8 \
  PATH="$path:$pg_bindir:/usr/local/bin:/usr/bin:/bin" \
  PERL5LIB="$pgxs/src/test/perl" \
  PG_REGRESS="$pgxs/src/test/regress/pg_regress" \
  TESTDIR="$work/testdir" \
  GZIP_PROGRAM="$(command -v gzip)" LZ4="$(command -v lz4)" \
  timeout -k 10 300 prove -v "t/$(basename "$test_file")") < /dev/null 2>&1 | tee "$log"
elapsed=$((SECONDS - started))

# --- summary -------------------------------------------------------------------------------------------------------
planned=$(grep -oE '^1\.\.[0-9]+' "$log" | head -n 1 | cut -d. -f3)
run=0 passed=0 skipped=0 failed=0 allowed_failed=0 unexpected=0 allowed_passed=0
report=()
while IFS= read -r line; do
  run=$((run + 1))
  description=${line#* - }
  [ "$description" = "$line" ] && description=""
  if [[ $line == "not ok"* ]]; then
    failed=$((failed + 1))
    if [ -n "$description" ] && [ -n "${allowed[$description]+x}" ]; then
      allowed_failed=$((allowed_failed + 1)); report+=("allowed failure:     $line  [${allowed[$description]}]")
    else
      unexpected=$((unexpected + 1)); report+=("UNEXPECTED failure:  $line")
    fi
  elif [[ $line == *"# skip"* || $line == *"# SKIP"* ]]; then
    skipped=$((skipped + 1))
  else
    passed=$((passed + 1))
    if [ -n "$description" ] && [ -n "${allowed[$description]+x}" ]; then
      allowed_passed=$((allowed_passed + 1)); report+=("allowed to fail, but passed: $line")
    fi
  fi
done < <(grep -oE '(^|\.\. )(not ok|ok) [0-9]+.*$' "$log" | sed -E 's/^.*\.\. //')

echo
echo "== pg_receivewal TAP summary"
echo "test:     PostgreSQL $test_version $test_path (installed server $installed; cached in $version_dir)"
echo "program:  $program, started as pg_receivewal"
echo "skipped blocks: $skipped_blocks"
for r in "${report[@]}"; do echo "$r"; done
ok=1
if [ -z "$planned" ]; then
  echo "the test did not finish (no plan line): see the log above"; ok=0
elif [ "$run" != "$planned" ]; then
  echo "the test planned $planned tests but reported $run"; ok=0
fi
[ "$unexpected" = 0 ] || ok=0
echo "result: planned=${planned:-0} run=$run passed=$passed skipped=$skipped failed=$failed allowed=$allowed_failed unexpected=$unexpected allowed_passed=$allowed_passed seconds=$elapsed"
if [ "$ok" = 1 ]; then
  echo "pg_receivewal TAP: $passed of ${planned} passed ($skipped skipped); $failed failed, all allowed"
  exit 0
fi
regress_log=$(find "$work/testdir" -name 'regress_log_*' 2>/dev/null | head -n 1)
[ -n "$regress_log" ] && { echo "-- last lines of $regress_log"; tail -n 60 "$regress_log"; }
keep=1
echo "pg_receivewal TAP: $passed of ${planned:-?} passed; $unexpected unexpected failure(s)"
exit 1
