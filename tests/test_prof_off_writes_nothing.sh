#!/bin/sh
# Without HAKMEM_TIMING=1 there is no report at all: no file created, nothing on stderr.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
export HAKMEM_TIMING_FORMAT=json
HAKMEM_TIMING_FILE="$tmp/a" "$prog" work 2> "$tmp/err1" || fail "program failed (unset)"
HAKMEM_TIMING=0 HAKMEM_TIMING_FILE="$tmp/b" "$prog" work 2> "$tmp/err2" || fail "program failed (0)"
"$prog" work 2> "$tmp/err3" || fail "program failed (no file)"
[ ! -e "$tmp/a" ] && [ ! -e "$tmp/b" ] || fail "a report file was created"
for e in err1 err2 err3; do [ ! -s "$tmp/$e" ] || { cat "$tmp/$e"; fail "stderr not empty ($e)"; }; done
echo "no report without HAKMEM_TIMING=1"
