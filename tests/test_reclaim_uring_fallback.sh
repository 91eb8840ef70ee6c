#!/bin/sh
# io_uring refused (as under a container's seccomp policy): hakmem falls back to the helper thread,
# says so once in verbose mode, and memory is still released.
set -e
. "$HKM_TOP_SRCDIR/tests/reclaim_backends.sh"
case "$backends" in uring*) ;; *) echo "built --without-uring: nothing to fall back from"; exit 77 ;; esac
err=$(mktemp)
trap 'rm -f "$err"' EXIT
HAKMEM_RECLAIM=uring HAKMEM_VERBOSE=1 EXPECT_BACKEND=thread "$prog" rss seccomp 2>"$err" || { cat "$err"; exit 1; }
cat "$err"
grep -q 'io_uring_queue_init failed (EPERM); releasing with the thread backend' "$err"
[ "$(grep -c 'reclaim:' "$err")" -eq 1 ]
# Without verbose mode the fallback is silent.
HAKMEM_RECLAIM=uring EXPECT_BACKEND=thread "$prog" rss seccomp 2>"$err"
! grep -q 'reclaim:' "$err"
