#!/usr/bin/env bash
# Installs everything cdpcore needs on Debian 12, only what is missing, then makes .venv.
# Idempotent: a second run installs nothing and exits quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  build-essential cmake ninja-build pkg-config zlib1g-dev
  libeigen3-dev libabsl-dev libsqlite3-dev sqlite3 libsodium-dev doctest-dev
  pybind11-dev python3-pybind11 python3-dev python3-venv python3-pip python3-setuptools python3-wheel
  python3-numpy python3-pandas python3-matplotlib python3-tqdm python3-pytest
  python3-dask python3-distributed python3-networkx python3-nbclient python3-ipykernel
  python3-scipy python3-sklearn python3-mpmath tzdata
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv (system site packages)"
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
echo "bootstrap: ok"
