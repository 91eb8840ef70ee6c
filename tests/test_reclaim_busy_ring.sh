#!/bin/sh
# A whale block freed and taken again in a loop: the release helper wakes about once per delay, not
# once per free, and the block left in the ring still goes back.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b "$prog" busy-ring
done
