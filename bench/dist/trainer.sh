#!/usr/bin/env bash
# The whole Trainer, data-parallel vs multi-threaded, on this machine: `resnetgen train` on
# Fashion-MNIST (ResNet-20, default recipe, augmentation and data loading included), one epoch
# over the first SUBSET training images, at the same global batch of 128:
#   1x1  one process, 1 thread          (baseline)
#   1x2  one process, 2 threads
#   2x1  --nproc-per-node 2, 1 thread each, batch 64 per process (gloo over 127.0.0.1)
# Configurations alternate ROUNDS times (the machine may be shared). The number is the Trainer's
# own training img/s of the epoch (metrics.json; evaluation not included). Median per config.
#
#   bench/dist/trainer.sh [ROUNDS] [SUBSET]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
subset=${2:-7680}
cli=samples/ResNetGen.Cli/bin/Release/net10.0/resnetgen.dll
[ -f "$cli" ] || dotnet build samples/ResNetGen.Cli -c Release -nologo -v quiet -clp:ErrorsOnly
out=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$out" "$log"' EXIT
rate() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["epochs"][-1]["images_per_second"])' "$1/metrics.json"; }
common=(--epochs 1 --train-subset "$subset" --plain --schedule Constant --lr 0.05)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); ResNet-20, $subset images, global batch 128"
for round in $(seq "$rounds"); do
  echo "-- round $round"
  dotnet "$cli" train "${common[@]}" --threads 1 --batch-size 128 -o "$out/a" > /dev/null
  echo "1x1 | $(rate "$out/a") img/s" | tee -a "$log"
  dotnet "$cli" train "${common[@]}" --threads 2 --batch-size 128 -o "$out/b" > /dev/null
  echo "1x2 | $(rate "$out/b") img/s" | tee -a "$log"
  dotnet "$cli" train "${common[@]}" --threads 1 --batch-size 64 --nproc-per-node 2 -o "$out/c" > /dev/null
  echo "2x1 | $(rate "$out/c") img/s" | tee -a "$log"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== median img/s over $rounds round(s)"
/usr/bin/python3 - "$log" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    key, _, rest = line.partition(" | ")
    runs.setdefault(key.strip(), []).append(float(re.search(r"([0-9.]+) img/s", rest).group(1)))
base = statistics.median(runs["1x1"])
for key in sorted(runs):
    m = statistics.median(runs[key])
    print(f"{key}  {m:8.1f} img/s  x{m / base:4.2f} of 1x1   (runs: {', '.join(f'{v:.0f}' for v in runs[key])})")
PY
