#!/bin/sh
# -e and -M reach the library as HAKMEM_PMU and HAKMEM_MODE, LD_PRELOAD keeps what was preloaded
# already; and the per-event figures and induced faults a report carries are shown: numbers summed,
# an event reported as null as <not supported> (text, CSV) or null (JSON), faults per category in the
# text and the SVG. A stand-in library writes such a report (test_stat_fake_report.c).
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
fake="$HKM_TESTS_BUILDDIR/.libs/libstatfake.so"
[ -f "$fake" ] || fail "$fake not built"

other=$(ls /lib/x86_64-linux-gnu/libm.so.6 /usr/lib64/libm.so.6 /lib64/libm.so.6 2>/dev/null | head -1)
[ -n "$other" ] || { echo "no libm to preload beside hakmem: skipped"; exit 77; }
env_code='import os; print(" ".join(os.environ.get(k, "-") for k in ("HAKMEM_PMU", "HAKMEM_MODE", "HAKMEM_TIMING", "HAKMEM_TIMING_FORMAT", "HAKMEM_TIMING_QUIET"))); print(os.environ["LD_PRELOAD"])'
LD_PRELOAD="$other" "$stat" -q -e page-faults,cycles -M fast "$py" -c "$env_code" > "$tmp/env" || fail "python failed"
[ "$(sed -n 1p "$tmp/env")" = "page-faults,cycles fast 1 json 1" ] || { cat "$tmp/env"; fail "environment"; }
[ "$(sed -n 2p "$tmp/env")" = "$HKM_STAT_LIB:$other" ] || { cat "$tmp/env"; fail "LD_PRELOAD"; }

# Two processes (Python forks; both exit normally), so every figure is the sum of two reports.
fork_code='import os, sys
pid = os.fork()
if pid == 0: sys.exit(0)
os.waitpid(pid, 0)'
STAT_FAKE_BROKEN=1 "$stat" --lib "$fake" --sites 3 "$py" -c "$fork_code" 2> "$tmp/text" || fail "fake run failed"
hdr=$(grep '^  category ' "$tmp/text")
echo "$hdr" | grep -qE 'share +page-faults +cycles$' || { cat "$tmp/text"; fail "event columns"; }
expect "$tmp/text" "hak_alloc row" -E '^  hak_alloc +20 +200 +4,000 +66\.67% +14 +<not supported>$'
expect "$tmp/text" "whale_get row" -E '^  whale_get +4 +750 +3,000 +50\.00% +12 +<not supported>$'
expect "$tmp/text" "induced heading" '^  induced page-faults (taken by the program on memory each category handed out):$'
expect "$tmp/text" "induced faults of whale_get" -E '^  whale_get +120 +57\.14%$'
expect "$tmp/text" "induced faults of tiny_alloc" -E '^  tiny_alloc +80 +38\.10%$'
expect "$tmp/text" "lost records" '^  (6 records lost by the kernel)$'
expect "$tmp/text" "event error" '^  <not supported> cycles: No such file or directory$'
expect "$tmp/text" "induced faults elsewhere" -E '^  other +10 +4\.76%$'
expect "$tmp/text" "reclaim line" -E '^  reclaim \(thread\): 4 batches, 12 ranges, 24,576 bytes of address space \(resident or not\), 3\.00 ranges/batch, 2 fallbacks$'
expect "$tmp/text" "sites by induced faults" -E '^ +120  whale_get +load\+0x4 \(fake\)$'
expect "$tmp/text" "cut-off lines not counted" '^  2 report lines unreadable'

# Events asked for come first, in the order asked; one the library does not report is <not supported>.
"$stat" --lib "$fake" -e instructions,page-faults "$py" -c pass 2> "$tmp/text2" || fail "fake run failed (-e)"
expect "$tmp/text2" "-e columns" -E '^  category .* share +instructions +page-faults +cycles$'
expect "$tmp/text2" "-e row" -E '^  hak_alloc +10 +200 +2,000 +66\.67% +<not supported> +7 +<not supported>$'

"$stat" --lib "$fake" --json -o "$tmp/j" --svg "$tmp/s.svg" "$py" -c pass || fail "fake run failed (json)"
check_py "$tmp/j" "$tmp/s.svg" <<'PY' || fail "fake JSON/SVG"
import xml.etree.ElementTree as ET
cats = {c["name"]: c for c in j["profile"]["categories"]}
assert cats["hak_alloc"]["events"] == {"page-faults": 7, "cycles": None}, cats["hak_alloc"]
assert cats["whale_get"]["induced_faults"] == 60 and cats["tiny_alloc"]["induced_faults"] == 40
assert j["profile"]["induced_faults_other"] == 5 and j["profile"]["induced_event"] == "page-faults"
assert j["profile"]["induced_sites"] == [{"site": "load+0x4 (fake)", "category": "whale_get", "faults": 60},
                                        {"site": "fake+0x20", "category": "tiny_alloc", "faults": 40}], j["profile"]["induced_sites"]
assert j["profile"]["event_errors"] == ["cycles: No such file or directory"]
assert j["run_reports"][0][0]["command"] == "fake \u00e9"
ns = "{http://www.w3.org/2000/svg}"
bars = {r.get("data-category"): float(r.get("data-faults")) for r in ET.parse(sys.argv[2]).getroot().iter(ns + "rect")
        if r.get("class") == "induced"}
assert bars == {"tiny_alloc": 40, "whale_get": 60, "other": 5}, bars
PY
"$stat" --lib "$fake" -x , "$py" -c pass 2> "$tmp/csv" || fail "fake run failed (csv)"
grep -qx 'event,hak_alloc,cycles,<not supported>' "$tmp/csv" && grep -qx 'event,hak_alloc,page-faults,7.000000' "$tmp/csv" ||
  { cat "$tmp/csv"; fail "CSV events"; }
echo "events and induced faults shown"
