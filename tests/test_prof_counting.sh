#!/bin/sh
# libhakmem-prof.so, the counting build hakmem-stat preloads, counts every call in the fast paths
# themselves: past the census (256 calls per class and thread, all timed), the calls it neither times
# nor sends out of line must still be counted once each, in one thread and across threads, with the
# counts libhakmem.so's profiled exits give. It profiles whatever HAKMEM_TIMING says, and says so.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
unset HAKMEM_TIMING_SAMPLE # the default rate: most calls stay on the fast paths
[ -f "$HKM_STAT_LIB" ] && [ "$HKM_STAT_LIB" != "$HKM_LIB" ] || { echo "no counting build: skipped"; exit 77; }

for lib in "$HKM_LIB" "$HKM_STAT_LIB"; do
  LD_PRELOAD="$lib" HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null "$prog" tiers 3000 1000 600 6 4 > "$tmp/tiers" ||
    fail "tiers on $lib"
  check_json "$tmp/tiers" <<'PY' || fail "tier counts on $lib"
rep = r[0]
tiers_ok(rep, 3000, 1000, 600, 6, 4)
assert rep["sample_every"] == 256, rep["sample_every"]
assert cat(rep, "tiny_alloc")["timed"] < 3000, cat(rep, "tiny_alloc")  # past the census, most calls untimed
nested_ok(rep)
PY
  LD_PRELOAD="$lib" HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null "$prog" threads 6 1000 > "$tmp/threads" ||
    fail "threads on $lib"
  check_json "$tmp/threads" <<'PY' || fail "thread counts on $lib"
rep = r[0]
assert cat(rep, "page_run_get")["count"] == 8000 and cat(rep, "page_run_put")["count"] == 8000, (cat(rep, "page_run_get"), cat(rep, "page_run_put"))
PY
done

# HAKMEM_TIMING=0 cannot turn the counting build's profiler off: one warning, and the report.
LD_PRELOAD="$HKM_STAT_LIB" HAKMEM_TIMING=0 HAKMEM_TIMING_FORMAT=json HAKMEM_TIMING_FILE="$tmp/exit" "$prog" work \
  > /dev/null 2> "$tmp/err" || fail "work with HAKMEM_TIMING=0"
grep -q "HAKMEM_TIMING=0 ignored: libhakmem-prof.so always profiles" "$tmp/err" || { cat "$tmp/err"; fail "no warning"; }
[ "$(grep -c . "$tmp/err")" = 1 ] || { cat "$tmp/err"; fail "more than the one warning"; }
check_json "$tmp/exit" <<'PY' || fail "no exit report with HAKMEM_TIMING=0"
assert r and r[-1]["enabled"] is True, r
PY
echo "counting build: exact counts past the census in 1 and 8 threads; profiles with HAKMEM_TIMING=0, with a warning"
