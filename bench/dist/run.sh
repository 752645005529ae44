#!/usr/bin/env bash
# Data-parallel throughput on this machine: 1 process x 2 threads vs 2 processes x 1 thread
# (gloo over 127.0.0.1), same global batch, the small residual net of the synthetic sample
# (TwoBlockResNet, 16x16 inputs) in training mode with plain SGD; 1 process x 1 thread as the
# baseline; and the same three in PyTorch (torch_peer.py, Debian's python3-torch) when present.
# The configurations alternate ROUNDS times (the machine may be shared); the summary gives each
# one's median img/s.
#
# NETWORK resnet20 runs the Zoo's ResNet-20 (1x28x28, channels-last) on both sides instead.
# "2x1" all-reduces after backward; "2x1 overlap" during backward (GradientReducer, the Trainer's default).
#
#   bench/dist/run.sh [ROUNDS] [STEPS] [GLOBAL_BATCH] [WIDTH] [NETWORK]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
steps=${2:-150}
batch=${3:-64}
width=${4:-16}
network=${5:-twoblock}
worker=tests/ResNetGen.DistWorker/bin/Release/net10.0/ResNetGen.DistWorker
[ -x "$worker" ] || dotnet build tests/ResNetGen.DistWorker -c Release -nologo -v quiet -clp:ErrorsOnly
python=/usr/bin/python3
peer=bench/dist/torch_peer.py
have_torch=0
"$python" -c "import torch.distributed as d; assert d.is_gloo_available()" 2>/dev/null && have_torch=1

common=(--steps "$steps" --warmup 5 --batch "$batch" --width "$width" --network "$network" --timeout-s 120)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $network, global batch $batch, $steps steps, width $width"
for round in $(seq "$rounds"); do
  echo "-- round $round"
  {
    OMP_NUM_THREADS=1 "$worker" bench --threads 1 "${common[@]}" | sed 's/^/resnetgen 1x1 | /'
    OMP_NUM_THREADS=2 "$worker" bench --threads 2 "${common[@]}" | sed 's/^/resnetgen 1x2 | /'
    "$worker" launch --nproc 2 --threads 1 -- bench --threads 1 "${common[@]}" | grep 'bench:' | sed 's/^/resnetgen 2x1 | /'
    "$worker" launch --nproc 2 --threads 1 -- bench --threads 1 --overlap 1 "${common[@]}" | grep 'bench:' | sed 's/^/resnetgen 2x1 overlap | /'
    if [ "$have_torch" = 1 ]; then
      OMP_NUM_THREADS=1 "$python" "$peer" single --threads 1 --steps "$steps" --batch "$batch" --width "$width" --network "$network" | sed 's/^/pytorch 1x1 | /'
      OMP_NUM_THREADS=2 "$python" "$peer" single --threads 2 --steps "$steps" --batch "$batch" --width "$width" --network "$network" | sed 's/^/pytorch 1x2 | /'
      OMP_NUM_THREADS=1 "$python" "$peer" ddp --nproc 2 --steps "$steps" --batch "$batch" --width "$width" --network "$network" 2>/dev/null |
        sed -e '/DistributedDataParallel/s/^/pytorch 2x1 ddp | /' -e '/all-reduce after/s/^/pytorch 2x1 flat | /'
    fi
  } | tee -a "$log"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== median img/s over $rounds round(s)"
python3 - "$log" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    key, _, rest = line.partition(" | ")
    m = re.search(r"([0-9.]+) img/s", rest)
    if m:
        runs.setdefault(key.strip(), []).append(float(m.group(1)))
for key in sorted(runs):
    print(f"{key:<20} {statistics.median(runs[key]):8.1f}   (runs: {', '.join(f'{v:.0f}' for v in runs[key])})")
PY
