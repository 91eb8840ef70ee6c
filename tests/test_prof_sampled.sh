#!/bin/sh
# HAKMEM_TIMING_SAMPLE: counts stay exact while the fast paths and the page runs are timed on a sample
# (about one call in N: some, not all) and the rare paths on every call; each sampled estimate carries a standard
# error and the report says which figures are estimates; the threads' figures still add up; a run of
# up to 256 calls per size class is timed in full (the census); the default rate is 256, and a bad value
# warns and keeps it.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
unset HAKMEM_TIMING_SAMPLE
HAKMEM_TIMING_SAMPLE=16 HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null "$prog" tiers 8000 8000 3000 6 4 > "$tmp/s" ||
  fail "program failed"
check_json "$tmp/s" <<'PY' || fail "sampled report"
rep = r[0]
assert rep["version"] == 2 and rep["sample_every"] == 16, rep["sample_every"]
tiers_ok(rep, 8000, 8000, 3000, 6, 4)
for name in ("hak_alloc", "hak_free", "tiny_alloc", "tiny_free", "pool_get", "pool_put", "page_run_get", "page_run_put"):
    c = cat(rep, name)
    assert c["sampled"] is True and c["count"] // 64 <= c["timed"] <= c["count"] // 4, c
    assert isinstance(c["total_cycles_stderr"], int) and c["total_cycles"] > 0, c
for name in ("bigcache_get", "bigcache_put", "whale_get", "whale_put"):
    c = cat(rep, name)
    assert c["sampled"] is False and c["timed"] == c["count"] and c["total_cycles_stderr"] == 0, c
pt = rep["per_thread"]
for c in rep["categories"]:
    assert sum(t["categories"].get(c["name"], {}).get("total_cycles", 0) for t in pt) == c["total_cycles"], c["name"]
print("sampled:", {n: (cat(rep, n)["count"], cat(rep, n)["timed"]) for n in ("hak_alloc", "tiny_alloc", "pool_put")})
PY
HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null "$prog" tiers 250 250 250 2 2 > "$tmp/short" || fail "program failed (short)"
check_json "$tmp/short" <<'PY' || fail "a short run is not exact"
rep = r[0]
for c in rep["categories"]:
    assert c["timed"] == c["count"] and c["total_cycles_stderr"] == 0, c
print("short run: every call timed, hak_alloc", cat(rep, "hak_alloc")["count"])
PY
HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null "$prog" report > "$tmp/d" || fail "program failed (default)"
check_json "$tmp/d" <<'PY' || fail "default rate"
assert r[0]["sample_every"] == 256, r[0]["sample_every"]
PY
HAKMEM_TIMING_SAMPLE=16 HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null PROF_TEST_TEXT=1 "$prog" tiers 1000 10 10 0 0 > "$tmp/t" ||
  fail "program failed (text)"
grep -q "timed on about 1 call in 16" "$tmp/t" || { cat "$tmp/t"; fail "the text report does not say what is estimated"; }
HAKMEM_TIMING_SAMPLE=0 HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null "$prog" report > "$tmp/b" 2> "$tmp/berr" ||
  fail "program failed (bad value)"
grep -q "^hakmem: HAKMEM_TIMING_SAMPLE=0 is not a number from 1 to 1000000; using 256$" "$tmp/berr" ||
  { cat "$tmp/berr"; fail "no warning for HAKMEM_TIMING_SAMPLE=0"; }
check_json "$tmp/b" <<'PY' || fail "bad value"
assert r[0]["sample_every"] == 256
PY
