#!/bin/sh
# The shared library loads liburing only when the release helper starts with the uring backend
# (src/uring.h): a process that never gives memory back does not map it (it cost every process 24
# KiB of RSS), and one that does releases through io_uring all the same; when it cannot be loaded
# (here an empty file found first in its place) the helper falls back to the thread backend.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
case "$backends" in uring*) ;; *) echo "built --without-uring: no liburing to load"; exit 77 ;; esac
maps=$(mktemp)
fake=$(mktemp -d)
trap 'rm -rf "$maps" "$fake"' EXIT
LD_PRELOAD="$HKM_LIB" cat /proc/self/maps > "$maps"
grep -q libhakmem "$maps" || { echo "FAIL: libhakmem not mapped under LD_PRELOAD"; exit 1; }
if grep liburing "$maps"; then echo "FAIL: liburing mapped in a process that released nothing"; exit 1; fi
HAKMEM_RECLAIM=uring EXPECT_BACKEND=uring "$prog" rss
: > "$fake/liburing.so.2"
LD_LIBRARY_PATH="$fake" HAKMEM_RECLAIM=uring HAKMEM_VERBOSE=1 EXPECT_BACKEND=thread "$prog" rss 2> "$maps" ||
  { cat "$maps"; echo "FAIL: no thread fallback without liburing"; exit 1; }
grep -q 'reclaim: cannot load liburing.so.2: .*; releasing with the thread backend' "$maps" ||
  { cat "$maps"; echo "FAIL: the fallback was not reported"; exit 1; }
echo "ok: liburing loaded on first use; without it, the thread backend"
