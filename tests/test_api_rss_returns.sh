#!/bin/sh
# RSS falls back after 256 MiB working sets are freed, in each mode and with synchronous release,
# to what the documentation lets that configuration keep (README, hakmem(3)): balanced 8 MiB region
# cache + 8 MiB BigCache + 32 MiB of empty L2.5 slabs (one thread here); minimal nothing; fast 64 + 64 + 64
# MiB; with the sync backend the whale ring also keeps up to 16 MiB, having no helper thread to time
# it out.
prog="$HKM_TESTS_BUILDDIR/test_api_rss_returns"
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
rc=0
check() {
  echo "== $1 (caches may keep $2 MiB)"
  env $1 "$prog" "$2" || { echo "FAIL under $1"; rc=1; }
}
check HAKMEM_MODE=balanced 48
check HAKMEM_MODE=minimal 0
check HAKMEM_MODE=fast 192
check "HAKMEM_MODE=balanced HAKMEM_RECLAIM=sync" 64
exit $rc
