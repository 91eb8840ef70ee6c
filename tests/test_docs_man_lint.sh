#!/bin/sh
# The manual pages (hakmem(3), hakmem-stat(1), and any other in man/) format without a single groff
# warning, and each installed page is there to be checked.
set -e
command -v groff >/dev/null || { echo "groff missing (Debian package groff-base)"; exit 77; }
for page in hakmem.3 hakmem-stat.1; do
  [ -f "$HKM_TOP_SRCDIR/man/$page" ] || { echo "man/$page missing"; exit 1; }
done
for page in "$HKM_TOP_SRCDIR"/man/*.[0-9]; do
  out=$(groff -man -ww -z "$page" 2>&1)
  [ -z "$out" ] || { echo "$page:"; echo "$out"; exit 1; }
  echo "$page: clean"
done
