#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the demo and the tests need, and any named as
# arguments, only those missing.
# Uses apt-get directly as root, or through sudo otherwise.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl openssl
  libpoco-dev libssl-dev libsodium-dev nlohmann-json3-dev libvalijson-dev
  libgtest-dev clang-format libxml2-dev libjemalloc-dev ccache libcli11-dev
  clang libclang-rt-14-dev python3 libpq-dev postgresql-15 groff-base libsystemd-dev
  prometheus systemd lintian chromium
)
# Node.js and npm for the pinned npm tools (scripts/install-tools.sh): Debian's, unless a
# node and npm are already installed (from NodeSource, say, which Debian's npm conflicts with).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
packages+=("$@")  # what a caller needs beyond these (the benchmarks: nginx, wrk...)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "error: packages ${missing[*]} are missing and neither root nor sudo is available" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
