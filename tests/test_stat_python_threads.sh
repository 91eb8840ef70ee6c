#!/bin/sh
# Threads are followed: Python with four threads reports them all, and --per-thread splits the
# figures by thread so that they add up to the process's; a C program's threads each show exactly
# their own allocations.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
code='import threading
def work():
    d = {}
    for i in range(20000):
        d[i] = str(i) * 10
ts = [threading.Thread(target=work) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print("done")'
"$stat" --json -o "$tmp/j" "$py" -c "$code" > "$tmp/out" || fail "python failed"
[ "$(cat "$tmp/out")" = done ] || fail "python output: $(cat "$tmp/out")"
check_py "$tmp/j" <<'PY' || fail "python threads"
rep = j["run_reports"][0][0]
assert rep["threads"] >= 5, rep["threads"]
pt = rep["per_thread"]
# main and the four workers allocate (a joined worker may not have exited yet: Python's join returns
# before the thread's own exit handlers run)
# (an entry with tid -1 and 0 threads may hold what threads freed after their exit handler ran)
assert sum(t["threads"] for t in pt) == rep["threads"], pt
assert sum(1 for t in pt if t["tid"] > 0 and "hak_alloc" in t["categories"]) >= 5, pt
assert len({t["tid"] for t in pt}) == len(pt)
for c in rep["categories"]:
    s = sum(t["categories"].get(c["name"], {}).get("count", 0) for t in pt)
    assert s == c["count"], (c["name"], s, c["count"])
print(rep["threads"], "threads; per-thread counts add up")
PY
"$stat" --per-thread --json -o "$tmp/c.json" "$prog" threads 4 64 || fail "threads failed"
check_py "$tmp/c.json" <<'PY' || fail "C threads"
pt = j["run_reports"][0][0]["per_thread"]
workers = [t for t in pt if t["exited"] and t["tid"] > 0]
assert len(workers) == 4, pt
for t in workers:
    assert t["threads"] == 1 and t["tid"] > 0
    assert t["categories"]["page_run_get"]["count"] == 64 and t["categories"]["hak_alloc"]["count"] == 64, t
PY
# Past 64 threads the rest share one entry (tid -1), and every allocation is still counted once.
"$stat" --json -o "$tmp/many.json" "$prog" threads 70 16 || fail "70 threads failed"
check_py "$tmp/many.json" <<'PY' || fail "70 threads"
rep = j["run_reports"][0][0]
pt = rep["per_thread"]
# 70 workers and main, and the release thread when it had work to do
assert rep["threads"] >= 71 and len(pt) == 65, (rep["threads"], len(pt))
assert pt[-1]["tid"] == -1 and pt[-1]["threads"] == rep["threads"] - 64, pt[-1]
assert pt[0]["exited"] is False, "the main thread, live, recorded first and is listed first"
assert all(t["tid"] > 0 and t["threads"] == 1 for t in pt[:64])
assert sum(t["categories"].get("page_run_get", {}).get("count", 0) for t in pt) == 70 * 16
assert next(c for c in rep["categories"] if c["name"] == "page_run_get")["count"] == 70 * 16
PY
"$stat" --per-thread "$prog" threads 70 16 2> "$tmp/text70" || fail "70 threads failed (text)"
expect "$tmp/text70" "the other-threads line" -E '^ +[0-9]+ +other\([78]\) +- '

"$stat" --per-thread "$prog" threads 4 64 2> "$tmp/text" || fail "threads failed (text)"
n=$(grep -cE '^ +[0-9]+ +[0-9]+ exited +64 +64 ' "$tmp/text")
[ "$n" = 4 ] || { cat "$tmp/text"; fail "$n exited-thread lines with 64 allocations and frees, want 4"; }
echo "--per-thread: 4 worker lines"
