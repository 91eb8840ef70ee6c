#!/bin/sh
# hakmem-stat shows the timed calls set aside as interrupted (hakmem(3), "Sampled timing"), from the
# process's own report and from the counters of one that left through _exit without a report: a
# line under the table, and interrupted / interrupted_cycles in the JSON. A run whose only process
# wrote no report still has the timer's bias calibrated and taken off. The program's timer signal
# spins 3 ms of every 4 while it makes Tiny pairs, every call timed; where the spins land is up to
# the scheduler (on a loaded machine a run may catch none in a call, or so few that the calls' own
# work comes near half of them: 36.9 M cycles against 35.4 M once in .ci/run's distcheck), so each
# ending gets 3 tries. Were the spins in the totals, every try would fail.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
pprog="$HKM_TESTS_BUILDDIR/test_prof_prog"
for how in exit _exit; do
  for try in 1 2 3; do
    HAKMEM_TIMING_SAMPLE=1 PROF_TEST_EXIT=$how "$stat" --json -o "$tmp/$how.json" "$pprog" interrupted 300 \
      > /dev/null 2> "$tmp/$how.err" || fail "$how: hakmem-stat failed: $(cat "$tmp/$how.err")"
    check_py "$tmp/$how.json" <<'PY' && break
cats = {c["name"]: c for c in j["profile"]["categories"]}
a, f = cats["hak_alloc"], cats["hak_free"]
print(sys.argv[1], "interrupted:", a["interrupted"] + f["interrupted"], "cycles:", a["interrupted_cycles"] + f["interrupted_cycles"])
spins = a["interrupted_cycles"] + f["interrupted_cycles"]
sys.exit(0 if spins > 20000000 and a["total_cycles"] + f["total_cycles"] < spins / 2 else 1)  # three 3 ms spins or more
PY
  done
  check_py "$tmp/$how.json" <<'PY' || fail "$how: interrupted calls"
cats = {c["name"]: c for c in j["profile"]["categories"]}
for n in ("hak_alloc", "hak_free"):
    c = cats[n]
    assert c["interrupted_cycles"] >= 8192 * c["interrupted"], c
# the spins set aside are in no total: the calls' own work is a small part of them
a, f = cats["hak_alloc"], cats["hak_free"]
assert a["total_cycles"] + f["total_cycles"] < (a["interrupted_cycles"] + f["interrupted_cycles"]) / 2, (a, f)
rep = j["run_reports"][0][0]
assert rep["overhead_cycles"] > 0, rep["overhead_cycles"]  # the run's timer calibration, report or not
ending = rep.get("ending") or {}
print(sys.argv[1], "ending:", ending.get("how"))
PY
done
grep -q '"how": *"_exit"' "$tmp/_exit.json" || fail "the _exit run did not end through _exit"
# the text report: the same line, with the same 3 tries (one run under make -j2 caught no spin)
for try in 1 2 3; do
  HAKMEM_TIMING_SAMPLE=1 "$stat" "$pprog" interrupted 300 > /dev/null 2> "$tmp/text" || fail "hakmem-stat failed (text)"
  grep -qE "^  interrupted: [0-9,]+ timed malloc/free calls took over 8192 cycles" "$tmp/text" && break
  [ $try = 3 ] && { cat "$tmp/text"; fail "no interrupted line in 3 runs"; }
done
