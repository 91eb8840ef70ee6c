#!/bin/sh
# The page map is one table indexed by granule number when the address space is not limited at
# start, and two levels when RLIMIT_AS is set (src/pagemap.h): malloc_stats says which, and the
# tests of invalid and double frees, threads, remote frees, fork and realloc pass on the two levels
# too (the default run of the suite covers the table). A program that lowers its limit after start
# below the table's 32 GiB gets the table back on its first refused mapping (two levels from then).
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
b="$HKM_TESTS_BUILDDIR"

limit=$(ulimit -v)
if [ "$limit" = unlimited ]; then want="one table"; else want="two levels"; fi
"$b/pagemap_prog" 2> "$tmp/err" || fail "pagemap_prog failed"
grep -q "^  page map .*; $want)\$" "$tmp/err" || { cat "$tmp/err"; fail "address space limit $limit: page map not '$want'"; }
echo "ok: address space limit $limit: $want"
if [ "$want" = "one table" ]; then
  "$b/pagemap_prog" lower 2> "$tmp/err" || { cat "$tmp/err"; fail "pagemap_prog lower failed"; }
  grep -q "^  page map .*; two levels)\$" "$tmp/err" || { cat "$tmp/err"; fail "limit lowered: page map not 'two levels'"; }
  echo "ok: limit lowered after start: the table given back, 128 MiB mapped"
fi

# 64 GiB: a limit, so no table, and room for every test below.
if [ "$limit" = unlimited ] || [ "$limit" -gt 67108864 ]; then limit=67108864; fi
(
  ulimit -v "$limit" || exit 2
  "$b/pagemap_prog" 2> "$tmp/err2" || exit 3
  for t in test_api_invalid_free test_api_threads test_api_thread_exit test_api_fork_threads test_api_realloc_tiers \
           test_stress_threads test_slab_remote_collected; do
    "$b/$t" > "$tmp/$t.out" 2>&1 || { echo "$t failed under ulimit -v $limit:"; tail -20 "$tmp/$t.out"; exit 4; }
    echo "ok: $t under ulimit -v $limit"
  done
) || fail "under ulimit -v $limit (status $?)"
grep -q "^  page map .*; two levels)\$" "$tmp/err2" || { cat "$tmp/err2"; fail "ulimit -v $limit: page map not 'two levels'"; }
echo "ok: ulimit -v $limit: two levels"
