#!/bin/sh
# A C++ program's new and delete are hakmem's (src/cxx_new.c), so each new's call site is the
# function that says new, not libstdc++'s operator new: under hakmem-stat --sites, the two functions of
# the program that allocate appear by name with exactly their counts.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
HAKMEM_TIMING_SAMPLE=1 # every call timed: exact counts per site
export HAKMEM_TIMING_SAMPLE
cxx="$HKM_TESTS_BUILDDIR/cxx_sites_prog"
"$stat" --sites 8 --json -o "$tmp/j" "$cxx" 400 100 || fail "run failed"
check_py "$tmp/j" <<'PY' || fail "sites"
sites = {s["site"].split("+")[0]: s for s in j["profile"]["sites"]}
assert sites["cxx_site_new"]["count"] == 400, sites
assert sites["cxx_site_array"]["count"] == 100, sites
assert not [s for s in sites if "operator new" in s or "_Zn" in s], sites
PY
echo "new's sites named with exact counts"
