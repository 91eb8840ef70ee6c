#!/bin/sh
# A whale block a little larger than one just freed reuses that mapping and its resident pages (the
# whale ring hands out mappings by size class). The long delay keeps the freed mapping in the ring
# on a loaded machine.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b HAKMEM_RECLAIM_DELAY_MS=10000 "$prog" class-reuse
done
