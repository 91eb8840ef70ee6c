# Sourced by the test_stat_*.sh tests (not a test itself): hakmem-stat, the workload program, a
# scratch directory, a clean HAKMEM_* environment, and what the build can show.
stat="$HKM_TOP_BUILDDIR/perf/hakmem-stat"
prog="$HKM_TESTS_BUILDDIR/test_stat_prog"
py=/usr/bin/python3
[ -x "$py" ] || { echo "$py not found: skipped"; exit 77; }
[ -x "$stat" ] || { echo "$stat not built"; exit 1; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done

fail() { echo "FAIL: $*"; exit 1; }

# expect FILE WHAT GREP-OPTION... PATTERN: FILE must hold a line grep matches; else it is shown and
# the test fails with WHAT.
expect() {
  expect_file=$1 expect_what=$2
  shift 2
  grep -q "$@" "$expect_file" || { cat "$expect_file"; fail "$expect_what"; }
}

# check_py FILE... < python: runs the python on stdin with j = the JSON of the first FILE and argv.
check_py() {
  { printf 'import json, sys\nj = json.load(open(sys.argv[1]))\n'; cat; } > "$tmp/check.py"
  "$py" "$tmp/check.py" "$@"
}

# 1 when the library was built with the profiler (without it, only the process totals are real).
timing_compiled() {
  "$stat" -q --json -o "$tmp/compiled.json" "$prog" count 1 0 || fail "hakmem-stat failed on $prog"
  "$py" -c 'import json, sys; print(1 if json.load(open(sys.argv[1]))["profile"]["timing_compiled"] else 0)' \
    "$tmp/compiled.json"
}
need_timing() {
  [ "$(timing_compiled)" = 1 ] || { echo "profiler compiled out (--disable-timing): skipped"; exit 77; }
}
