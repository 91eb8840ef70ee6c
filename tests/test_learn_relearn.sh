#!/bin/sh
# A site whose behaviour changes is re-learned: the dense site of learn_prog starts writing one page
# in 20, and within a few of the learner's lazy probes (one every 2 s) its blocks get small pages
# again, while a block it handed out before keeps its contents through every change of rule and a
# realloc. Skipped (77) where THP is off or the learner did not pick huge pages to begin with.
prog="$HKM_TESTS_BUILDDIR/learn_prog"
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
out=$(HAKMEM_MODE=learning "$prog" relearn)
st=$?
echo "$out"
[ $st -eq 77 ] && exit 77
[ $st -eq 0 ] || { echo "FAIL: exit status $st"; exit 1; }
echo "$out" | grep -qx 'dense=huge' || { echo "the learner did not choose huge pages here: nothing to unlearn"; exit 77; }
echo "$out" | grep -q '^turned sparse: small after' || { echo "FAIL: no change of backing reported"; exit 1; }
