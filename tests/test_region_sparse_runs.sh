#!/bin/sh
# Freed runs of which the program touched few pages are not kept resident beyond the region cache's
# 8 MiB floor (src/run_density.h): 48 runs of 500 KiB touched at both ends leave at most 8 MiB of hot
# spans and malloc_stats says the runs are sparse; the same runs written whole stay hot (24 MiB,
# within the default mode's 32 MiB budget) and are called dense. The decay is put off (10 s) so that
# only the density decides. The library before kept 24 MiB either way and printed no density.
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
b="$HKM_TESTS_BUILDDIR"
hot() { sed -n 's/^  region cache *\([0-9]*\) bytes resident.*/\1/p' "$1"; }

for mode in sparse dense; do
  HAKMEM_RECLAIM_DELAY_MS=10000 "$b/runs_density_prog" $mode > "$tmp/$mode.out" 2> "$tmp/$mode.err" ||
    { cat "$tmp/$mode.err"; fail "runs_density_prog $mode failed"; }
  cat "$tmp/$mode.out"
  grep "run density" "$tmp/$mode.err"
  h=$(hot "$tmp/$mode.err")
  [ -n "$h" ] || { cat "$tmp/$mode.err"; fail "$mode: no region cache line in malloc_stats"; }
  echo "$mode: $h bytes hot in the region cache"
  case $mode in
  sparse)
    grep -q "^  run density .*(sparse" "$tmp/$mode.err" || { cat "$tmp/$mode.err"; fail "runs touched at both ends not called sparse"; }
    [ "$h" -le 8388608 ] || fail "sparse runs: $h bytes kept hot, more than the 8 MiB floor" ;;
  dense)
    grep -q "^  run density .*(dense)" "$tmp/$mode.err" || { cat "$tmp/$mode.err"; fail "runs written whole not called dense"; }
    [ "$h" -ge 16777216 ] || fail "dense runs: only $h bytes kept hot of 24 MiB freed" ;;
  esac
done
echo "ok: sparse runs dropped beyond 8 MiB, dense runs kept"
