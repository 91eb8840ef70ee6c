#!/bin/sh
# A released range of 2 MiB or more goes to the helper's next batch at once instead of waiting up to
# HAKMEM_RECLAIM_DELAY_MS for more ranges: with the delay at 10 s, a freed 64 MiB block's pages must
# be gone within the 5 s the driver waits, with every backend (sync releases at the free).
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b HAKMEM_RECLAIM_DELAY_MS=10000 HAKMEM_WHALE_SLOTS=0 "$prog" big-now
done
