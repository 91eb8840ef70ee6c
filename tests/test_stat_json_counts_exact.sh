#!/bin/sh
# --json is valid JSON in the documented shape, and its counts are exact: a program that makes known
# numbers of allocations per tier, and one that forks three children which make theirs, are added up
# over every process, and the aggregate equals the sum of the library's own reports.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing

"$stat" --json -o "$tmp/count.json" "$prog" count 300 120 > "$tmp/out" 2> "$tmp/err" || fail "count run failed"
[ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] || { cat "$tmp/out" "$tmp/err"; fail "output with -o"; }
check_py "$tmp/count.json" <<'PY' || fail "count"
assert j["schema"] == "hakmem-stat" and j["version"] == 2 and j["runs"] == 1 and j["exit_status"] == 0
assert j["command"][1:] == ["count", "300", "120"], j["command"]
cats = {c["name"]: c for c in j["profile"]["categories"]}
expect = {"hak_alloc": 420, "hak_free": 420, "tiny_alloc": 300, "tiny_free": 300, "pool_get": 120, "pool_put": 120}
for k, n in expect.items():
    assert cats[k]["count"] == n, (k, cats[k]["count"], n)
assert j["totals"]["processes"] == 1 and len(j["run_reports"][0]) == 1
rep = j["run_reports"][0][0]
assert rep["schema"] == "hakmem-profile" and rep["command"].split()[1:] == ["count", "300", "120"], rep["command"]
t = j["totals"]
for k in ("wall_time_s", "user_time_s", "sys_time_s", "peak_rss_kib", "minor_faults", "major_faults"):
    assert isinstance(t[k], (int, float)) and t[k] >= 0, k
assert t["wall_time_s"] > 0 and t["peak_rss_kib"] > 0
assert t["mmap_calls"] == cats["syscall_mmap"]["count"] and t["munmap_calls"] == cats["syscall_munmap"]["count"]
print("count: exact per tier")
PY

"$stat" --json -o "$tmp/fork.json" "$prog" fork 3 250 || fail "fork run failed"
check_py "$tmp/fork.json" <<'PY' || fail "fork"
reps = j["run_reports"][0]
assert len(reps) == 4 and j["totals"]["processes"] == 4, len(reps)
parent = [r for r in reps if r["pid"] not in [x["ppid"] for x in reps] or True]
pids = {r["pid"] for r in reps}
children = [r for r in reps if r["ppid"] in pids]
assert len(children) == 3, [(r["pid"], r["ppid"]) for r in reps]
for r in reps:
    c = {x["name"]: x for x in r["categories"]}
    assert c["tiny_alloc"]["count"] == 250 and c["tiny_free"]["count"] == 250, r["pid"]
cats = {c["name"]: c for c in j["profile"]["categories"]}
assert cats["tiny_alloc"]["count"] == 1000 and cats["hak_free"]["count"] == 1000
for name, c in cats.items():
    for k in ("count", "total_cycles"):
        s = sum(x[k] for r in reps for x in r["categories"] if x["name"] == name)
        assert c[k] == s, (name, k, c[k], s)
top = cats["hak_alloc"]["total_cycles"] + cats["hak_free"]["total_cycles"]
assert j["profile"]["top_level_cycles"] == top
assert abs(cats["hak_alloc"]["share"] - cats["hak_alloc"]["total_cycles"] / top) < 1e-5
print("fork: 4 processes, 1000 allocations, aggregate = sum of the reports")
PY

# Arguments that are not UTF-8 (or hold quotes, backslashes, newlines) still give JSON that parses,
# from hakmem-stat and from the library alike.
arg=$(printf 'a\377b"c\\d\ne')
"$stat" --json -o "$tmp/odd.json" "$py" -c pass "$arg" || fail "odd argument run failed"
check_py "$tmp/odd.json" <<'PY' || fail "odd argument JSON"
assert j["command"][3] == 'a\ufffdb"c\\d\ne', j["command"]
assert j["run_reports"][0][0]["command"].endswith('a\ufffdb"c\\d\ne'), j["run_reports"][0][0]["command"]
print("odd arguments escaped")
PY
