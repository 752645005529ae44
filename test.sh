#!/usr/bin/env bash
# Runs every test: sets up the machine, builds, runs all test projects, and prints one
# "N passed, N failed" line at the end.
set -uo pipefail
cd "$(dirname "$0")"
scripts/setup.sh || exit 1

log=$(mktemp)
dotnet test ResNetGen.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" line per project.
awk -F'[:,]' '/ - Failed: +[0-9]+, Passed: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i ~ /Failed$/) f += $(i + 1); if ($i ~ /Passed$/) p += $(i + 1); if ($i ~ /Skipped$/) s += $(i + 1)
    }
  }
  END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s; exit (p == 0) }' "$log"
counted=$?
rm -f "$log"
if [ "$status" -eq 0 ] && [ "$counted" -ne 0 ]; then
  echo "error: no test ran (is every test project in ResNetGen.sln?)" >&2
  exit 1
fi
exit "$status"
