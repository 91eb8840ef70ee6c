#!/bin/sh
# A timed malloc/free call that was interrupted (its cycles, less the exact work nested in it, over
# HKM_PROF_INTERRUPTED) is set aside: counted, shown as interrupted, estimated from the other calls,
# and its cycles in no total. Here a timer signal's handler spins 3 ms of every 4 while the program
# makes Tiny pairs with every call timed: a third of the spins land inside timed calls, which before
# put 120-220 cycles on each 12-cycle call.
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null "$prog" interrupted 300 > "$tmp/r" 2> "$tmp/err" || fail "program failed"
grep -q "^spins [1-9]" "$tmp/err" || { cat "$tmp/err"; fail "the timer signal never came"; }
check_json "$tmp/r" <<'PY' || fail "interrupted calls"
rep = r[0]
assert rep["sample_every"] == 1
got = 0
for name in ("hak_alloc", "hak_free", "tiny_alloc", "tiny_free"):
    c = cat(rep, name)
    assert c["timed"] + c["interrupted"] == c["count"], c  # every call timed or set aside
    assert c["interrupted_cycles"] >= 8192 * c["interrupted"], c
    assert c["avg_cycles"] < 60, c  # the spins are in no total
    got += c["interrupted"] if name.startswith("hak_") else 0
assert got > 0, "no timed call was interrupted"
print("interrupted:", {n: cat(rep, n)["interrupted"] for n in ("hak_alloc", "hak_free")})
PY
