#!/bin/sh
# sort on hakmem, on a generated 12 MB file, single-threaded and with two threads and a small buffer
# (so it merges temporary files): the output must be sorted, hold every line, and equal glibc's.
. "$HKM_TOP_SRCDIR/tests/api_preload.sh"
need sort
need awk
awk 'BEGIN { srand(42); for (i = 0; i < 400000; i++) printf "%08d %s line-%d\n", int(rand() * 1e8), substr("abcdefghijklmnopqrstuvwxyz", 1 + i % 26), i }' > "$tmp/in"
lines=$(wc -l < "$tmp/in")
[ "$lines" -eq 400000 ] || fail "generated $lines lines"
sort "$tmp/in" > "$tmp/ref"
for opts in "" "--parallel=2 -S 1M -T $tmp" "-r -k2,2 -k1,1n"; do
  preloaded sort $opts "$tmp/in" > "$tmp/out"
  [ "$(wc -l < "$tmp/out")" -eq 400000 ] || fail "sort $opts lost lines"
  if [ -z "$opts" ] || [ "${opts#--parallel}" != "$opts" ]; then
    sort -c "$tmp/out" || fail "sort $opts: output not sorted"
    cmp "$tmp/out" "$tmp/ref" || fail "sort $opts: output differs from the run without hakmem"
  else
    sort $opts -c "$tmp/out" || fail "sort $opts: output not sorted"
    sort $opts "$tmp/in" | cmp - "$tmp/out" || fail "sort $opts: output differs from the run without hakmem"
  fi
  echo "sort $opts: 400000 lines sorted, same as glibc"
done
