#!/bin/sh
# --sites N lists the call sites with the most allocation cycles, symbolized: the two functions of
# the program that allocate appear by name with exactly their allocation counts.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
"$stat" --sites 5 --json -o "$tmp/j" "$prog" count 400 100 || fail "run failed"
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
assert len(mine) == 1 and os.path.realpath(mine[0]["object"]) == os.path.realpath(sys.argv[2]), mine
assert mine[0]["addr"].startswith("0x") and mine[0]["symbol_offset"] > 0
assert raw["sites_distinct"] >= 2 and raw["sites_dropped"] == 0
PY
"$stat" --sites 5 "$prog" count 400 100 2> "$tmp/text" || fail "run failed (text)"
grep -qE '^ +[0-9,]+ +[0-9.]+% +400  stat_site_tiny\+0x[0-9a-f]+ \(test_stat_prog\)$' "$tmp/text" ||
  { cat "$tmp/text"; fail "text line for stat_site_tiny"; }
grep -qE '^ +[0-9,]+ +[0-9.]+% +100  stat_site_pool\+0x[0-9a-f]+ \(test_stat_prog\)$' "$tmp/text" ||
  { cat "$tmp/text"; fail "text line for stat_site_pool"; }
echo "sites named with exact counts"
