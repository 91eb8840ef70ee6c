#!/bin/sh
# calloc zero-fills reused memory in every mode and with every way memory goes back: the caches of
# fast mode, none in minimal mode (all through the region cache), synchronous release, and
# MADV_FREE, whose pages keep their old contents until the kernel takes them.
prog="$HKM_TESTS_BUILDDIR/test_api_calloc_reused"
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
rc=0
for env in "HAKMEM_MODE=balanced" "HAKMEM_MODE=fast" "HAKMEM_MODE=minimal" "HAKMEM_RECLAIM_ADVICE=free" \
           "HAKMEM_MODE=minimal HAKMEM_RECLAIM=sync" "HAKMEM_RECLAIM=sync HAKMEM_REGION_CAP_MB=0" \
           "HAKMEM_MODE=minimal HAKMEM_RECLAIM_ADVICE=free" \
           "HAKMEM_MODE=minimal HAKMEM_RECLAIM=sync HAKMEM_RECLAIM_ADVICE=free"; do
  echo "== $env"
  env $env "$prog" || { echo "FAIL under $env"; rc=1; }
done
exit $rc
