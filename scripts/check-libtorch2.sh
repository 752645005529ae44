#!/usr/bin/env bash
# Compile check of the native shim against libtorch 2.x (Debian 13's libtorch-dev 2.6), next to
# the everyday build against Debian 12's 1.13: the GPU machine's PyTorch is 2.x, and both must
# keep building from the same source.
#
# The packages are fetched with a private apt configuration (own source list, lists, cache) and
# unpacked with dpkg -x into .cache/libtorch-2.6/root: nothing is installed, this Debian 12's
# own packages are untouched. The shim is compiled and linked with -Wl,--no-undefined (every
# symbol it calls must be exported by libtorch 2.6's libraries); it cannot be loaded here (those
# libraries need glibc 2.38 and libstdc++ 14), so this is a build check, not a run.
#
# An API that 2.6 marks deprecated is an error here: the GPU machine's newer libtorch may have
# dropped it already.
#
# Usage: scripts/check-libtorch2.sh         fetch (once, cached) and build (incremental)
# Exit: 0 built, 1 build failed, 77 skipped (Debian's archive unreachable, not under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

version=2.6
cache=$PWD/.cache/libtorch-$version
root=$cache/root
build=$cache/build
cmake_dir=$root/usr/lib/x86_64-linux-gnu/cmake

fetch() {
  local apt=$cache/apt
  rm -rf "$apt" "$root"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
  # The host this machine's own sources use (a mirror, or deb.debian.org).
  local host
  host=$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
         /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 | tr -d ' ' || true)
  host=${host:-http://deb.debian.org/debian}
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${host%/} trixie main" > "$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
              -o "Dir::Cache::archives=$apt/cache/archives" -o Dir::State::status=/dev/null
              -o APT::Architecture=amd64 -o Acquire::Languages=none -o APT::Sandbox::User=root -qq)
  apt-get "${opts[@]}" update || return 1
  (cd "$apt/cache/archives" && apt-get "${opts[@]}" download libtorch-dev "libtorch$version") || return 1
  for deb in "$apt"/cache/archives/*.deb; do dpkg -x "$deb" "$root"; done
  rm -rf "$apt/lists" "$apt/cache/"*.bin
  touch "$root/.complete"
}

start=$SECONDS
if [ ! -f "$root/.complete" ]; then
  echo "==> fetching Debian 13's libtorch-dev $version into $root (private apt state; nothing installed)"
  if ! fetch; then
    if [ "${CI:-}" = true ]; then echo "error: cannot fetch libtorch $version from Debian's archive" >&2; exit 1; fi
    echo "skip: cannot fetch libtorch $version from Debian's archive (offline?)" >&2
    exit 77
  fi
fi

# CMAKE_PREFIX_PATH and Caffe2_DIR first, so neither Torch's config nor its find_library calls
# fall back to the system's libtorch 1.13 under /usr.
echo "==> building the shim against libtorch $version ($build)"
cmake -S runtime/native -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$root/usr" -DTorch_DIR="$cmake_dir/Torch" -DCaffe2_DIR="$cmake_dir/Caffe2" \
  -DRESNETGEN_PROBE_COMPILE_ONLY=ON -DCMAKE_SHARED_LINKER_FLAGS=-Wl,--no-undefined \
  -DCMAKE_CXX_FLAGS="-Werror=deprecated-declarations" \
  -Wno-dev > "$cache/configure.log" 2>&1 || { cat "$cache/configure.log" >&2; exit 1; }
grep -q "libtorch $version" "$cache/configure.log" || { echo "error: CMake did not pick libtorch $version:" >&2; grep resnetgen_shim "$cache/configure.log" >&2; exit 1; }
cmake --build "$build" --parallel "$(nproc)" -- -k 0 || exit 1

# Not one header of the system's libtorch 1.13 may have slipped into the 2.x build.
if ninja -C "$build" -t deps | grep -qE '^ +/usr/include/(torch|ATen|c10)/'; then
  echo "error: the $version build included headers of the system's libtorch (/usr/include)" >&2
  exit 1
fi
backends=$(grep -o 'distributed backends: .*' "$cache/configure.log" || true)
echo "ok: the shim compiles and links against libtorch $version ($backends) in $((SECONDS - start)) s"
