#!/usr/bin/env bash
# The whole GPU session in one command, run ON THE GPU MACHINE from a copy of this repository
# that holds .publish/gpu (made here by bench/gpu/prepare.sh; the device tool's carry). That
# machine has PyTorch with CUDA, CMake, ninja and g++, but no .NET and no network:
#   1. build  the shim against PyTorch's own libtorch (CMake + ninja, all cores)
#   2. smoke  the CUDA smoke suite (ResNetGen.GpuSmoke: PASS/FAIL/SKIP per check)
#   3. bench  our Trainer's step vs PyTorch eager, alternating rounds, medians: ResNet-50 at
#             224x224 batch 256 and ResNet-20 at 28x28 batch 512, channels-last, AMP bfloat16, SGD Nesterov
#   4. train  the main job, resnetgen train --device cuda (wall time, test accuracy)
# and writes $OUT/gpu-results.md (date, versions, every phase's outcome and numbers) plus each
# phase's full log and the main job's metrics.csv and report.html (7 files: the device tool
# brings back at most 8). A phase that fails or runs out of its time budget is recorded and the next
# one still runs; the results file is rewritten after every phase, so a cut-off run keeps what
# it measured. Exit status: 0 when every phase passed.
#
#   bench/gpu/run.sh [--dry-run] [--phases build,smoke,bench,train]
#
# --dry-run proves the same plumbing on a machine without a GPU: Debian's libtorch and
# /usr/bin/python3's torch, --device cpu, tiny sizes. Environment: OUT (results folder; default
# .cache/gpu/out-<mode>), RESNETGEN_PYTHON (default /opt/torch/.venv/bin/python, dry run
# /usr/bin/python3), RESNETGEN_GPU_DEADLINE_S (stop starting work after this many seconds;
# 560, a dry run 2240).
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

mode=device
phases=build,smoke,bench,train
internal=""
while (($#)); do
  case $1 in
    --dry-run) mode=dry-run ;;
    --internal-phase) internal=$2; shift ;;  # how run_phase runs one phase under timeout
    --phases) phases=$2; shift ;;
    --phases=*) phases=${1#*=} ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "error: unknown argument '$1' (expected --dry-run, --phases LIST)" >&2; exit 2 ;;
  esac
  shift
done

start=$SECONDS
# The device tool stops a command at 600 s: stop starting phases in time to write the results.
# A dry run on a small CPU machine gets 4x the time (the shim's build alone takes minutes there).
slow=1
[ "$mode" = dry-run ] && slow=4
deadline=${RESNETGEN_GPU_DEADLINE_S:-$((560 * slow))}
publish=$repo/.publish/gpu
cache=$repo/.cache/gpu
build=$cache/build-$mode
app=$cache/app
out=${OUT:-$cache/out-$mode}
mkdir -p "$out" "$cache"
out=$(cd "$out" && pwd)
results=$out/gpu-results.md
# At most 8 files come back from $OUT: the results, the four phase logs, the main job's metrics
# and report. Everything else stays in .cache/gpu.
versions=$cache/versions-$mode.txt
job=$cache/run-resnet20-$mode

if [ "$mode" = device ]; then
  python=${RESNETGEN_PYTHON:-/opt/torch/.venv/bin/python}
  [ -x "$python" ] || python=$(command -v python3)
  device=cuda
  smoke_args=(--device cuda)
  # name batch steps rounds
  bench_rows=("resnet50 256 20 5" "resnet20 512 50 5")
  train_args=(--device cuda)
else
  python=${RESNETGEN_PYTHON:-/usr/bin/python3}
  device=cpu
  smoke_args=(--device cpu --amp-steps 12)
  bench_rows=("resnet50 2 1 2" "resnet20 16 2 2")
  train_args=(--device cpu --epochs 1 --train-subset 256 --batch-size 64)
fi

# ---- the results file -------------------------------------------------------------------
declare -A status seconds
summary=()
note() { echo "[$(date -u +%H:%M:%S) +$((SECONDS - start))s] $*"; }


write_results() {
  {
    echo "# ResNetGen on the GPU machine: $mode"
    echo
    echo '```'
    cat "$versions"
    echo '```'
    echo
    echo "| phase | outcome | seconds |"
    echo "|---|---|---|"
    for p in build smoke bench train; do
      [ -n "${status[$p]:-}" ] && echo "| $p | ${status[$p]} | ${seconds[$p]} |"
    done
    echo
    for line in "${summary[@]}"; do echo "$line"; done
    echo
    echo "Total: $((SECONDS - start)) s. Next to this file: build.log, smoke.log, bench.log, train.log; the main job's metrics.csv and report.html."
  } > "$results"
}

# Runs phase $1 with a time budget of $2 seconds (cut to what is left before the deadline), as
# this script in a child process, so that timeout can end it and all it started.
run_phase() {
  local name=$1 budget=$(($2 * slow))
  local self=("$repo/bench/gpu/run.sh" --internal-phase "$name")
  [ "$mode" = dry-run ] && self+=(--dry-run)
  [[ ",$phases," == *",$name,"* ]] || return 0
  local left=$((deadline - (SECONDS - start)))
  if ((left < 20)); then
    status[$name]="not run: no time left before the ${deadline}s deadline"; seconds[$name]=0; write_results; return 0
  fi
  ((budget > left)) && budget=$left
  note "phase $name (budget ${budget}s)"
  local t0=$SECONDS rc
  OUT=$out timeout --kill-after=10 "$budget" "${self[@]}" > "$out/$name.log" 2>&1
  rc=$?
  seconds[$name]=$((SECONDS - t0))
  case $rc in
    0) status[$name]=ok ;;
    124|137) status[$name]="TIMEOUT after ${budget}s" ;;
    *) status[$name]="FAILED (exit $rc)" ;;
  esac
  note "phase $name: ${status[$name]} in ${seconds[$name]}s"
  tail -n 5 "$out/$name.log" | sed 's/^/    /'
  collect_$name
  write_results
}

# ---- 1. build ---------------------------------------------------------------------------
phase_build() {
  local prefix args=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
  prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
  # Debian's python3-torch names a prefix without CMake files; its libtorch-dev is found by default.
  if [ -f "$prefix/Torch/TorchConfig.cmake" ]; then
    args+=(-DCMAKE_PREFIX_PATH="$prefix" -DTorch_DIR="$prefix/Torch")
  fi
  echo "torch cmake prefix: $prefix"
  cmake -S runtime/native -B "$build" "${args[@]}" || return 1
  cmake --build "$build" --parallel "$(nproc)" || return 1
  ls -la "$build/libresnetgen_shim.so"
}
collect_build() {
  summary+=("## Build" "" '```' "$(grep -E 'resnetgen_shim:|error:|FAILED|libresnetgen_shim.so$' "$out/build.log" | head -n 20)" '```' "")
}

# The published programs, unpacked once (the archive travels; the unpacked folder is kept).
unpack_app() {
  if [ ! -f "$publish/app.tar.xz" ]; then
    echo "error: $publish/app.tar.xz is missing: run bench/gpu/prepare.sh on a machine with the .NET SDK and carry .publish/gpu" >&2
    return 1
  fi
  if [ ! -f "$app/.stamp" ] || [ "$publish/app.tar.xz" -nt "$app/.stamp" ]; then
    rm -rf "$app" && mkdir -p "$app"
    # Python's tarfile: no xz binary needed on the GPU machine.
    "$python" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$publish/app.tar.xz" "$app" || return 1
    touch "$app/.stamp"
  fi
}
export RESNETGEN_SHIM=$build/libresnetgen_shim.so
export RESNETGEN_PYTHON=$python
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# ---- 2. smoke ---------------------------------------------------------------------------
phase_smoke() {
  unpack_app || return 1
  "$app/ResNetGen.GpuSmoke" "${smoke_args[@]}"
}
collect_smoke() {
  summary+=("## Smoke suite (ResNetGen.GpuSmoke ${smoke_args[*]})" "" '```' "$(grep -E '^(PASS|FAIL|SKIP|smoke)' "$out/smoke.log")" '```' "")
}

# ---- 3. bench ---------------------------------------------------------------------------
phase_bench() {
  unpack_app || return 1
  local rc=0 row name batch steps rounds
  for row in "${bench_rows[@]}"; do
    read -r name batch steps rounds <<< "$row"
    "$app/ResNetGen.Bench" train --device "$device" --networks "$name" --batch "$batch" --steps "$steps" \
      --rounds "$rounds" --amp bfloat16 || rc=1
  done
  return $rc
}
collect_bench() {
  local table
  table=$(grep '^RESULT ' "$out/bench.log" | sed 's/^RESULT //' | awk '{
      for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", v["network"], v["input"], v["batch"], v["amp"], v["device"] == "cpu" ? v["threads"] " thread(s)" : v["device"], v["ours_img_s"], v["pytorch_img_s"], v["ratio"], v["rounds"] " x " v["steps"] " steps"
    }')
  summary+=("## Training throughput: our Trainer's step vs PyTorch eager (channels-last, SGD Nesterov; medians)" ""
            "| network | input | batch | amp | on | ours img/s | PyTorch img/s | ratio | rounds |" "|---|---|---|---|---|---|---|---|---|"
            "$table" "")
}

# ---- 4. train ---------------------------------------------------------------------------
phase_train() {
  unpack_app || return 1
  local data=$publish/data/fashion-mnist
  [ -f "$data/train-images-idx3-ubyte.gz" ] || data=/usr/share/datasets/fashion-mnist
  rm -rf "$job"
  local t0=$SECONDS
  "$app/resnetgen" train "${train_args[@]}" --data "$data" --output "$job" --plain || return 1
  echo "main job wall time: $((SECONDS - t0)) s"
}
collect_train() {
  local csv=$job/metrics.csv acc wall
  acc=$(tail -n 1 "$csv" 2>/dev/null | awk -F, '{ if ($5 != "") printf "%.2f%%", $5 * 100 }')
  wall=$(grep -o 'main job wall time: [0-9]* s' "$out/train.log" | grep -o '[0-9]* s')
  summary+=("## Main job: resnetgen train ${train_args[*]} (ResNet-20, Fashion-MNIST)" ""
            "wall time: ${wall:-n/a}; final test top-1: ${acc:-n/a}" "" '```'
            "$(grep -E '^epoch [0-9]+:|final test accuracy' "$out/train.log")" '```' "")
  [ -f "$csv" ] && cp "$csv" "$out/metrics.csv"
  [ -f "$job/report.html" ] && cp "$job/report.html" "$out/report.html"
}

if [ -n "$internal" ]; then
  "phase_$internal"
  exit $?
fi

{
  echo "date (UTC): $(date -u '+%Y-%m-%d %H:%M:%S')"
  echo "mode: $mode (device $device)"
  echo "host: $(cat /proc/sys/kernel/hostname 2>/dev/null || echo unknown) | cores: $(nproc) | memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "commit: $(cat "$publish/COMMIT" 2>/dev/null || echo unknown) (bench/gpu/prepare.sh)"
  "$python" - <<'EOF' 2>&1
import platform, torch
print(f"python: {platform.python_version()} | torch: {torch.__version__} | CUDA (torch): {torch.version.cuda} | cuDNN: {torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None}")
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    print(f"GPU: {p.name} | {p.total_memory / 2**30:.0f} GiB | compute capability {p.major}.{p.minor} | devices: {torch.cuda.device_count()}")
else:
    print("GPU: none visible to torch")
EOF
  if command -v nvidia-smi > /dev/null; then
    echo "nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -n1)"
    echo "CUDA (driver): $(nvidia-smi 2>/dev/null | grep -o 'CUDA Version: [0-9.]*' | head -n1)"
  fi
  echo "cmake: $(cmake --version | head -n1) | $(g++ --version | head -n1) | ninja $(ninja --version 2>/dev/null || echo none)"
} > "$versions"

write_results
run_phase build 300
run_phase smoke 150
run_phase bench 200
run_phase train 300
note "results: $results"
cat "$results"
for p in build smoke bench train; do
  [ -z "${status[$p]:-}" ] || [ "${status[$p]}" = ok ] || exit 1
done
exit 0
