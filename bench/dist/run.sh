#!/usr/bin/env bash
# Data-parallel throughput on this machine: 1 process x 2 threads vs 2 processes x 1 thread
# (gloo over 127.0.0.1), same global batch, the small residual net of the synthetic sample
# (TwoBlockResNet, 16x16 inputs) in training mode with plain SGD. Also 1 process x 1 thread
# as the baseline. Alternates the configurations ROUNDS times, since the machine is shared.
#
#   bench/dist/run.sh [ROUNDS] [STEPS] [GLOBAL_BATCH] [WIDTH]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
steps=${2:-40}
batch=${3:-64}
width=${4:-16}
worker=samples/ResNetGen.DistWorker/bin/Release/net10.0/ResNetGen.DistWorker
[ -x "$worker" ] || dotnet build samples/ResNetGen.DistWorker -c Release -nologo -v quiet -clp:ErrorsOnly
common=(--steps "$steps" --warmup 5 --batch "$batch" --width "$width" --timeout-s 120)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  echo "-- round $round"
  OMP_NUM_THREADS=1 "$worker" bench --threads 1 "${common[@]}"
  OMP_NUM_THREADS=2 "$worker" bench --threads 2 "${common[@]}"
  "$worker" launch --nproc 2 --threads 1 -- bench --threads 1 "${common[@]}"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
