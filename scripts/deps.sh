#!/usr/bin/env bash
# scripts/deps.sh - installs the Debian packages Arca needs that are missing (build, test or bench).
# Usage: scripts/deps.sh build|test|check|bench
set -euo pipefail

build=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libsqlite3-dev
  libpq-dev libssl-dev libarchive-dev libxml2-dev libyaml-dev zlib1g-dev)
test=(libcmocka-dev python3 curl sqlite3)
check=(clang-format cppcheck clang libclang-rt-14-dev)
bench=(nginx-light wrk hyperfine)

want=("${build[@]}")
case "${1:-build}" in
build) ;;
test) want+=("${test[@]}") ;;
check) want+=("${test[@]}" "${check[@]}") ;;
bench) want+=("${test[@]}" "${bench[@]}") ;;
*) echo "usage: $0 build|test|check|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  apt=(apt-get)
elif command -v sudo >/dev/null; then
  apt=(sudo apt-get)
else
  echo "deps: need root to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
  { "${apt[@]}" update -q >/dev/null && "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
