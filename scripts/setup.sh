#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine with only the .NET SDK lacks, then builds the
# solution (which builds the native shim through CMake). Safe to run again: it installs only
# what is missing, and the builds are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libtorch-dev libgloo-dev cmake g++ patchelf python3-torch python3-torchvision dataset-fashion-mnist)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages: ${missing[*]}" >&2
    echo "install them as root with:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "==> installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "==> building (native shim + solution)"
dotnet build ResNetGen.sln -c Release -nologo -v quiet -clp:ErrorsOnly
