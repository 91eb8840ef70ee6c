#!/bin/sh
# The counters' reads are left out of the cycles: with a software event (read with a system call
# here, no rdpmc) and every call timed, a malloc of a cached page run is its page_run_get and a little
# dispatch around it. Before, each malloc held the two reads of the page_run_get measured inside it:
# hak_alloc's own part (less page_run_get) was 22-25 times page_run_get's, now 0.5-0.8.
set -e
. "$HKM_TOP_SRCDIR/tests/test_pmu_lib.sh"
HAKMEM_PMU=page-faults HAKMEM_TIMING_SAMPLE=1 run_json "$tmp/r.json" runs
check_json "$tmp/r.json" <<'PY' || fail "the counters' reads counted in the cycles of the calls around them"
rep = r[-1]
assert rep["pmu"]["events"][0]["supported"], rep["pmu"]
for call, run in (("hak_alloc", "page_run_get"), ("hak_free", "page_run_put")):
    c, n = cat(rep, call), cat(rep, run)
    assert n["count"] == 200000 and n["timed"] == n["count"], n
    own = c["total_cycles"] - n["total_cycles"]
    assert own < 3 * n["total_cycles"], (call, c["avg_cycles"], run, n["avg_cycles"])
    print(call, c["avg_cycles"], run, n["avg_cycles"], "cycles a call")
PY
