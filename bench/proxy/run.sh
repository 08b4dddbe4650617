#!/usr/bin/env bash
# bench/proxy/run.sh - pull-through proxy benchmark: npm install through Arca and Verdaccio 6.8, both proxying
# the same fake upstream (a second arca serve) behind a counting nginx (see bench.py).
# Needs a built arca (make build), nginx-light, hyperfine (make bench installs them), node, npm and curl.
# Writes bench/proxy/results.md (BENCH_OUT to change it); the whole run is bounded to 30 minutes.
set -euo pipefail
exec timeout 1800 python3 "$(dirname "$0")/bench.py" "$@"
