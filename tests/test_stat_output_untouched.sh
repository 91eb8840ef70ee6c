#!/bin/sh
# The command's stdout and stderr are byte for byte what they are without hakmem-stat: the report
# goes to -o FILE, or to stderr after everything the command wrote; nothing of the library's reaches
# the command's stderr, even when its report file cannot be written (HAKMEM_TIMING_QUIET).
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"

"$prog" output > "$tmp/o1" 2> "$tmp/e1" || fail "program failed alone"
"$stat" -o "$tmp/report" "$prog" output > "$tmp/o2" 2> "$tmp/e2" || fail "program failed under hakmem-stat"
cmp "$tmp/o1" "$tmp/o2" || fail "stdout differs"
cmp "$tmp/e1" "$tmp/e2" || fail "stderr differs"
grep -q "^ hakmem profile for '$prog output':" "$tmp/report" || fail "no report in the -o file"

"$stat" "$prog" output > "$tmp/o3" 2> "$tmp/e3" || fail "program failed (report on stderr)"
cmp "$tmp/o1" "$tmp/o3" || fail "stdout differs (report on stderr)"
size=$(wc -c < "$tmp/e1")
head -c "$size" "$tmp/e3" | cmp - "$tmp/e1" || fail "the command's stderr is not intact before the report"
tail -c +$((size + 1)) "$tmp/e3" | grep -q "^ hakmem profile for " || fail "no report after the command's stderr"

code='import sys
sys.stdout.write("out\n" * 1000); sys.stdout.flush()
sys.stderr.write("err\n" * 100)
print("tail", end="")'
"$py" -c "$code" > "$tmp/p1" 2> "$tmp/q1"
"$stat" -q "$py" -c "$code" > "$tmp/p2" 2> "$tmp/q2" || fail "python failed"
cmp "$tmp/p1" "$tmp/p2" && cmp "$tmp/q1" "$tmp/q2" || fail "python's output differs"

# The library alone, as hakmem-stat runs it, with a report destination that cannot be used, or none.
for dest in "$tmp/missing/dir/p.jsonl" fd:x ""; do
  LD_PRELOAD="$HKM_LIB" HAKMEM_TIMING=1 HAKMEM_TIMING_FORMAT=json HAKMEM_TIMING_QUIET=1 \
    HAKMEM_TIMING_FILE="$dest" "$prog" output > "$tmp/o4" 2> "$tmp/e4" || fail "quiet run failed ($dest)"
  cmp "$tmp/e1" "$tmp/e4" || fail "HAKMEM_TIMING_QUIET=1 still wrote to stderr (HAKMEM_TIMING_FILE=$dest)"
done
echo "stdout and stderr untouched"
