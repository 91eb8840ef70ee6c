#!/bin/sh
# --per-thread says which thread paid for the system calls: with every large free going through
# reclaim (no whale ring, no kept address space), the release helper's line (no allocations of its
# own) carries the munmaps with the thread and uring backends, and with sync the program's thread
# does, with no helper line at all. (The program thread also makes the helper: one allocation more.)
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
backends=$(. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh" && echo "$backends") # the reclaim tests' list, not their $prog
for b in $backends; do
  HAKMEM_RECLAIM=$b HAKMEM_WHALE_SLOTS=0 HAKMEM_REGION_CAP_MB=0 "$stat" --per-thread "$prog" whales 20 2> "$tmp/$b" ||
    fail "$b: hakmem-stat failed"
  # columns: pid tid state hak_alloc hak_free top_level_cyc share syscall_cyc
  helper=$(awk '$4 == "0" && $5 == "0" && $8 != "0" && $3 == "live"' "$tmp/$b" | wc -l)
  main=$(awk '$3 == "live" && $5 == "20" {print $8}' "$tmp/$b" | tr -d ,)
  [ -n "$main" ] || { cat "$tmp/$b"; fail "$b: no line for the program's thread"; }
  if [ "$b" = sync ]; then
    [ "$helper" = 0 ] && [ "$main" -gt 0 ] || { cat "$tmp/$b"; fail "sync: the program's thread must make the calls"; }
  else
    [ "$helper" = 1 ] || { cat "$tmp/$b"; fail "$b: no helper line with system-call cycles"; }
  fi
  echo "$b: program thread $main syscall cycles, $helper helper line(s) with calls"
done
