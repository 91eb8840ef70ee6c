#!/bin/sh
# The manual pages format without a single groff warning.
set -e
command -v groff >/dev/null || { echo "groff missing (Debian package groff-base)"; exit 77; }
for page in "$HKM_TOP_SRCDIR"/man/*.[0-9]; do
  out=$(groff -man -ww -z "$page" 2>&1)
  [ -z "$out" ] || { echo "$page:"; echo "$out"; exit 1; }
  echo "$page: clean"
done
