#!/usr/bin/env bash
# Installs the Debian packages PruneKit needs that are missing: the native libraries it links
# (libopenblas-dev, zlib1g-dev), plus any extra package names given as arguments (CI adds its test tools).
# A fresh machine has no package lists, so `apt-get update` runs first whenever something must be installed.
# Needs root (or sudo); says what to run otherwise.
set -euo pipefail
packages=(libopenblas-dev zlib1g-dev "$@")
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "PruneKit needs the Debian packages: ${missing[*]}. Run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "PruneKit needs ${missing[*]} (Debian package names); this system has no apt-get: install the equivalents by hand" >&2
  exit 1
fi
echo "installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
