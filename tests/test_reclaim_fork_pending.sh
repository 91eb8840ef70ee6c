#!/bin/sh
# fork while releases are queued: the child starts its own helper, both sides get their memory back.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
for b in $backends; do HAKMEM_RECLAIM=$b EXPECT_BACKEND=$b "$prog" fork; done
