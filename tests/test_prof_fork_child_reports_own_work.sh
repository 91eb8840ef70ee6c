#!/bin/sh
# A forked child starts with empty counters: its report holds its own work and none of the parent's,
# and the parent's report none of the child's.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
HAKMEM_TIMING=1 HAKMEM_TIMING_FORMAT=json HAKMEM_TIMING_FILE="$tmp/exit" "$prog" fork 50 > "$tmp/r" ||
  fail "program failed"
check_json "$tmp/r" <<'PY' || fail "explicit reports"
assert len(r) == 2, len(r)
child, parent = r
assert child["pid"] != parent["pid"]
assert cat(child, "pool_get")["count"] == 50 and cat(child, "pool_put")["count"] == 50, cat(child, "pool_get")
assert cat(child, "tiny_alloc")["count"] == 0 and cat(child, "hak_alloc")["count"] == 50, cat(child, "tiny_alloc")
assert child["threads"] == 1, child["threads"]
assert cat(parent, "tiny_alloc")["count"] >= 50 and cat(parent, "pool_get")["count"] == 0
print("child", child["pid"], "and parent", parent["pid"], "each report their own work")
PY
check_json "$tmp/exit" <<'PY' || fail "exit reports"
assert len(r) == 2, len(r)
assert r[0]["pid"] != r[1]["pid"]
# After the explicit reports, each process's stdout buffer (4 KiB, L2 pool) was allocated too.
pool = sorted(cat(x, "pool_get")["count"] for x in r)
assert pool[0] <= 1 and 50 <= pool[1] <= 51, pool
print("both exit reports appended to the same file")
PY
