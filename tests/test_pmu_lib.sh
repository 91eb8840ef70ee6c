# Sourced by the test_pmu_*.sh tests: everything test_prof_lib.sh gives (scratch dir, clean HAKMEM_*
# environment, skip without the profiler, check_json), plus the workload program.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
pmuprog="$HKM_TESTS_BUILDDIR/pmu_prog"
# run_json OUT MODE...: run a workload with the JSON report in OUT and its stderr in OUT.err.
run_json() {
  out=$1; shift
  HAKMEM_TIMING_FORMAT=json HAKMEM_TIMING_FILE="$out" "$pmuprog" "$@" 2>"$out.err" || { cat "$out.err"; fail "pmu_prog $* failed"; }
}
