#!/usr/bin/env bash
# scripts/check.sh - format check, banned functions, cppcheck (the static half of `make check`).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h')
status=0

echo "check: clang-format"
clang-format --dry-run --Werror $files || status=1

echo "check: banned functions"
if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)[[:space:]]*\(' $files; then
  echo "check: banned functions found (see STYLE.md)" >&2
  status=1
fi

echo "check: cppcheck"
cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr --std=c11 \
  --suppress=missingIncludeSystem -I src $(git ls-files 'src/*.c') || status=1

exit $status
