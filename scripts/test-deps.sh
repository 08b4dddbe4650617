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
# npm clients for the npm end-to-end tests: pnpm, yarn classic and yarn berry, installed with the
# machine's npm into the build tree (never globally). Skipped when the pinned versions are there.
BUILD_DIR=${BUILD:-build}
node_dir="$BUILD_DIR/e2e-node"
node_pins=(pnpm@10.34.9 yarn@1.22.22 @yarnpkg/cli-dist@4.9.4)
node_ok() {
  [ -f "$node_dir/node_modules/pnpm/package.json" ] && [ -f "$node_dir/node_modules/yarn/package.json" ] &&
    [ -f "$node_dir/node_modules/@yarnpkg/cli-dist/package.json" ] &&
    grep -q '"version": "10.34.9"' "$node_dir/node_modules/pnpm/package.json" &&
    grep -q '"version": "1.22.22"' "$node_dir/node_modules/yarn/package.json" &&
    grep -q '"version": "4.9.4"' "$node_dir/node_modules/@yarnpkg/cli-dist/package.json"
}
if ! node_ok; then
  command -v npm >/dev/null || { echo "test-deps: npm is needed for the npm tests" >&2; exit 1; }
  echo "test-deps: installing ${node_pins[*]} into $node_dir" >&2
  mkdir -p "$node_dir"
  [ -f "$node_dir/package.json" ] || echo '{"name":"arca-e2e-clients","private":true}' >"$node_dir/package.json"
  npm install --prefix "$node_dir" --no-audit --no-fund --save-exact --loglevel=error "${node_pins[@]}" >/dev/null
  node_ok || { echo "test-deps: npm clients did not install into $node_dir" >&2; exit 1; }
fi
