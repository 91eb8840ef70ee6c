#!/bin/sh
# Whale mappings come in size steps: a block a little larger than one just freed reuses that mapping
# and its resident pages, and a request that fits an address-space limit while its step does not
# still succeeds. The long delay keeps the freed mapping in the ring on a loaded machine.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b HAKMEM_RECLAIM_DELAY_MS=10000 "$prog" class-reuse
  HAKMEM_RECLAIM=$b "$prog" class-rlimit
done
