#!/bin/sh
# calloc over ranges the region cache got back from reclaim reads zero with every backend: after
# MADV_DONTNEED, after MADV_FREE (which keeps the old data while memory is plentiful) and when the
# drop failed because the pages were locked.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do
  HAKMEM_RECLAIM=$b HAKMEM_WHALE_SLOTS=0 "$prog" calloc
  HAKMEM_RECLAIM=$b HAKMEM_WHALE_SLOTS=0 HAKMEM_RECLAIM_ADVICE=free "$prog" calloc
  HAKMEM_RECLAIM=$b HAKMEM_WHALE_SLOTS=0 "$prog" calloc-locked
done
