#!/bin/sh
# A batch of neighbouring ranges to unmap goes out in a few munmap calls, not one per range (each
# munmap is a round of mmap_lock and a TLB flush); sync still unmaps every range at its free.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b HAKMEM_WHALE_SLOTS=0 HAKMEM_REGION_CAP_MB=0 \
    HAKMEM_RECLAIM_BATCH=4096 HAKMEM_RECLAIM_DELAY_MS=10000 "$prog" coalesce
done
