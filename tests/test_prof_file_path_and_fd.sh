#!/bin/sh
# HAKMEM_TIMING_FILE sends the exit report to a path (appended, one JSON line per report) or to an
# inherited file descriptor, and nothing to stderr.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
export HAKMEM_TIMING=1 HAKMEM_TIMING_FORMAT=json
HAKMEM_TIMING_FILE="$tmp/p" "$prog" work 2> "$tmp/err1" || fail "program failed (path)"
HAKMEM_TIMING_FILE="$tmp/p" "$prog" work 2> "$tmp/err2" || fail "program failed (path, again)"
HAKMEM_TIMING_FILE=fd:7 "$prog" work 7> "$tmp/fd" 2> "$tmp/err3" || fail "program failed (fd)"
for e in err1 err2 err3; do [ ! -s "$tmp/$e" ] || { cat "$tmp/$e"; fail "stderr not empty ($e)"; }; done
check_json "$tmp/p" <<'PY' || fail "path"
assert len(r) == 2 and r[0]["pid"] != r[1]["pid"], r
assert all(cat(x, "whale_get")["count"] == 3 for x in r)
print("path: two runs, two reports")
PY
check_json "$tmp/fd" <<'PY' || fail "fd"
assert len(r) == 1 and cat(r[0], "tiny_alloc")["count"] >= 3
print("fd:7: one report")
PY
HAKMEM_TIMING_FORMAT=text HAKMEM_TIMING_FILE="$tmp/t" "$prog" work || fail "program failed (text)"
grep -q '^HAKMEM profile (pid ' "$tmp/t" || fail "no text report in the file"
