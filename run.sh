#!/usr/bin/env bash
# The main job: sets up the machine, builds, and runs the training sample.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec dotnet run --project samples/ResNetGen.Samples.Synthetic -c Release --no-build -- "$@"
