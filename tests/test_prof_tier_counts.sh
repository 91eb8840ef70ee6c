#!/bin/sh
# Each tier's category counts exactly the allocations and frees of that tier, hak_alloc/hak_free
# count every call, and a nested category never takes longer in total than its parent.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null "$prog" tiers 100 50 20 6 4 > "$tmp/r" || fail "program failed"
check_json "$tmp/r" <<'PY' || fail "counts"
rep = r[0]
tiers_ok(rep, 100, 50, 20, 6, 4)
nested_ok(rep)
for c in rep["categories"]:
    if c["count"]:
        assert c["min_cycles"] <= c["avg_cycles"] <= c["max_cycles"] + 1, c
        assert c["total_ns"] == round(c["total_cycles"] * 1e9 / rep["tsc_hz"]) or abs(c["total_ns"] - c["total_cycles"] * 1e9 / rep["tsc_hz"]) <= 1, c
top = cat(rep, "hak_alloc")["total_cycles"] + cat(rep, "hak_free")["total_cycles"]
assert rep["top_level_cycles"] == top
assert abs(cat(rep, "hak_alloc")["share"] - cat(rep, "hak_alloc")["total_cycles"] / top) < 1e-5
print("exact counts per tier;", rep["threads"], "threads; tsc", rep["tsc_hz"], "Hz; overhead",
      rep["overhead_cycles"], "cycles")
PY
