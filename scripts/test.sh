#!/usr/bin/env bash
# Runs every test: unit tests (no server) and integration tests (throwaway PostgreSQL clusters started by the tests)
# against the JIT build; then publishes the shipped program, the Native AOT single file (scripts/publish.sh), and runs
# the integration tests that start the program again, against that file.
# Prints the total over all of it as its last line: "N passed, N failed". The AOT publish counts as one test: it fails
# on a build error and on any trim or AOT warning, and then the AOT tests are not run.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
ensure_postgres || exit 1
ensure_compression_tools || exit 1
ensure_node || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0; failed=0; rc=0

# Adds the "Passed: N" and "Failed: N" of a dotnet test run (its output in $log, its exit code $1) to the totals.
count() {
  local p f
  p=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
  f=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
  if [ "$1" != 0 ] && [ "$f" = 0 ]; then f=1; fi # a build error fails the run even with no test counted
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$1" != 0 ] && [ "$rc" = 0 ]; then rc=$1; fi
}

started=$SECONDS
dotnet test WalReceiver.sln -c Release 2>&1 | tee "$log"
count "${PIPESTATUS[0]}"
echo "== JIT build, every test: $((SECONDS - started)) s"

# The integration tests that start the program (as a child process, from a shell script, as restore_command, through a
# pg_receivewal symlink, as the image's entry point and the systemd unit's ExecStart, or under PostgreSQL's own TAP
# test): the receive verb and its persona, signals, restore and PITR, verify, status, the daemon with metrics, OTLP and
# healthz, compression, failover and timelines, faults. Left out, because they never start the program and would only
# run the same in-process code a second time: Testing (the fixture package's own tests), WalStreamVerifierTests (the
# library's verifier on the server's WAL), RecoveryTargetAgreementTests (the library's recovery target decoder
# against pg_waldump), Hosting and MyProject.Tests (the library's receiver in-process, and the README's example) and
# NuGetPackageTests (the packages built into a project of their own). Nothing here depends on files beside the JIT build: restore_command gets a
# world-readable copy of the single file (ServerReachableCli), the unit test's ExecStart is pointed at the file under
# test, and pg_receivewal_tap.sh copies what the postgres account cannot reach. 153 tests, about 3 min on 2 cores; new
# test classes join by default, so narrow this filter if it grows past about 4 min.
aot_filter='FullyQualifiedName!~WalReceiver.IntegrationTests.Testing.&FullyQualifiedName!~WalReceiver.IntegrationTests.Verification.WalStreamVerifierTests'
aot_filter+='&FullyQualifiedName!~WalReceiver.IntegrationTests.Verification.RecoveryTargetAgreementTests'
aot_filter+='&FullyQualifiedName!~WalReceiver.IntegrationTests.Packaging.NuGetPackageTests&FullyQualifiedName!~WalReceiver.IntegrationTests.Hosting.'
aot_filter+='&FullyQualifiedName!~MyProject.Tests.'
started=$SECONDS
echo "== the shipped program: scripts/publish.sh (Native AOT single file)"
if aot=$(bash scripts/publish.sh | tail -n 1) && [ -x "$aot" ]; then
  passed=$((passed + 1))
  echo "== published $aot in $((SECONDS - started)) s; the integration tests that start the program, against it"
  started=$SECONDS
  WALRECEIVER_TEST_EXECUTABLE="$aot" dotnet test tests/WalReceiver.IntegrationTests -c Release --no-build \
    --filter "$aot_filter" 2>&1 | tee "$log"
  count "${PIPESTATUS[0]}"
  echo "== Native AOT file, integration tests that start it: $((SECONDS - started)) s"
else
  echo "== scripts/publish.sh failed (a build error or a trim/AOT warning, above): counted as 1 failed test" >&2
  failed=$((failed + 1))
  [ "$rc" != 0 ] || rc=1
fi

echo "$passed passed, $failed failed"
exit "$rc"
