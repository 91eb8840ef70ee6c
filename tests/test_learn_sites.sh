#!/bin/sh
# Learning mode: a site that writes every page of its 8 MiB blocks stops getting small lazy pages
# (huge pages where the kernel gives them), a site that writes one page in 20 keeps them, whichever
# threads allocate, and a forked child goes on with what its parent learned and learns on. What the
# learner chose is read back from the learn file it saves at exit; what the blocks got, from the
# THP advice on their mappings. Skipped (77) where THP is off.
prog="$HKM_TESTS_BUILDDIR/learn_prog"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
fail() { echo "FAIL: $*"; exit 1; }

for threads in 1 3; do
  rm -f "$tmp/learned"
  HAKMEM_MODE=learning HAKMEM_LEARN_FILE="$tmp/learned" "$prog" learn $threads fork > "$tmp/out" 2> "$tmp/err"
  st=$?
  [ $st -eq 77 ] && exit 77
  cat "$tmp/out"
  [ $st -eq 0 ] || { cat "$tmp/err"; fail "$threads thread(s): exit status $st"; }
  [ -s "$tmp/err" ] && { cat "$tmp/err"; fail "$threads thread(s): unexpected stderr"; }
  # site lines: site OBJ OFF TIER BACKING KEEP KEEP_MS FOREIGN DENSITY PAGES SCORES(3) PULLS(3)
  dense=$(awk '$1 == "site" && $9 >= 900 { print $5 }' "$tmp/learned")
  sparse=$(awk '$1 == "site" && $9 >= 0 && $9 <= 100 { print $5 }' "$tmp/learned")
  [ -n "$dense" ] && [ -n "$sparse" ] || { cat "$tmp/learned"; fail "$threads thread(s): the file does not hold a dense and a sparse site"; }
  [ "$sparse" = lazy ] || { cat "$tmp/learned"; fail "$threads thread(s): the sparse site got $sparse, not lazy"; }
  [ "$dense" != lazy ] || { cat "$tmp/learned"; fail "$threads thread(s): the dense site stayed lazy"; }
  want=small
  [ "$dense" = huge ] && want=huge
  for who in "" "child " "child after " "parent after "; do
    grep -qx "${who}dense=$want sparse=small" "$tmp/out" || fail "$threads thread(s): expected '${who}dense=$want sparse=small'"
  done
done
echo "ok: the dense site's blocks $want, the sparse site's small, on 1 and 3 threads and in a forked child"
