#!/usr/bin/env bash
# scripts/test-deps.sh - the real clients the end-to-end tests drive (Debian packages and npm, into the build tree).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import boto3, awscli' 2>/dev/null || {
  echo "test-deps: awscli and boto3 are expected on python3 (pip install awscli boto3)" >&2
  exit 1
}

# PyPI clients: twine and poetry from Debian; Debian's python3 builds the test wheels and sdists offline.
pypi=(twine python3-poetry python3-build python3-setuptools python3-wheel python3-venv python3-pip git curl)
missing=()
for p in "${pypi[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-deps: installing missing Debian packages: ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then apt=(apt-get); else apt=(sudo apt-get); fi
  export DEBIAN_FRONTEND=noninteractive
  "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
    { "${apt[@]}" update -q >/dev/null && "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
fi
