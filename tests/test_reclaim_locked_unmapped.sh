#!/bin/sh
# Whale blocks locked with mlock() are still given back when every large free is an unmap: madvise
# refuses locked pages, and the helper, which drops pages before it unmaps, must unmap them anyway;
# and a batch of locked blocks does not stop the helper from batching the drops of later ones.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b HAKMEM_WHALE_SLOTS=0 HAKMEM_REGION_CAP_MB=0 "$prog" locked
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b HAKMEM_WHALE_SLOTS=0 HAKMEM_REGION_CAP_MB=0 "$prog" locked-between
done
