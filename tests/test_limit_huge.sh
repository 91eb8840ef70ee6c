#!/bin/sh
# A huge but legal request costs kilobytes of metadata, and its free + malloc_trim(0) gives them back:
# RSS with a 1 TiB block (one byte written) and after it is within 1 MiB of where it started
# (each 4 GiB of it took a 512 KiB page-map leaf that was never freed: +161 MiB). A kernel that refuses
# the mapping (overcommit_memory=2) leaves nothing to check but that nothing stayed.
. "$HKM_TOP_SRCDIR/tests/limit_lib.sh"
rc=0
for shift in 40 44; do
  LD_PRELOAD="$HKM_LIB" "$prog" huge "$shift" > "$tmp/huge" || fail "limit_prog huge $shift failed"
  cat "$tmp/huge"
  # "huge S: allocated; RSS B KiB before, W KiB with the block, A KiB after free + malloc_trim ..."
  awk '{ b = $5; w = $8; a = $13
         if (w - b > 1024) { print "FAIL: the block added " w - b " KiB of RSS"; exit 1 }
         if (a - b > 1024) { print "FAIL: " a - b " KiB of RSS stayed after free + malloc_trim"; exit 1 } }' "$tmp/huge" || rc=1
done
exit $rc
