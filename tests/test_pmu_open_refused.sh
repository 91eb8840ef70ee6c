#!/bin/sh
# perf_event_open refused (seccomp, as in a locked-down container): allocation goes on unharmed,
# every column and the induced section say <not supported> with the reason in words ("not allowed",
# not a bare "Permission denied"), nothing else is printed.
set -e
. "$HKM_TOP_SRCDIR/tests/test_pmu_lib.sh"
HAKMEM_PMU=page-faults HAKMEM_PMU_FAULTS=1 run_json "$tmp/a.json" seccomp mixed
[ ! -s "$tmp/a.json.err" ] || { cat "$tmp/a.json.err"; fail "unexpected stderr"; }
check_json "$tmp/a.json" <<'PY' || fail "refused events"
rep = r[-1]
pf = rep["pmu"]["events"][0]
assert not pf["supported"] and pf["error"] == "not allowed: a seccomp policy or an LSM refused it, as containers do (EACCES)", pf
a = cat(rep, "hak_alloc")
assert a["count"] > 0 and a["events"]["page-faults"] is None, a
ev = rep["induced"]["events"][0]
assert not ev["supported"] and ev["error"].startswith("not allowed: "), ev
PY
HAKMEM_PMU=page-faults HAKMEM_PMU_FAULTS=1 "$pmuprog" seccomp mixed 2>"$tmp/text"
grep -q '^  page-faults: <not supported> (not allowed: a seccomp policy or an LSM refused it' "$tmp/text" ||
  { cat "$tmp/text"; fail "text"; }
