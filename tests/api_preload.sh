# Sourced by the test_api_preload_*.sh tests (not a test itself): a scratch directory, a clean
# HAKMEM_* environment, and `preloaded`, which runs a command on hakmem and proves hakmem was there.
[ -f "$HKM_LIB" ] || { echo "FAIL: $HKM_LIB not built"; exit 1; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
LC_ALL=C
export LC_ALL

fail() { echo "FAIL: $*"; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "$1 not installed: skipped"; exit 77; }; }

# preloaded CMD...: runs CMD with libhakmem.so preloaded and an unknown HAKMEM_ variable, whose
# warning on stderr (options.c) proves hakmem was loaded and initialised. CMD's stderr is kept in
# $tmp/stderr (without those warnings); a failing CMD fails the test.
preloaded() {
  st=0
  LD_PRELOAD="$HKM_LIB" HAKMEM_NO_SUCH_VAR=1 "$@" 2> "$tmp/stderr.all" || st=$?
  [ $st -eq 0 ] || { cat "$tmp/stderr.all"; fail "$* exited with status $st under hakmem"; }
  grep -q '^hakmem: unknown variable HAKMEM_NO_SUCH_VAR ignored' "$tmp/stderr.all" ||
    { cat "$tmp/stderr.all"; fail "$1 ran without hakmem (no warning about HAKMEM_NO_SUCH_VAR)"; }
  grep -v '^hakmem: unknown variable HAKMEM_NO_SUCH_VAR ignored' "$tmp/stderr.all" > "$tmp/stderr" || true
  if grep '^hakmem:' "$tmp/stderr"; then fail "$1: hakmem reported a problem"; fi
  return 0
}
