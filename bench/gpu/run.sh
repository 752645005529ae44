#!/usr/bin/env bash
# Run ON THE GPU MACHINE, from a copy of this repository that holds .publish/bench.tar.xz
# (made by bench/gpu/prepare.sh). It needs PyTorch with CUDA (python3), CMake and g++ — no .NET.
#   1. builds the shim against PyTorch's own libtorch (CMake prefix from the torch package),
#   2. runs our Trainer's step and PyTorch eager side by side: ResNet-50 at 224, batch 256,
#      AMP (float16 + grad scaler) and channels_last, alternating rounds, medians.
# Results go to stdout and, when $OUT is set, to $OUT/gpu-bench.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${RESNETGEN_PYTHON:-$(command -v python3)}
prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
echo "==> PyTorch $("$python" -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0))')"

build=runtime/native/build-cuda
cmake -S runtime/native -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" -DTorch_DIR="$prefix/Torch" > /dev/null
cmake --build "$build" --parallel "$(nproc)" > /dev/null
export RESNETGEN_SHIM=$PWD/$build/libresnetgen_shim.so
export RESNETGEN_PYTHON=$python

mkdir -p .publish
tar -C .publish -xJf .publish/bench.tar.xz
bench=.publish/bench/ResNetGen.Bench
log=${OUT:-/tmp}/gpu-bench.txt
{
  "$bench" train --device cuda --networks resnet50 --batch 256 --amp float16 --steps 30 --rounds 5
  "$bench" train --device cuda --networks resnet50 --batch 256 --amp bfloat16 --steps 30 --rounds 5
  "$bench" overhead --rounds 5
} 2>&1 | tee "$log"
