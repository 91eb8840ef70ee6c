#!/bin/sh
# HAKMEM_PMU: a column per event. An unknown name gets one warning and the run goes on; cycles is
# <not supported> exactly when this machine cannot count it (no PMU in these VMs); page-faults is
# counted, inclusively; HAKMEM_PMU_SAMPLE=N measures every Nth entry and marks the scaled figures.
set -e
. "$HKM_TOP_SRCDIR/tests/test_pmu_lib.sh"
grep -q '^#define HKM_HAVE_PFM 1' "$HKM_TOP_BUILDDIR/config.h" || { echo "built --without-pfm: event names need libpfm4"; exit 77; }
cycles=$("$pmuprog" probe | sed -n 's/^cycles=//p')
HAKMEM_PMU=page-faults,no_such_event_xyz,cycles run_json "$tmp/a.json" mixed
[ "$(grep -c 'no_such_event_xyz' "$tmp/a.json.err")" -eq 1 ] || { cat "$tmp/a.json.err"; fail "no single warning"; }
grep -q "^hakmem: HAKMEM_PMU: unknown event 'no_such_event_xyz' ignored" "$tmp/a.json.err" || fail "warning text"
CYCLES=$cycles check_json "$tmp/a.json" <<'PY' || fail "event columns"
import os
rep = r[-1]
names = [e["name"] for e in rep["pmu"]["events"]]
assert names == ["page-faults", "cycles"], names
pf, cy = rep["pmu"]["events"]
assert pf["supported"] and pf["error"] is None, pf
assert cy["supported"] == (os.environ["CYCLES"] == "1"), cy
if not cy["supported"]:
    assert cy["error"], cy
a = cat(rep, "hak_alloc")
assert a["events_sampled"] == a["count"] > 0, a
assert a["events"]["page-faults"] > 0, a
assert (a["events"]["cycles"] is None) == (not cy["supported"]), a
for c in rep["categories"]:
    p = c["parent"] and cat(rep, c["parent"])
    if p and c["events"]["page-faults"] is not None and p["events"]["page-faults"] is not None:
        assert c["events"]["page-faults"] <= p["events"]["page-faults"], (c, p)
PY
# The text table, as a person sees it.
HAKMEM_PMU=page-faults,cycles "$pmuprog" mixed 2>"$tmp/text"
head -2 "$tmp/text" | grep -q 'page-faults' || { cat "$tmp/text"; fail "no page-faults column"; }
if [ "$cycles" = 0 ]; then
  grep -Eq '^hak_alloc .*<not supported>' "$tmp/text" || { cat "$tmp/text"; fail "cycles not <not supported>"; }
  grep -q '^  cycles: <not supported> (' "$tmp/text" || fail "no reason for cycles"
fi
# Sampling: every 4th entry measured, figures scaled and marked.
HAKMEM_PMU=page-faults HAKMEM_PMU_SAMPLE=4 run_json "$tmp/s.json" mixed
check_json "$tmp/s.json" <<'PY' || fail "sampling"
rep = r[-1]
assert rep["pmu"]["sample_every"] == 4
a = cat(rep, "hak_alloc")
assert 0 < a["events_sampled"] < a["count"], a
PY
HAKMEM_PMU=page-faults HAKMEM_PMU_SAMPLE=4 "$pmuprog" mixed 2>"$tmp/text4"
grep -q 'scaled from 1 in 4 measurements' "$tmp/text4" || { cat "$tmp/text4"; fail "sampling not said"; }
