#!/usr/bin/env bash
# bench/run-all.sh - runs every bench/*/run.sh in turn; stops at the first that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
for script in bench/*/run.sh; do
  echo "== $script"
  bash "$script"
done
