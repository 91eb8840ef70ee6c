#!/bin/sh
# The region cache keeps freed slabs' pages beyond 8 MiB only for HAKMEM_RECLAIM_DELAY_MS: after
# 64 MiB of L2.5 blocks are freed, RSS falls to within 14 MiB of where it was, with every backend
# (sync keeps no more than 8 MiB at all).
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b "$prog" region-decay
done
