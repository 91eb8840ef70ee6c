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
[ "$(sed -n 2p "$tmp/env")" = "$HKM_LIB:$other" ] || { cat "$tmp/env"; fail "LD_PRELOAD"; }

# Two processes (Python forks; both exit normally), so every figure is the sum of two reports.
fork_code='import os, sys
pid = os.fork()
if pid == 0: sys.exit(0)
os.waitpid(pid, 0)'
STAT_FAKE_BROKEN=1 "$stat" --lib "$fake" --sites 3 "$py" -c "$fork_code" 2> "$tmp/text" || fail "fake run failed"
hdr=$(grep '^  category ' "$tmp/text")
echo "$hdr" | grep -qE 'share +page-faults +cycles$' || { cat "$tmp/text"; fail "event columns"; }
grep -qE '^  hak_alloc +20 +200 +4,000 +66\.67% +14 +<not supported>$' "$tmp/text" || { cat "$tmp/text"; fail "hak_alloc row"; }
grep -qE '^  whale_get +4 +750 +3,000 +50\.00% +12 +<not supported>$' "$tmp/text" || { cat "$tmp/text"; fail "whale_get row"; }
grep -q '^  induced page-faults (taken by the program on memory each category handed out):$' "$tmp/text" ||
  { cat "$tmp/text"; fail "induced heading"; }
grep -qE '^  whale_get +120 +57\.14%$' "$tmp/text" || { cat "$tmp/text"; fail "induced faults of whale_get"; }
grep -qE '^  tiny_alloc +80 +38\.10%$' "$tmp/text" || { cat "$tmp/text"; fail "induced faults of tiny_alloc"; }
grep -q '^  (6 records lost by the kernel)$' "$tmp/text" || { cat "$tmp/text"; fail "lost records"; }
grep -q '^  <not supported> cycles: No such file or directory$' "$tmp/text" || { cat "$tmp/text"; fail "event error"; }
grep -qE '^  other +10 +4\.76%$' "$tmp/text" || { cat "$tmp/text"; fail "induced faults elsewhere"; }
grep -qE '^  reclaim \(thread\): 4 batches, 12 ranges, 24,576 bytes, 3\.00 ranges/batch, 2 fallbacks$' "$tmp/text" ||
  { cat "$tmp/text"; fail "reclaim line"; }
grep -qE '^ +120  whale_get +load\+0x4 \(fake\)$' "$tmp/text" || { cat "$tmp/text"; fail "sites by induced faults"; }
grep -q '^  2 report lines unreadable' "$tmp/text" || { cat "$tmp/text"; fail "cut-off lines not counted"; }

# Events asked for come first, in the order asked; one the library does not report is <not supported>.
"$stat" --lib "$fake" -e instructions,page-faults "$py" -c pass 2> "$tmp/text2" || fail "fake run failed (-e)"
grep -qE '^  category .* share +instructions +page-faults +cycles$' "$tmp/text2" || { cat "$tmp/text2"; fail "-e columns"; }
grep -qE '^  hak_alloc +10 +200 +2,000 +66\.67% +<not supported> +7 +<not supported>$' "$tmp/text2" ||
  { cat "$tmp/text2"; fail "-e row"; }

"$stat" --lib "$fake" --json -o "$tmp/j" --svg "$tmp/s.svg" "$py" -c pass || fail "fake run failed (json)"
check_py "$tmp/j" "$tmp/s.svg" <<'PY' || fail "fake JSON/SVG"
import xml.etree.ElementTree as ET
cats = {c["name"]: c for c in j["profile"]["categories"]}
assert cats["hak_alloc"]["events"] == {"page-faults": 7, "cycles": None}, cats["hak_alloc"]
assert cats["whale_get"]["induced_faults"] == 60 and cats["tiny_alloc"]["induced_faults"] == 40
assert j["profile"]["induced_faults_other"] == 5 and j["profile"]["induced_event"] == "page-faults"
assert j["profile"]["induced_sites"] == [{"site": "load+0x4 (fake)", "category": "whale_get", "faults": 60}]
assert j["profile"]["event_errors"] == ["cycles: No such file or directory"]
assert j["run_reports"][0][0]["command"] == "fake \u00e9"
ns = "{http://www.w3.org/2000/svg}"
bars = {r.get("data-category"): float(r.get("data-faults")) for r in ET.parse(sys.argv[2]).getroot().iter(ns + "rect")
        if r.get("class") == "induced"}
assert bars == {"tiny_alloc": 40, "whale_get": 60, "other": 5}, bars
PY
"$stat" --lib "$fake" -x , "$py" -c pass 2> "$tmp/csv" || fail "fake run failed (csv)"
grep -qx 'event,hak_alloc,cycles,<not supported>' "$tmp/csv" && grep -qx 'event,hak_alloc,page-faults,7' "$tmp/csv" ||
  { cat "$tmp/csv"; fail "CSV events"; }
echo "events and induced faults shown"
