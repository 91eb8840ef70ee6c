#!/bin/sh
# hakmem-stat shows the timed calls set aside as interrupted (hakmem(3), "Sampled timing"), from the
# process's own report and from the counters of one that left through _exit without a report: a
# line under the table, and interrupted / interrupted_cycles in the JSON. The program's timer signal
# spins 3 ms of every 4 while it makes Tiny pairs, every call timed.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
pprog="$HKM_TESTS_BUILDDIR/test_prof_prog"
for how in exit _exit; do
  HAKMEM_TIMING_SAMPLE=1 PROF_TEST_EXIT=$how "$stat" --json -o "$tmp/$how.json" "$pprog" interrupted 300 \
    > /dev/null 2> "$tmp/$how.err" || fail "$how: hakmem-stat failed: $(cat "$tmp/$how.err")"
  check_py "$tmp/$how.json" <<'PY' || fail "$how: interrupted calls"
cats = {c["name"]: c for c in j["profile"]["categories"]}
got = cats["hak_alloc"]["interrupted"] + cats["hak_free"]["interrupted"]
assert got > 0, (cats["hak_alloc"], cats["hak_free"])
for n in ("hak_alloc", "hak_free"):
    c = cats[n]
    # min_cycles: the timer's bias when a process that wrote no report left none calibrated
    assert c["interrupted_cycles"] >= 8192 * c["interrupted"] and c["avg_cycles"] - c["min_cycles"] < 60, c
ending = j["run_reports"][0][0].get("ending") or {}
print(sys.argv[1], "interrupted:", got, "ending:", ending.get("how"))
PY
done
grep -q '"how": *"_exit"' "$tmp/_exit.json" || fail "the _exit run did not end through _exit"
HAKMEM_TIMING_SAMPLE=1 "$stat" "$pprog" interrupted 300 > /dev/null 2> "$tmp/text" || fail "hakmem-stat failed (text)"
expect "$tmp/text" "no interrupted line" -E "^  interrupted: [0-9,]+ timed malloc/free calls took over 8192 cycles"
