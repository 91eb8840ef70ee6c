#!/bin/sh
# With the real library's PMU support: -e columns come from the library's per-category events, and
# with HAKMEM_PMU_FAULTS=1 the page faults Python takes writing a 64 MiB bytes object (one whale
# block, 16384 pages) are shown against whale_get and the call site that asked for it. Skipped where
# page faults cannot be sampled (built --without-pfm, perf_event_open refused).
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
code='x = b"x" * (64 << 20); print(len(x))'
HAKMEM_PMU_FAULTS=1 "$stat" -e page-faults --sites 3 --json -o "$tmp/j" "$py" -c "$code" > "$tmp/out" ||
  fail "python failed"
[ "$(cat "$tmp/out")" = 67108864 ] || fail "python's output: $(cat "$tmp/out")"
supported=$("$py" -c 'import json, sys
ind = json.load(open(sys.argv[1]))["run_reports"][0][0].get("induced")
print(1 if ind and any(e["supported"] for e in ind["events"]) else 0)' "$tmp/j")
[ "$supported" = 1 ] || { echo "page faults cannot be sampled here: skipped"; exit 77; }
check_py "$tmp/j" <<'PY' || fail "induced faults"
p = j["profile"]
cats = {c["name"]: c for c in p["categories"]}
ind = j["run_reports"][0][0]["induced"]
why = (cats["whale_get"], {k: ind[k] for k in ("lost", "throttled", "process_minor_faults")},
       {c["name"]: c["induced_faults"] for c in p["categories"] if c.get("induced_faults")})
assert p["induced_event"] == "page-faults"
assert cats["whale_get"]["induced_faults"] >= 0.95 * 16384, why
assert p["induced_sites"][0]["category"] == "whale_get" and p["induced_sites"][0]["faults"] >= 0.95 * 16384, p["induced_sites"][:2]
assert "page-faults" in cats["hak_alloc"]["events"], cats["hak_alloc"]
# one spelling per call site: a site that allocated and took faults is the same string in both lists
import re
for s in p["induced_sites"]:
    assert re.fullmatch(r"\S+\+0x[0-9a-f]+( \(\S+\))?|0x[0-9a-f]+", s["site"]), s
assert {s["site"] for s in p["induced_sites"]} & {s["site"] for s in p["sites"]}, (p["induced_sites"], p["sites"][:8])
print("whale_get:", cats["whale_get"]["induced_faults"], "induced faults; top site", p["induced_sites"][0]["site"])
PY
HAKMEM_PMU_FAULTS=1 "$stat" -e page-faults --sites 3 "$py" -c "$code" > /dev/null 2> "$tmp/text" || fail "python failed (text)"
expect "$tmp/text" "induced heading" '^  induced page-faults (taken by the program on memory each category handed out):$'
n=$(sed -n '/^  induced page-faults/,/^$/s/^  whale_get  *\([0-9,]*\) .*/\1/p' "$tmp/text" | tr -d ,)
[ -n "$n" ] && [ "$n" -ge 15565 ] || { cat "$tmp/text"; fail "whale_get induced faults in the text: '$n'"; }
expect "$tmp/text" "page-faults column" -E '^  category .* share +page-faults$'
