#!/bin/sh
# A forked child's new thread can get a dead thread's stack, and so its thread pointer, which the
# slabs of the dead thread's heap still carry as their owner's tag (slab.h, hkm_slab_mine): it must
# not act as their owner (that heap's lists may have been mid-change when the parent forked), so
# every free it makes of the dead thread's blocks goes back as a remote free. Observed through the
# counting build, whose fast paths use the real tags while profiling (libhakmem.so's profiling sends
# every free out of the fast path anyway).
. "$HKM_TOP_SRCDIR/tests/test_prof_lib.sh"
unset HAKMEM_TIMING_SAMPLE
[ -f "$HKM_STAT_LIB" ] && [ "$HKM_STAT_LIB" != "$HKM_LIB" ] || { echo "no counting build: skipped"; exit 77; }
LD_PRELOAD="$HKM_STAT_LIB" HAKMEM_TIMING=1 HAKMEM_TIMING_FILE=/dev/null "$prog" forkreuse 2000 > "$tmp/r" 2> "$tmp/err" ||
  { cat "$tmp/err"; fail "program failed"; }
cat "$tmp/err"
check_json "$tmp/r" <<'PY' || fail "the child's new thread freed the dead thread's blocks as their owner"
rep = r[0]
assert cat(rep, "tiny_free")["count"] == 2000, cat(rep, "tiny_free")
assert cat(rep, "remote_free")["count"] == 2000, cat(rep, "remote_free")
print("2000 frees of a dead thread's blocks in a forked child: all remote")
PY
