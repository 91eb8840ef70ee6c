#!/bin/sh
# A shell script that runs several programs (one through a pipe, one from Python's subprocess) is
# followed: each process reports once, with its pid, parent and command, and --per-process lists
# every one of them.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
cat > "$tmp/script.sh" <<SH
"$prog" count 100 0
"$prog" count 200 10 | cat
$py -c 'import subprocess, sys; sys.exit(subprocess.run(["$prog", "count", "300", "0"]).returncode)'
SH
"$stat" --json -o "$tmp/j" sh "$tmp/script.sh" || fail "script failed"
check_py "$tmp/j" "$prog" <<'PY' || fail "aggregation"
prog = sys.argv[2]
reps = j["run_reports"][0]
mine = sorted((r for r in reps if r["command"].startswith(prog + " count")), key=lambda r: r["command"])
assert [r["command"][len(prog):] for r in mine] == [" count 100 0", " count 200 10", " count 300 0"], [r["command"] for r in reps]
tiny = [next(c["count"] for c in r["categories"] if c["name"] == "tiny_alloc") for r in mine]
assert tiny == [100, 200, 300], tiny
pyrep = [r for r in reps if "subprocess" in r["command"]]
assert len(pyrep) == 1, [r["command"] for r in reps]
assert mine[2]["ppid"] == pyrep[0]["pid"], "the subprocess is the Python process's child"
cats = {c["name"]: c for c in j["profile"]["categories"]}
assert cats["tiny_alloc"]["count"] == sum(c["count"] for r in reps for c in r["categories"] if c["name"] == "tiny_alloc")
assert cats["tiny_alloc"]["count"] >= 600
assert j["totals"]["processes"] == len(reps) >= 4
print(len(reps), "processes followed")
PY
"$stat" --per-process sh "$tmp/script.sh" 2> "$tmp/text" || fail "script failed (text)"
expect "$tmp/text" "header" "^ hakmem profile for 'sh $tmp/script.sh':"
n=$(grep -c "^  pid [0-9]* (parent [0-9]*, [0-9]* threads\{0,1\}): '" "$tmp/text")
procs=$(sed -n 's/^ *\([0-9]*\)  processes on hakmem$/\1/p' "$tmp/text")
[ "$n" -ge 4 ] && [ "$n" = "$procs" ] || { cat "$tmp/text"; fail "$n per-process tables, $procs processes"; }
expect "$tmp/text" "process line" "^  pid [0-9]* (parent [0-9]*, 1 thread): '$prog count 300 0'$"
echo "--per-process: $n tables"
