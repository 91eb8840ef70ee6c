#!/bin/sh
# HAKMEM_TIMING=1 without hakmem-stat: ls and sort close their standard error before they exit, and
# the report still reaches it (through a copy hakmem keeps from its start, under a high descriptor
# number that the program does not expect to find taken).
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
for p in "ls /" "sort /dev/null"; do
  HAKMEM_TIMING=1 LD_PRELOAD="$HKM_LIB" $p > /dev/null 2> "$tmp/err" || fail "$p failed"
  grep -q "^HAKMEM profile (pid [0-9]*, " "$tmp/err" || { cat "$tmp/err"; fail "no report from $p, which closed stderr"; }
  grep -q "^hak_alloc " "$tmp/err" || { cat "$tmp/err"; fail "no hak_alloc line from $p"; }
done
# the descriptors ls sees, without hakmem and with: one more, high
ls /proc/self/fd > "$tmp/fds0" 2> /dev/null || fail "ls /proc/self/fd failed"
HAKMEM_TIMING=1 LD_PRELOAD="$HKM_LIB" ls /proc/self/fd > "$tmp/fds" 2> /dev/null || fail "ls /proc/self/fd failed (hakmem)"
high=$(sort "$tmp/fds0" | comm -13 - "$(sort "$tmp/fds" > "$tmp/fds.s" && echo "$tmp/fds.s")")
[ "$(echo "$high" | wc -w)" = 1 ] && [ "$high" -ge 10 ] || { cat "$tmp/fds0" "$tmp/fds"; fail "the kept copy of stderr: '$high'"; }
echo "ls, sort: the report after they closed stderr; the copy is fd $high"
