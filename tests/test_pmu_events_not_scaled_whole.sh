#!/bin/sh
# A sampled category's events are split as its cycles are: the refills' page faults (all in the first,
# census calls here) are added once, and only its own events in the timed calls past the census are
# scaled up. Scaled whole, the 200 kept blocks' refill faults were multiplied by the sampling period
# (tiny_alloc read some 250 times tiny_refill's faults in a run that took no other).
set -e
. "$HKM_TOP_SRCDIR/tests/test_pmu_lib.sh"
HAKMEM_PMU=page-faults HAKMEM_TIMING_SAMPLE=256 run_json "$tmp/s.json" steady
check_json "$tmp/s.json" <<'PY' || fail "events scaled whole"
rep = r[-1]
pf = lambda name: cat(rep, name)["events"]["page-faults"]
a, t, refill = cat(rep, "hak_alloc"), cat(rep, "tiny_alloc"), pf("tiny_refill")
assert a["count"] > 1000000 and a["events_sampled"] < a["count"] / 10, a
assert refill > 0, refill
for c in (a, t):
    v = c["events"]["page-faults"]
    assert refill <= v <= refill + 8, (c["name"], v, "tiny_refill", refill)
print("hak_alloc", pf("hak_alloc"), "tiny_alloc", pf("tiny_alloc"), "tiny_refill", refill)
PY
