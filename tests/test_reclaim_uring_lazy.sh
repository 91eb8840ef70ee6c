#!/bin/sh
# The shared library loads liburing only when the release helper starts with the uring backend
# (src/uring.h): a process that never gives memory back does not map it (it cost every process 24
# KiB of RSS), and one that does releases through io_uring all the same.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
case "$backends" in uring*) ;; *) echo "built --without-uring: no liburing to load"; exit 77 ;; esac
maps=$(mktemp)
trap 'rm -f "$maps"' EXIT
LD_PRELOAD="$HKM_LIB" cat /proc/self/maps > "$maps"
grep -q libhakmem "$maps" || { echo "FAIL: libhakmem not mapped under LD_PRELOAD"; exit 1; }
if grep liburing "$maps"; then echo "FAIL: liburing mapped in a process that released nothing"; exit 1; fi
HAKMEM_RECLAIM=uring EXPECT_BACKEND=uring "$prog" rss
echo "ok: liburing loaded on first use"
