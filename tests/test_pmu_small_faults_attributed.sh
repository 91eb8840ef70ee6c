#!/bin/sh
# 64 MiB handed out as small blocks (tiny and L2 pool sizes), every page touched: at least 95% of the
# 16384 page faults land on the tiny and pool tiers, and the text report shows the induced section.
set -e
. "$HKM_TOP_SRCDIR/tests/test_pmu_lib.sh"
for size in 512 16384; do
  HAKMEM_PMU_FAULTS=1 run_json "$tmp/s$size.json" small "$size"
  SIZE=$size check_json "$tmp/s$size.json" <<'PY' || fail "small $size: faults not attributed"
import os
size = int(os.environ["SIZE"])
ev = r[-1]["induced"]["events"][0]
cats = ev["categories"]
mine = cats["tiny_alloc"] if size <= 1024 else cats["pool_get"]
assert mine >= 0.95 * 16384, (size, cats)
assert sum(c["faults"] for c in ev["classes"]) >= mine, ev["classes"]
print(size, cats, "other", ev["other"])
PY
done
HAKMEM_PMU_FAULTS=1 "$pmuprog" small 512 2>"$tmp/text"
grep -q '^induced: faults the program took on memory hakmem handed out' "$tmp/text" || { cat "$tmp/text"; fail "no induced section"; }
grep -Eq '^  tiny_alloc +[0-9]+ ' "$tmp/text" || { cat "$tmp/text"; fail "no tiny_alloc line"; }
