#!/bin/sh
# Whale blocks locked with mlock() are still given back when every large free is an unmap: madvise
# refuses locked pages, and the helper, which drops pages before it unmaps, must unmap them anyway.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b HAKMEM_WHALE_SLOTS=0 HAKMEM_REGION_CAP_MB=0 "$prog" locked
done
