#!/bin/sh
# A free that empties a slab releases it: the tier's release (pool_release for the L2 pool) is timed on
# every call, exactly, and its cycles are inside its free's (pool_put, hak_free) whether or not the
# sampler timed that free: after the census (the first 256 frees) none of these frees is timed.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
HAKMEM_TIMING_SAMPLE=1000000 HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null "$prog" tiers 0 600 0 0 0 > "$tmp/r" ||
  fail "program failed"
check_json "$tmp/r" <<'PY' || fail "releases"
rep = r[0]
rel, put, free = cat(rep, "pool_release"), cat(rep, "pool_put"), cat(rep, "hak_free")
assert rel["parent"] == "pool_put" and rel["sampled"] is False, rel
assert put["count"] == 600 and put["timed"] <= 300, put
assert rel["count"] >= 10 and rel["timed"] == rel["count"] and rel["total_cycles"] > 0, rel
assert put["total_cycles"] >= rel["total_cycles"] and free["total_cycles"] >= put["total_cycles"], (rel, put, free)
print("pool_release: %d calls, %d cycles; pool_put %d calls (%d timed), %d cycles" %
      (rel["count"], rel["total_cycles"], put["count"], put["timed"], put["total_cycles"]))
PY
