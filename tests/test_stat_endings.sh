#!/bin/sh
# A process counts however it ends, and the report says how it ended: _exit, SIGSEGV, SIGKILL, a
# closed standard error, an execve into a program not on hakmem, forked children leaving with
# _exit; dash (whose processes all leave with _exit) and real programs that close their standard
# error (ls, sort) are counted too.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing

# run NAME ARGS...: hakmem-stat --json of the program, the JSON in $tmp/NAME.json
run() {
  name=$1
  shift
  "$stat" --json -o "$tmp/$name.json" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
  echo $? > "$tmp/$name.rc"
}
# ending NAME HOW CODE SIGNAL: the program's one report counts 50 Tiny allocations and ended so
ending() {
  check_py "$tmp/$1.json" "$prog" "$2" "$3" "$4" <<'PY' || fail "$1: $(cat "$tmp/$1.err")"
prog, how, code, sig = sys.argv[2:6]
mine = [r for r in j["run_reports"][0] if r["command"].startswith(prog)]
assert len(mine) == 1, [r["command"] for r in j["run_reports"][0]]
r = mine[0]
tiny = next(c for c in r["categories"] if c["name"] == "tiny_alloc")
assert tiny["count"] == 50 and tiny["timed"] > 0, tiny
e = r["ending"]
assert e["how"] == how, e
assert e["exit_code"] == (None if code == "-" else int(code)), e
assert e["signal"] == (None if sig == "-" else sig), e
print(how, "counted:", tiny["count"], "tiny allocations")
PY
}

run _exit "$prog" end _exit 50
[ "$(cat "$tmp/_exit.rc")" = 3 ] || fail "_exit gave $(cat "$tmp/_exit.rc")"
ending _exit _exit 3 -
run segv "$prog" end segv 50
[ "$(cat "$tmp/segv.rc")" = 139 ] || fail "SIGSEGV gave $(cat "$tmp/segv.rc")"
ending segv signal - SIGSEGV
run kill "$prog" end kill 50
[ "$(cat "$tmp/kill.rc")" = 137 ] || fail "SIGKILL gave $(cat "$tmp/kill.rc")"
ending kill signal - SIGKILL
run closeerr "$prog" end closeerr 50
ending closeerr exit 0 -
run exec "$prog" end exec 50
ending exec no_handler 0 -

# killed, and its parent (a shell on hakmem) reaps it: the shell's waitpid says how
run segv_sh sh -c "\"$prog\" end segv 50; exit 0"
ending segv_sh signal - SIGSEGV

# forked children that leave with _exit: 3 children and the parent, 50 Tiny pairs each
run forkexit "$prog" forkexit 3 50
check_py "$tmp/forkexit.json" <<'PY' || fail "forked children leaving with _exit"
reps = j["run_reports"][0]
assert len(reps) == 4, [(r["pid"], r["ending"]) for r in reps]
kids = [r for r in reps if r["ending"]["how"] == "_exit"]
assert len(kids) == 3 and all(r["ending"]["exit_code"] == 0 for r in kids), [r["ending"] for r in reps]
cats = {c["name"]: c for c in j["profile"]["categories"]}
assert cats["tiny_alloc"]["count"] >= 200, cats["tiny_alloc"]
print("forkexit:", len(kids), "children with _exit counted")
PY

# dash: every one of its processes leaves with _exit (so did nothing reach hakmem-stat before)
run dash sh -c 'x=$(echo hi); echo $x'
[ "$(cat "$tmp/dash.out")" = hi ] || fail "dash output: $(cat "$tmp/dash.out")"
check_py "$tmp/dash.json" <<'PY' || fail "dash"
reps = j["run_reports"][0]
assert len(reps) >= 1 and j["totals"]["processes"] == len(reps), reps
assert all(sum(c["count"] for c in r["categories"]) > 0 for r in reps), reps
print("sh -c: %d processes, endings %s" % (len(reps), sorted(r["ending"]["how"] for r in reps)))
PY

# real programs that close their standard error before they exit
for p in "ls /" "sort /dev/null"; do
  run real $p
  check_py "$tmp/real.json" <<'PY' || fail "$p"
reps = j["run_reports"][0]
assert len(reps) == 1 and next(c for c in reps[0]["categories"] if c["name"] == "hak_alloc")["count"] > 0, reps
PY
done
echo "every ending counted and told"
