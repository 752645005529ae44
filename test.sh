#!/usr/bin/env bash
# Runs every test: sets up the machine, builds, runs all test projects, and prints one
# "N passed, N failed" line at the end.
set -uo pipefail
cd "$(dirname "$0")"
scripts/setup.sh || exit 1

log=$(mktemp)
dotnet test ResNetGen.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Checks that are programs rather than xunit tests, counted in the same totals. Each prints one
# "Passed/Failed/Skipped <name>" line (exit 77 = skipped); a failure shows the output's tail.
extra_passed=0 extra_failed=0 extra_skipped=0
check() {
  local name=$1 t0=$SECONDS out rc
  shift
  out=$(mktemp)
  "$@" > "$out" 2>&1
  rc=$?
  case $rc in
    0) echo "  Passed $name [$((SECONDS - t0)) s]"; extra_passed=$((extra_passed + 1)) ;;
    77) echo "  Skipped $name: $(tail -n 1 "$out")"; extra_skipped=$((extra_skipped + 1)) ;;
    *) echo "  Failed $name (exit $rc) [$((SECONDS - t0)) s]:"; tail -n 25 "$out" | sed 's/^/    /'; extra_failed=$((extra_failed + 1)) ;;
  esac
  rm -f "$out"
}
echo "Program checks:"
check "the native shim compiles and links against libtorch 2.6 (scripts/check-libtorch2.sh)" scripts/check-libtorch2.sh
# One thread: the suite checks plumbing here, and OpenMP's spinning threads crawl on a busy machine.
check "the GPU smoke suite's plumbing on the CPU (bench/gpu/ResNetGen.GpuSmoke --device cpu)" \
  env OMP_NUM_THREADS=1 dotnet bench/gpu/ResNetGen.GpuSmoke/bin/Release/net10.0/ResNetGen.GpuSmoke.dll --device cpu --amp-steps 12
if [ "$extra_failed" -ne 0 ] && [ "$status" -eq 0 ]; then status=1; fi

# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" line per project.
awk -F'[:,]' -v p="$extra_passed" -v f="$extra_failed" -v s="$extra_skipped" -v extra="$extra_passed" '/ - Failed: +[0-9]+, Passed: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i ~ /Failed$/) f += $(i + 1); if ($i ~ /Passed$/) p += $(i + 1); if ($i ~ /Skipped$/) s += $(i + 1)
    }
  }
  END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s; exit (p == extra) }' "$log"
counted=$?
rm -f "$log"
if [ "$status" -eq 0 ] && [ "$counted" -ne 0 ]; then
  echo "error: no test ran (is every test project in ResNetGen.sln?)" >&2
  exit 1
fi
exit "$status"
