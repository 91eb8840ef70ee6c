#!/bin/sh
# A command killed by a signal gives 128 + the signal, and the report of what its processes did is
# still printed, the killed one's included. SIGTERM sent to hakmem-stat is passed on to the command; SIGINT sent to
# hakmem-stat alone is ignored, as perf stat does (from a terminal it reaches the command too).
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
compiled=$(timing_compiled)

"$stat" sh -c "\"$prog\" count 10 0; kill -TERM \$\$" 2> "$tmp/err"; rc=$?
[ $rc = 143 ] || { cat "$tmp/err"; fail "command killed by SIGTERM gave $rc"; }
grep -q "^ hakmem profile for 'sh -c " "$tmp/err" || fail "no report after SIGTERM"
# the program and the shell, whose counters count although the signal ended it
expect "$tmp/err" "a process is missing" "^ *2  processes on hakmem$"
expect "$tmp/err" "the shell's ending" "^  processes that did not leave through exit(): 1 killed by a signal (SIGTERM)$"
if [ "$compiled" = 1 ]; then
  "$stat" --json -o "$tmp/j" sh -c "\"$prog\" count 10 0; kill -TERM \$\$"
  check_py "$tmp/j" "$prog" <<'PY' || fail "the program's report or the shell's ending"
reps = j["run_reports"][0]
mine = [r for r in reps if r["command"].startswith(sys.argv[2])]
assert len(mine) == 1 and next(c for c in mine[0]["categories"] if c["name"] == "tiny_alloc")["count"] == 10, mine
sh = [r for r in reps if r["command"].startswith("sh -c")]
assert len(sh) == 1 and sh[0]["ending"]["how"] == "signal" and sh[0]["ending"]["signal"] == "SIGTERM", sh
PY
fi

# waits for the pid file the program writes, or gives up after ~20 s
wait_pid_file() {
  i=0
  while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
  [ -s "$1" ] || fail "the command never started"
}

"$stat" sh -c "echo \$\$ > '$tmp/pid1'; exec \"$prog\" wait" 2> "$tmp/err2" &
spid=$!
wait_pid_file "$tmp/pid1"
kill -TERM $spid
wait $spid; rc=$?
[ $rc = 143 ] || { cat "$tmp/err2"; fail "SIGTERM to hakmem-stat gave $rc"; }
grep -q "^ hakmem profile for " "$tmp/err2" && grep -q "seconds wall" "$tmp/err2" || { cat "$tmp/err2"; fail "no report"; }

"$stat" sh -c "echo \$\$ > '$tmp/pid2'; exec \"$prog\" wait" 2> "$tmp/err3" &
spid=$!
wait_pid_file "$tmp/pid2"
kill -INT $spid
sleep 0.3
kill -0 $spid 2>/dev/null || fail "hakmem-stat died of SIGINT sent to it alone"
kill -TERM "$(cat "$tmp/pid2")"
wait $spid; rc=$?
[ $rc = 143 ] || fail "after SIGINT was ignored, SIGTERM to the command gave $rc"
grep -q "^ hakmem profile for " "$tmp/err3" || fail "no report after SIGINT"
echo "signals: 143 with a report; SIGINT ignored; SIGTERM forwarded"
