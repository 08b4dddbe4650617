#!/usr/bin/env bash
# scripts/test-deps.sh - the real clients the end-to-end tests drive (Debian packages and npm, into the build tree).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import boto3, awscli' 2>/dev/null || {
  echo "test-deps: awscli and boto3 are expected on python3 (pip install awscli boto3)" >&2
  exit 1
}
