#!/bin/sh
# Under an address-space limit (RLIMIT_AS, as `ulimit -v` sets it), memory freed at one size serves
# every other size: for each ordered pair of tier sizes, fill with the first until malloc fails, free
# everything, fill with the second. hakmem must get at least 80% of what glibc gets in the same run,
# and at least 80% of what a first fill of that size got (memory freed at any size is as good as
# fresh), both right after the frees (the mapping the kernel refuses makes hakmem give back what it
# keeps, the release queue included) and after malloc_trim(0).
# LIMIT_PROG_MIB sets the limit above what is mapped after the warm-up (default here 32; perf/bench/RESULTS.md
# has the figures at 256).
. "$HKM_TOP_SRCDIR/tests/limit_lib.sh"
LIMIT_PROG_MIB=${LIMIT_PROG_MIB:-32}
export LIMIT_PROG_MIB
rc=0
for how in notrim trim; do
  both "$how" pairs "$how"
  # Lines: "refill A B HOW: fill X MiB, refill Y MiB".
  paste -d ' ' "$tmp/$how.glibc" "$tmp/$how.hakmem" | awk '
    { hf[$12] = $16; a[NR] = $2; b[NR] = $3; g[NR] = $9; h[NR] = $19 }
    END {
      bad = 0
      for (i = 1; i <= NR; i++) {
        if (h[i] * 5 < g[i] * 4) { print "FAIL: refill " a[i] " -> " b[i] ": hakmem " h[i] " MiB, glibc " g[i] " MiB"; bad = 1 }
        if (h[i] * 5 < hf[b[i]] * 4) { print "FAIL: refill " a[i] " -> " b[i] ": hakmem " h[i] " MiB, a first fill of " b[i] " got " hf[b[i]] " MiB"; bad = 1 }
      }
      if (NR != 20) { print "FAIL: " NR " pairs, expected 20"; bad = 1 }
      exit bad
    }' || rc=1
done
exit $rc
