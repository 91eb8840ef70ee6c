#!/bin/sh
# fork while other threads allocate, free and release, under every release backend this build has
# (tests/reclaim_backends.sh): see stress_fork_prog.c. HKM_STRESS_SCALE=N: N times the forks.
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
prog="$HKM_TESTS_BUILDDIR/stress_fork_prog"
rc=0
for b in $backends; do
  echo "== HAKMEM_RECLAIM=$b"
  HAKMEM_RECLAIM=$b "$prog" || { echo "FAIL under HAKMEM_RECLAIM=$b"; rc=1; }
done
exit $rc
