#!/usr/bin/env bash
# bench/run-all.sh - runs every benchmark (bench/*/run.sh) in turn; `make bench` calls it.
set -euo pipefail
cd "$(dirname "$0")"
status=0
for run in */run.sh; do
  echo "== ${run%/run.sh}" >&2
  "./$run" || status=1
done
exit $status
