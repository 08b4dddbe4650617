#!/usr/bin/env bash
# bench/pypi/run.sh - PyPI simple pages and downloads against nginx static files, and twine uploads.
# Usage: bench/pypi/run.sh [results.json]   (BENCH_DURATION, BENCH_MAX_REQUESTS, BENCH_CONNECTIONS, BENCH_THREADS)
# Needs a built arca (make build), wrk and nginx-light (`make bench` installs them); twine comes from
# scripts/test-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/test-deps.sh # twine, and the aws CLI the harness sets repositories up with
for tool in wrk nginx twine; do
  command -v "$tool" >/dev/null || { echo "bench/pypi: $tool is missing (make bench installs it)" >&2; exit 1; }
done
export ARCA_BIN="${ARCA_BIN:-$PWD/build/arca}"
[ -x "$ARCA_BIN" ] || { echo "bench/pypi: build arca first (make build)" >&2; exit 1; }
# One bound for the whole run, on top of each wrk run's own duration and request limits.
exec timeout 900 python3 bench/pypi/bench.py "${1:-bench/pypi/results.json}"
