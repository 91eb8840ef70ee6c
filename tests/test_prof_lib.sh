# Sourced by the test_prof_*.sh tests (not a test itself): the program, a scratch directory, a clean
# HAKMEM_* environment, and the skip for a --disable-timing build.
prog="$HKM_TESTS_BUILDDIR/test_prof_prog"
py=/usr/bin/python3
prof_h="$HKM_TOP_SRCDIR/src/prof.h"
[ -x "$py" ] || { echo "$py not found: skipped"; exit 77; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
# These tests check the profiler's exact figures (a child's cycles within its parent's, a count per
# measurement): every call timed. test_prof_sampled checks the sampling.
HAKMEM_TIMING_SAMPLE=1
export HAKMEM_TIMING_SAMPLE

# The report says whether the profiler was compiled in; without it there is nothing to test.
compiled=$("$prog" report | "$py" -c 'import json, sys; print(json.loads(sys.stdin.readline())["timing_compiled"])')
[ "$compiled" = True ] || { echo "profiler compiled out (--disable-timing): skipped"; exit 77; }

fail() { echo "FAIL: $*"; exit 1; }

# check_json FILE < python: runs the python on stdin with r = the JSON reports in FILE (one per line),
# cat(rep, name) = that category's object, cats = [(name, parent name or None)] from prof.h's list,
# nested_ok(rep) = every category's total within its parent's, and tiers_ok(rep, T, P, L, B, W) = the
# counts of `test_prof_prog tiers T P L B W`: each tier's get and put, and hak_alloc/hak_free, exact.
prelude='import json, re, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
xs = re.findall(r"^\s+X\((\w+), \"(\w+)\", (\w+), \w+\)", open(sys.argv[2]).read(), re.M)
ids = {i: n for i, n, _ in xs}
cats = [(n, ids.get(p)) for _, n, p in xs]
assert cats, "no categories parsed from prof.h"
def cat(rep, name):
    return next(c for c in rep["categories"] if c["name"] == name)
# The program L2.5 size (48 KiB) is a page run (src/pages.h): malloc reaches L2.5 slabs no more.
def tiers_ok(rep, tiny, pool, l25, big, whale):
    n = {"tiny": tiny, "pool": pool, "l25": l25, "bigcache": big, "whale": whale, "hak": tiny + pool + l25 + big + whale,
         "none": 0}
    expect = {"tiny_alloc": "tiny", "tiny_free": "tiny", "pool_get": "pool", "pool_put": "pool", "page_run_get": "l25",
              "page_run_put": "l25", "l25_get": "none", "l25_put": "none", "bigcache_get": "bigcache",
              "bigcache_put": "bigcache", "whale_get": "whale", "whale_put": "whale", "hak_alloc": "hak", "hak_free": "hak"}
    for name, tier in expect.items():
        assert cat(rep, name)["count"] == n[tier], (name, cat(rep, name)["count"], n[tier])
def nested_ok(rep):
    for c in rep["categories"]:
        if c["parent"] is not None:
            p = cat(rep, c["parent"])
            assert c["total_cycles"] <= p["total_cycles"], (c, p)
'
check_json() {
  { printf '%s\n' "$prelude"; cat; } > "$tmp/check.py"
  "$py" "$tmp/check.py" "$1" "$prof_h"
}
