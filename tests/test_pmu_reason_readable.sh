#!/bin/sh
# A hardware event the machine cannot count says why in words, not as a raw errno string: when
# perf_event_open answers ENOENT (a machine without a hardware PMU, as most VMs; here forced with a
# seccomp filter so the test means the same on every machine) the reason is "no hardware PMU on this
# machine", in the library's report and in hakmem-stat's, instead of "No such file or directory".
set -e
. "$HKM_TOP_SRCDIR/tests/test_pmu_lib.sh"
HAKMEM_PMU=instructions,page-faults run_json "$tmp/a.json" seccomp-enoent mixed
grep -q '"instructions"' "$tmp/a.json" || { cat "$tmp/a.json.err"; echo "instructions unknown here (--without-pfm?): skipped"; exit 77; }
check_json "$tmp/a.json" <<'PY' || fail "ENOENT reasons"
ev = {e["name"]: e for e in r[-1]["pmu"]["events"]}
assert ev["instructions"]["error"] == "no hardware PMU on this machine: VMs often have none (ENOENT)", ev
assert ev["page-faults"]["error"] == "this kernel has no such event (ENOENT)", ev
PY

# The machine itself: where the hardware cannot count (this VM), hakmem-stat's line says so.
if [ "$("$pmuprog" probe)" = cycles=0 ]; then
  stat="$HKM_TOP_BUILDDIR/perf/hakmem-stat"
  "$stat" -e instructions "$pmuprog" mixed 2> "$tmp/text" >/dev/null || fail "hakmem-stat failed"
  grep -q '^  <not supported> instructions: no hardware PMU on this machine: VMs often have none (ENOENT)$' "$tmp/text" ||
    { cat "$tmp/text"; fail "hakmem-stat's reason for instructions"; }
fi
echo "reasons in words"
