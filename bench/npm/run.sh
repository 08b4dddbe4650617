#!/usr/bin/env bash
# bench/npm/run.sh - npm registry benchmark: Arca vs Verdaccio 6.8 vs nginx on the same bytes (see bench.py).
set -euo pipefail
exec python3 "$(dirname "$0")/bench.py" "$@"
