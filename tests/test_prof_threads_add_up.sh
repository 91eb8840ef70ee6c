#!/bin/sh
# Counts from several threads add up exactly: threads that exited before the report (merged by their
# key destructor), one still running at the report, and the main thread; the exit report agrees.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
HAKMEM_TIMING=1 HAKMEM_TIMING_FORMAT=json HAKMEM_TIMING_FILE="$tmp/exit" "$prog" threads 6 300 > "$tmp/r" ||
  fail "program failed"
check_json "$tmp/r" <<'PY' || fail "live report"
rep = r[0]
n = 8 * 300
assert cat(rep, "page_run_get")["count"] == n and cat(rep, "page_run_put")["count"] == n, (cat(rep, "page_run_get"), n)
assert rep["threads"] >= 8, rep["threads"]
nested_ok(rep)
print("live report:", n, "page-run pairs from", rep["threads"], "threads")
PY
check_json "$tmp/exit" <<'PY' || fail "exit report"
assert len(r) == 1, len(r)
rep = r[0]
assert cat(rep, "page_run_get")["count"] == 2400 and cat(rep, "page_run_put")["count"] == 2400
nested_ok(rep)
print("exit report: 2400 page-run pairs")
PY
