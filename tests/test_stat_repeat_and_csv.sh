#!/bin/sh
# -r 3 runs the command three times and shows the mean with the relative stddev per row, in the
# text, JSON and CSV reports; exact counts stay exact as means. Each CSV column has one number format.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
compiled=$(timing_compiled)

"$stat" -r 3 "$prog" count 300 0 2> "$tmp/text" || fail "-r 3 failed"
expect "$tmp/text" "header" "^ hakmem profile for '$prog count 300 0' (3 runs):"
expect "$tmp/text" "wall row" -E '^ +[0-9.]+  seconds wall +\( \+- +[0-9]+\.[0-9]{2}% \)$'
expect "$tmp/text" "processes row" -E '^ +1  processes on hakmem +\( \+- + 0\.00% \)$'
if [ "$compiled" = 1 ]; then
  expect "$tmp/text" "tiny_alloc row" -E '^  tiny_alloc +300 .*\( \+- +[0-9]+\.[0-9]{2}% \)$'
fi

"$stat" -r 3 --json -o "$tmp/j" "$prog" count 300 0 || fail "-r 3 --json failed"
check_py "$tmp/j" "$compiled" <<'PY' || fail "-r 3 JSON"
assert j["runs"] == 3 and len(j["run_reports"]) == 3 and len(j["run_totals"]) == 3
assert all(len(r) == 1 for r in j["run_reports"])
pids = {r[0]["pid"] for r in j["run_reports"]}
assert len(pids) == 3, pids
walls = [t["wall_time_s"] for t in j["run_totals"]]
assert abs(j["totals"]["wall_time_s"] - sum(walls) / 3) < 1e-6, walls
if sys.argv[2] == "1":
    cats = {c["name"]: c for c in j["profile"]["categories"]}
    assert cats["tiny_alloc"]["count"] == 300 and "rel_stddev_pct" in cats["tiny_alloc"]
    tot = [next(c["total_cycles"] for c in r[0]["categories"] if c["name"] == "hak_alloc") for r in j["run_reports"]]
    assert abs(cats["hak_alloc"]["total_cycles"] - sum(tot) / 3) <= 1, (cats["hak_alloc"], tot)
PY

"$stat" -r 3 -x ';' -o "$tmp/csv" "$prog" count 300 0 || fail "-x failed"
"$py" - "$tmp/csv" "$compiled" <<'PY' || { cat "$tmp/csv"; fail "CSV"; }
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=";"))
assert rows[0] == ["section", "name", "field", "value", "rel_stddev_pct"], rows[0]
assert all(len(r) == 5 for r in rows[1:]), [r for r in rows if len(r) != 5]
# one number format per column: counts, means and fractions alike
import re
bad = [r for r in rows[1:] if not re.fullmatch(r"-?[0-9]+\.[0-9]{6}", r[3]) or not re.fullmatch(r"([0-9]+\.[0-9]{2})?", r[4])]
assert not bad, bad
d = {(r[0], r[1], r[2]): (float(r[3]), float(r[4]) if r[4] else None) for r in rows[1:]}
assert d[("total", "processes", "count")] == (1.0, 0.0)
assert d[("total", "wall_time", "s")][0] > 0
if sys.argv[2] == "1":
    assert d[("category", "tiny_alloc", "count")] == (300.0, 0.0)
PY
"$stat" -x , "$prog" count 10 0 2> "$tmp/csv1" || fail "-x , failed"
head -1 "$tmp/csv1" | grep -qx 'section,name,field,value' || fail "CSV header without -r"
sed 1d "$tmp/csv1" | grep -vE '^[^,]+,[^,]+,[^,]+,(-?[0-9]+\.[0-9]{6}|<not supported>)$' && { cat "$tmp/csv1"; fail "CSV values in more than one format"; }
echo "-r 3: means and stddevs in text, JSON, CSV"
