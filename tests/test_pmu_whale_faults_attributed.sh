#!/bin/sh
# 64 MiB from the whale tier, every 4 KiB page touched: at least 95% of those 16384 faults land on
# whale_get and on the call site that asked for the block, from the main thread and from a thread
# started later (the sampler follows new threads).
set -e
. "$HKM_TOP_SRCDIR/tests/test_pmu_lib.sh"
for mode in whale whale-thread; do
  HAKMEM_PMU_FAULTS=1 run_json "$tmp/$mode.json" "$mode"
  check_json "$tmp/$mode.json" <<'PY' || fail "$mode: faults not attributed"
rep = r[-1]
ind = rep["induced"]
ev = ind["events"][0]
assert ev["name"] == "page-faults" and ev["supported"], ev
assert ind["lost"] == 0, ind["lost"]
w = ev["categories"]["whale_get"]
assert w >= 0.95 * 16384, ("whale_get faults", w)
site = ind["sites"][0]
assert site["address"] == "0x5170" and site["category"] == "whale_get", site
assert site["faults"] >= 0.95 * 16384, site
print("whale_get", w, "faults; top site", site)
PY
done
