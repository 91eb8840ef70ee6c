#!/bin/sh
# hakmem-stat -M learning --sites N shows the learner's rules: for learn_prog's dense site (it
# writes every page of its 8 MiB blocks) the backing that measured cheapest, which is not lazy unless
# huge pages and prefaulting both measured dearer there (a machine busy enough that a 2 MiB page took
# compaction: one distcheck run measured huge 6,279 cycles per KiB, prefault 1,118, lazy 1,058), for
# its sparse site (one page in 20) lazy, each with its scores, keep, reuse and measurements; the JSON
# carries the same in each report's "learn" member. Skipped where THP is off or the profiler is
# compiled out.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
learn="$HKM_TESTS_BUILDDIR/learn_prog"
"$stat" -M learning --sites 5 --json -o "$tmp/j" "$learn" learn 1 nofork > "$tmp/out"
st=$?
[ $st -eq 77 ] && exit 77
[ $st -eq 0 ] || fail "run failed ($st)"
check_py "$tmp/j" <<'PY' || fail "learn member"
l = j["run_reports"][0][0]["learn"]
assert l["mode"] == "learning" and l["force"] is None, l
assert l["costs"]["fault_cycles"] > 0 and l["passes"] > 0 and l["tables"] > 0, l
sites = [s for s in l["sites"] if s["tier"] == "whale" and s["density_per_mille"] is not None]
dense = [s for s in sites if s["density_per_mille"] >= 900]
sparse = [s for s in sites if s["density_per_mille"] <= 100]
assert len(dense) == 1 and len(sparse) == 1, sites
d, s = dense[0], sparse[0]
assert d["foreign"] and d["learned"], d
measured = {b: v for b, v in d["score"].items() if v is not None}
assert d["score"][d["backing"]] <= min(measured.values()), d
if min(v for b, v in measured.items() if b != "lazy") < measured["lazy"]:
    assert d["backing"] != "lazy", d
assert s["backing"] == "lazy" and not s["foreign"] and s["learned"], s
for x in (d, s):
    assert x["allocations"] >= 32 and x["bytes"] >= x["allocations"] * 8 * 2**20, x
    assert x["faults_per_mib"] is not None and x["pulls"]["lazy"] >= 1, x
    assert x["score"]["lazy"] is not None and x["object"].endswith("learn_prog"), x
assert d["faults_per_mib"] > s["faults_per_mib"], (d, s)
assert s["score"][s["backing"]] <= min(v for v in s["score"].values() if v is not None), s
PY
"$stat" -M learning --sites 5 "$learn" learn 1 nofork > "$tmp/out" 2> "$tmp/text" || fail "run failed (text)"
expect "$tmp/text" "no site rules section" -E '^  site rules \(learning\) of the [0-9]+ call sites of blocks over 2 MiB'
expect "$tmp/text" "no row for the sparse site" -E '^ +[0-9.]+ [GM]iB +[0-9]+ +[0-9]+ +\*[0-9]+ +([0-9]+|-|\?) +([0-9]+|-|\?) +(shared|own) [0-9]+ ms +own +[0-9]+/[0-9]+/[0-9]+ +learn_prog\+0x[0-9a-f]+$'
expect "$tmp/text" "no row for the dense site" -E '^ +[0-9.]+ [GM]iB +[0-9]+ +[0-9]+ +\*?[0-9]+ +\*?([0-9]+|-|\?) +\*?([0-9]+|-|\?) +(shared|own) [0-9]+ ms +any +[0-9]+/[0-9]+/[0-9]+ +learn_prog\+0x[0-9a-f]+$'
echo "site rules shown, in text and JSON"
