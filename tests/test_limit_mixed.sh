#!/bin/sh
# A random mix of malloc, realloc and free over every tier, kept near an address-space limit of what
# is mapped plus 256 MiB: hakmem may fail at most twice as many requests as glibc in the same run.
# LIMIT_MIXED_OPS sets the operations per seed (default 20000).
. "$HKM_TOP_SRCDIR/tests/limit_lib.sh"
LIMIT_PROG_MIB=256
export LIMIT_PROG_MIB
ops=${LIMIT_MIXED_OPS:-20000}
rc=0
for seed in 1 2; do
  both "mixed$seed" mixed "$seed" "$ops"
  g=$(sed -n 's/^mixed: \([0-9]*\) NULLs.*/\1/p' "$tmp/mixed$seed.glibc")
  h=$(sed -n 's/^mixed: \([0-9]*\) NULLs.*/\1/p' "$tmp/mixed$seed.hakmem")
  [ -n "$g" ] && [ -n "$h" ] || fail "cannot read the NULL counts"
  [ "$h" -le $((2 * g)) ] || { echo "FAIL: seed $seed: hakmem $h NULLs, glibc $g"; rc=1; }
done
exit $rc
