#!/usr/bin/env bash
# Screenshots an HTML file (e.g. a training report) with Debian's headless Chromium.
#   scripts/screenshot-report.sh REPORT.html [OUT.png] [WIDTH,HEIGHT]
# OUT.png defaults to REPORT.png next to the HTML; the window defaults to 1280,2000.
# Installs the chromium package first if it is missing (needs root).
set -euo pipefail

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -ge 1 ] && exit 0 || exit 2
fi
html=$1
[ -f "$html" ] || { echo "error: no such file: $html" >&2; exit 1; }
html_abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
png=${2:-${html_abs%.*}.png}
case "$png" in /*) ;; *) png=$PWD/$png ;; esac
size=${3:-1280,2000}

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: chromium is not installed; run as root or: sudo apt-get install -y chromium" >&2
    exit 1
  fi
  echo "installing chromium..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null; }
  browser=$(command -v chromium)
fi

profile=$(mktemp -d -t rng-chromium-XXXXXX)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$png")"
rm -f "$png"

# A fresh profile, nothing fetched from the network, no GPU; a virtual-time budget lets layout settle.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
  --hide-scrollbars --user-data-dir="$profile" --window-size="$size" --virtual-time-budget=2000 \
  --screenshot="$png" "file://$html_abs" >"$profile/chromium.log" 2>&1 || {
  echo "error: chromium failed; its output:" >&2
  cat "$profile/chromium.log" >&2
  exit 1
}
[ -s "$png" ] || { echo "error: chromium wrote no screenshot; its output:" >&2; cat "$profile/chromium.log" >&2; exit 1; }
echo "$png"
