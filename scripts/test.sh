#!/usr/bin/env bash
# Runs every test: unit tests (no server) and integration tests (throwaway PostgreSQL clusters started by the tests).
# Prints the total as its last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
ensure_postgres || exit 1
ensure_compression_tools || exit 1
log=$(mktemp)
dotnet test WalReceiver.sln -c Release 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi # a build error fails the run even with no test counted
echo "$passed passed, $failed failed"
exit "$rc"
