#!/usr/bin/env bash
# Run HERE (a machine with the .NET SDK), before a GPU session: makes .publish/gpu, the one
# folder that travels to the GPU machine (the device tool's carry; it has no .NET and no network):
#   app.tar.xz   resnetgen (the CLI), ResNetGen.Bench and ResNetGen.GpuSmoke, published
#                self-contained for linux-x64 into one folder (they share the runtime's files),
#                without the native shim: bench/gpu/run.sh builds that there against PyTorch's libtorch
#   data/        Fashion-MNIST's four .gz files (the main job's data)
#   COMMIT       the commit it was made from
# and checks it fits the carry limit (64 MiB in all).
set -euo pipefail
cd "$(dirname "$0")/../.."
limit_mib=64
dest=.publish/gpu
data_src=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

rm -rf "$dest"
mkdir -p "$dest/data/fashion-mnist"
# InvariantGlobalization: no ICU needed there (all formatting here is culture-invariant).
for project in samples/ResNetGen.Cli bench/ResNetGen.Bench bench/gpu/ResNetGen.GpuSmoke; do
  echo "==> publishing $project"
  dotnet publish "$project" -c Release -r linux-x64 --self-contained -p:SkipNativeShim=true \
    -p:InvariantGlobalization=true -p:DebugType=none -o "$stage/app" -nologo -v quiet -clp:ErrorsOnly
done
# Built against this machine's libtorch; the GPU machine builds its own (RESNETGEN_SHIM points at it).
rm -f "$stage/app/libresnetgen_shim.so"
echo "==> packing ($(du -sm "$stage/app" | cut -f1) MiB unpacked)"
XZ_OPT=-9 tar -C "$stage/app" -cJf "$dest/app.tar.xz" .
cp "$data_src"/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz "$dest/data/fashion-mnist/"
{ git rev-parse --short HEAD; git diff --quiet HEAD -- . ':!.publish' || echo "(with uncommitted changes)"; } 2>/dev/null | paste -sd' ' > "$dest/COMMIT"

bytes=$(du -sb "$dest" | cut -f1)
du -ab "$dest" | sort -n | awk '{ printf "  %8.1f MiB  %s\n", $1 / 1048576, $2 }'
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
if ((bytes > limit_mib * 1048576)); then
  echo "error: $dest is $mib MiB, over the carry limit of $limit_mib MiB" >&2
  exit 1
fi
echo "ok: $dest is $mib MiB (carry limit $limit_mib MiB)"
