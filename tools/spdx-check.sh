#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Lists the source files (tracked, or untracked and not ignored) that lack a
# "SPDX-License-Identifier:" line in their first 5 lines: *.c *.h *.cc *.cpp *.inc
# *.cmake CMakeLists.txt *.sh *.py (and *.cmake.in / *.pc.in templates).
# Exit status 1 when any does, 0 otherwise.  Run from anywhere in the tree.
#   tools/spdx-check.sh            list them
#   tools/spdx-check.sh --count    only the number
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
missing=()
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue
  head -n 5 "$f" | grep -q 'SPDX-License-Identifier:' || missing+=("$f")
done < <(git ls-files -z --cached --others --exclude-standard -- \
           '*.c' '*.h' '*.cc' '*.cpp' '*.inc' '*.cmake' '*CMakeLists.txt' '*.sh' '*.py' \
           '*.cmake.in' '*.pc.in' | sort -zu)
if [ "${1:-}" = "--count" ]; then
  echo "${#missing[@]}"
else
  [ ${#missing[@]} -eq 0 ] || printf '%s\n' "${missing[@]}"
fi
[ ${#missing[@]} -eq 0 ]
