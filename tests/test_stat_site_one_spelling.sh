#!/bin/sh
# A call site has one spelling everywhere: "function+0xoff (object)" when the object exports the
# function, else "object+0xoff", in the allocation sites and the induced-fault sites alike, in the
# text, the CSV and the JSON. A stand-in library (test_stat_fake_report.c) reports the same unnamed
# site (object /x/fake, offset 0x20) among its allocation sites and its fault sites.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
fake="$HKM_TESTS_BUILDDIR/.libs/libstatfake.so"
[ -f "$fake" ] || fail "$fake not built"

"$stat" --lib "$fake" --sites 5 "$py" -c pass 2> "$tmp/text" || fail "fake run failed"
expect "$tmp/text" "allocation site without a symbol" -E '^ +500 +16\.67% +10  fake\+0x20$'
expect "$tmp/text" "allocation site with a symbol" -E '^ +1,500 +50\.00% +2  load\+0x4 \(fake\)$'
expect "$tmp/text" "fault site without a symbol" -E '^ +40  tiny_alloc +fake\+0x20$'
expect "$tmp/text" "fault site with a symbol" -E '^ +60  whale_get +load\+0x4 \(fake\)$'
"$stat" --lib "$fake" --sites 5 -x , "$py" -c pass 2> "$tmp/csv" || fail "fake run failed (csv)"
expect "$tmp/csv" "CSV allocation site" -x 'site,fake+0x20,allocations,10.000000'
expect "$tmp/csv" "CSV fault site" -x 'induced_site,fake+0x20,tiny_alloc,40.000000'
"$stat" --lib "$fake" -j -o "$tmp/j" "$py" -c pass || fail "fake run failed (json)"
check_py "$tmp/j" <<'PY' || fail "JSON site labels"
alloc = {s["site"] for s in j["profile"]["sites"]}
faults = {s["site"] for s in j["profile"]["induced_sites"]}
assert alloc == faults == {"load+0x4 (fake)", "fake+0x20"}, (alloc, faults)
PY
echo "one spelling per call site"
