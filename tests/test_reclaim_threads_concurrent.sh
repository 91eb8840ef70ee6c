#!/bin/sh
# Eight threads freeing each other's whale blocks (contents checked), and a thread that exits with
# releases still queued: nothing is lost, RSS comes back.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b "$prog" threads
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b HAKMEM_WHALE_SLOTS=0 HAKMEM_REGION_CAP_MB=0 "$prog" threads
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b "$prog" exit-thread
done
