#!/usr/bin/env bash
# Run HERE (a machine with the .NET SDK): publishes the benchmark self-contained for linux-x64
# and packs it as .publish/bench.tar.xz (~27 MB), which travels to the GPU machine (no .NET there).
# With the device tool: carry [".publish"], then run bench/gpu/run.sh there.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .publish/bench
dotnet publish bench/ResNetGen.Bench -c Release -r linux-x64 --self-contained -p:SkipNativeShim=true -o .publish/bench -nologo -v quiet
tar -C .publish -cJf .publish/bench.tar.xz bench
rm -rf .publish/bench
ls -la .publish/bench.tar.xz
