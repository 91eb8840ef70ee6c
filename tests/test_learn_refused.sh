#!/bin/sh
# A kernel that refuses MADV_HUGEPAGE or MADV_POPULATE_WRITE (here a seccomp filter making them fail
# with EINVAL, as an old kernel does) costs nothing but the speed-up: blocks are served lazily, their
# contents are intact, calloc still reads zero, and with HAKMEM_VERBOSE=1 one line says so.
prog="$HKM_TESTS_BUILDDIR/learn_prog"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
fail() { echo "FAIL: $*"; exit 1; }
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
for what in huge prefault; do
  advice=MADV_HUGEPAGE
  [ $what = prefault ] && advice=MADV_POPULATE_WRITE
  want=1
  case "$what:$thp" in huge:*"[never]"*|huge:) want=0 ;; esac # no THP: never asked, never refused
  HAKMEM_VERBOSE=1 HAKMEM_LEARN_FORCE=$what "$prog" refuse $what > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; fail "$what refused: exit status $?"; }
  n=$(grep -c "^hakmem: $advice refused (EINVAL): served lazily from now on$" "$tmp/err")
  [ "$n" -eq "$want" ] && [ "$(wc -l < "$tmp/err")" -eq "$want" ] || { cat "$tmp/err"; fail "$what refused: expected $want notice line"; }
  HAKMEM_MODE=learning "$prog" refuse $what > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; fail "learning, $what refused: exit status $?"; }
  [ -s "$tmp/err" ] && { cat "$tmp/err"; fail "learning, $what refused: unexpected stderr"; }
  echo "ok: $what refused"
done
