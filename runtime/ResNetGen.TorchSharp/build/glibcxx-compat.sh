#!/usr/bin/env bash
# Lets TorchSharp 0.107's libLibTorchSharp.so load where the system libstdc++ predates GCC 13
# (Debian 12: GLIBCXX_3.4.30). That library needs GLIBCXX_3.4.32 for one symbol only,
# std::ios_base_library_init(). In the given output folder (never in the NuGet cache) this
#   1. builds libresnetgen_ios_base_init.so, which defines that symbol, next to the library;
#   2. replaces the library by a copy that lists it as DT_NEEDED (patchelf --add-needed; the
#      library's RUNPATH starts with $ORIGIN, so it is found there) and whose GLIBCXX_3.4.32 need
#      is marked weak (VER_FLG_WEAK), so the loader accepts the older libstdc++.
# Does nothing where the system libstdc++ has GLIBCXX_3.4.32, where the library does not need it,
# or where the copy is patched already. Prints one line when it applies the workaround.
#
# usage: glibcxx-compat.sh NATIVE_DIR    (the folder holding libLibTorchSharp.so)
set -euo pipefail

dir=${1:?usage: glibcxx-compat.sh NATIVE_DIR}
dir=${dir%/}
here=$(cd "$(dirname "$0")" && pwd)
lib="$dir/libLibTorchSharp.so"
shim=libresnetgen_ios_base_init.so
version=GLIBCXX_3.4.32

[ -f "$lib" ] || exit 0

system_libstdcxx=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ { print $NF; exit }')
if [ -z "$system_libstdcxx" ]; then
  for candidate in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6 /usr/lib/libstdc++.so.6; do
    [ -f "$candidate" ] && { system_libstdcxx=$candidate; break; }
  done
fi
[ -n "$system_libstdcxx" ] || { echo "error: glibcxx-compat: no system libstdc++.so.6 found" >&2; exit 1; }
grep -qa "$version" "$system_libstdcxx" && exit 0   # new enough: nothing to do
grep -qa "$version" "$lib" || exit 0                 # a TorchSharp that does not need it

readelf -d "$lib" | grep -q "\[$shim\]" && exit 0      # patched already (incremental build)

for tool in g++ patchelf python3 readelf; do
  command -v "$tool" >/dev/null || {
    echo "error: glibcxx-compat: '$tool' is missing; on Debian: apt-get install -y g++ patchelf python3 binutils" >&2
    exit 1
  }
done

tmp=$(mktemp "$dir/.libLibTorchSharp.so.XXXXXX")
trap 'rm -f "$tmp"' EXIT
[ "$dir/$shim" -nt "$here/ios_base_library_init.cpp" ] || g++ -shared -fPIC -O2 -o "$dir/$shim" "$here/ios_base_library_init.cpp"
cp "$lib" "$tmp"
patchelf --add-needed "$shim" "$tmp"
python3 "$here/mark_version_weak.py" "$tmp" "$version"
chmod 755 "$tmp"
# A new file replaces the old one: a hard link into the NuGet cache is never written through.
mv -f "$tmp" "$lib"
trap - EXIT
echo "ResNetGen: $system_libstdcxx lacks $version: applied the TorchSharp libstdc++ workaround to $lib (see runtime/ResNetGen.TorchSharp/README.md)"
