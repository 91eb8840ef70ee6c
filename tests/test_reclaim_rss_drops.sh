#!/bin/sh
# After 512 MiB of whale frees, RSS comes back to within 32 MiB of where it was, with every backend,
# and with every large free going through reclaim (no whale ring, no kept address space: each free
# must show as a released range).
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b "$prog" rss
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b HAKMEM_WHALE_SLOTS=0 HAKMEM_REGION_CAP_MB=0 EXPECT_ALL_RELEASED=1 "$prog" rss
  HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b HAKMEM_RECLAIM_ADVICE=dontneed HAKMEM_RECLAIM_BATCH=1 "$prog" rss
done
