#!/usr/bin/env bash
# The main job: sets up the machine, builds, and trains the generated ResNet-20 on Fashion-MNIST
# (Debian's dataset-fashion-mnist) on the best device present, then prints the final test accuracy
# and where the HTML report is. Extra arguments go to `resnetgen train` (see --help).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec dotnet samples/ResNetGen.Cli/bin/Release/net10.0/resnetgen.dll train "$@"
