#!/bin/sh
# --sites N lists the call sites with the most allocation cycles, symbolized: the two functions of
# the program that allocate appear by name with exactly their allocation counts, and the offset
# given is the address addr2line takes.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
# Run by a relative name: the report must still name the object by its real path.
# every allocation timed, so that the sites' figures are exact counts (with sampling they are scaled)
HAKMEM_TIMING_SAMPLE=1
export HAKMEM_TIMING_SAMPLE
(cd "$(dirname "$prog")" && "$stat" --sites 5 --json -o "$tmp/j" ./test_stat_prog count 400 100) || fail "run failed"
check_py "$tmp/j" "$prog" <<'PY' || fail "sites"
import os
sites = {s["site"].split("+")[0]: s for s in j["profile"]["sites"]}
assert sites["stat_site_tiny"]["count"] == 400, sites
assert sites["stat_site_pool"]["count"] == 100, sites
assert sites["stat_site_tiny"]["site"].endswith("(test_stat_prog)"), sites["stat_site_tiny"]
cyc = [s["total_cycles"] for s in j["profile"]["sites"]]
assert cyc == sorted(cyc, reverse=True)
raw = j["run_reports"][0][0]
mine = [s for s in raw["sites"] if s["symbol"] == "stat_site_tiny"]
assert len(mine) == 1 and mine[0]["object"] == os.path.realpath(sys.argv[2]), mine
assert mine[0]["addr"].startswith("0x") and mine[0]["symbol_offset"] > 0
assert raw["sites_distinct"] >= 2 and raw["sites_dropped"] == 0
open(sys.argv[1] + ".a2l", "w").write("%#x\n" % mine[0]["object_offset"])
PY
if command -v addr2line > /dev/null; then
  fn=$(addr2line -f -e "$prog" "$(cat "$tmp/j.a2l")" | head -1)
  [ "$fn" = stat_site_tiny ] || fail "addr2line gives '$fn' for the object offset"
fi
"$stat" --sites 5 "$prog" count 400 100 2> "$tmp/text" || fail "run failed (text)"
expect "$tmp/text" "text line for stat_site_tiny" -E '^ +[0-9,]+ +[0-9.]+% +400  stat_site_tiny\+0x[0-9a-f]+ \(test_stat_prog\)$'
expect "$tmp/text" "text line for stat_site_pool" -E '^ +[0-9,]+ +[0-9.]+% +100  stat_site_pool\+0x[0-9a-f]+ \(test_stat_prog\)$'
echo "sites named with exact counts"
