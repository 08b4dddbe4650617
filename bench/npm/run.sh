#!/usr/bin/env bash
# bench/npm/run.sh - npm registry benchmark: Arca vs Verdaccio 6.8 vs nginx on the same bytes (see bench.py).
# Needs a built arca (make build), wrk, nginx-light, hyperfine (make bench installs them), node and npm.
# Writes bench/npm/results.md (BENCH_OUT to change it); the whole run is bounded to 40 minutes.
set -euo pipefail
exec timeout 2400 python3 "$(dirname "$0")/bench.py" "$@"
