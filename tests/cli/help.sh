#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every command-line tool answers --help: usage on stdout, exit status 0.
# usage: help.sh TOOL [TOOL...]   (a TOOL may be "python3 script.py")
fails=0
for t in "$@"; do
  # shellcheck disable=SC2086
  out=$($t --help 2>/dev/null)
  rc=$?
  if [ $rc -ne 0 ] || ! grep -qi "usage" <<<"$out"; then
    echo "FAIL: '$t --help' exit $rc, $(wc -l <<<"$out") lines, no usage"
    fails=$((fails + 1))
  else
    echo "ok: $t --help"
  fi
done
echo "$(( $# - fails )) passed, $fails failed"
[ $fails -eq 0 ]
