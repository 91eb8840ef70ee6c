#!/bin/sh
# calloc() of blocks over 1 MiB reads zero under every site policy (HAKMEM_LEARN_FORCE) and in
# learning mode: fresh blocks, populated ones (MADV_POPULATE_WRITE must not lose the "reads as zero"
# knowledge, nor keep it for a block that was written), huge-page ones, and blocks kept for their site.
prog="$HKM_TESTS_BUILDDIR/learn_prog"
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
for force in lazy huge prefault lazy,own huge,own prefault,own; do
  err=$(HAKMEM_LEARN_FORCE=$force "$prog" calloc 2>&1) || { echo "$err"; echo "FAIL: $force"; exit 1; }
  [ -z "$err" ] || { echo "$err"; echo "FAIL: $force: unexpected output"; exit 1; }
  echo "ok: $force"
done
err=$(HAKMEM_MODE=learning "$prog" calloc 2>&1) || { echo "$err"; echo "FAIL: learning"; exit 1; }
echo "ok: learning"
