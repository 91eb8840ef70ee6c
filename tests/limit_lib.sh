# Sourced by the test_limit_*.sh tests (not a test itself): the driver program, which runs on any
# malloc, a clean HAKMEM_* environment, and `both`, which runs it on glibc and on hakmem.
prog="$HKM_TESTS_BUILDDIR/limit_prog"
[ -f "$HKM_LIB" ] || { echo "FAIL: $HKM_LIB not built"; exit 1; }
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# both NAME ARGS...: limit_prog ARGS on glibc into $tmp/NAME.glibc, on hakmem into $tmp/NAME.hakmem.
both() {
  name=$1
  shift
  "$prog" "$@" > "$tmp/$name.glibc" || fail "limit_prog $* failed on glibc"
  LD_PRELOAD="$HKM_LIB" "$prog" "$@" > "$tmp/$name.hakmem" || fail "limit_prog $* failed on hakmem"
  paste -d '|' "$tmp/$name.glibc" "$tmp/$name.hakmem" | sed 's/|/  ||  hakmem: /; s/^/glibc: /'
}
