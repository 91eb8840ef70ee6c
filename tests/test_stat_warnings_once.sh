#!/bin/sh
# Under hakmem-stat, each distinct warning of the library is printed once per run, on hakmem-stat's
# standard error, with how many processes gave it; never on the command's own standard error.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
command -v bash > /dev/null 2>&1 || { echo "bash not found: skipped"; exit 77; }

# bash moves its standard error to a file at once; ls, ls and date inherit it
HAKMEM_MODE=bogus "$stat" -o "$tmp/report" bash -c "exec 2> '$tmp/cmd_err'; ls > /dev/null; ls > /dev/null; date > /dev/null" \
  2> "$tmp/err" || fail "run failed"
if grep -q "^hakmem:" "$tmp/cmd_err"; then cat "$tmp/cmd_err"; fail "a warning on the command's stderr"; fi
n=$(grep -c "^hakmem: HAKMEM_MODE=bogus is not one of " "$tmp/err")
[ "$n" = 1 ] || { cat "$tmp/err"; fail "$n HAKMEM_MODE warnings on hakmem-stat's stderr, want 1"; }
expect "$tmp/err" "the count of processes" -E "^hakmem: HAKMEM_MODE=bogus is not one of .*; using balanced \(4 processes\)$"

# (built with --disable-timing the library ignores HAKMEM_PMU as a whole, and says that instead)
[ "$(timing_compiled)" = 1 ] || { echo "HAKMEM_MODE: one line; -e not tested (--disable-timing)"; exit 0; }
"$stat" -e no_such_event_hkm,page-faults -o "$tmp/report2" bash -c "exec 2> '$tmp/cmd_err2'; ls > /dev/null; date > /dev/null" \
  2> "$tmp/err2" || fail "run with -e failed"
if grep -q "^hakmem:" "$tmp/cmd_err2"; then cat "$tmp/cmd_err2"; fail "an event warning on the command's stderr"; fi
n=$(grep -c "^hakmem: HAKMEM_PMU: unknown event 'no_such_event_hkm' ignored" "$tmp/err2")
[ "$n" = 1 ] || { cat "$tmp/err2"; fail "$n unknown-event warnings, want 1"; }
expect "$tmp/err2" "the count of processes" -E "\(3 processes\)$"
echo "one line per warning, with its count of processes"
