#!/bin/sh
# --per-thread lists no line of zeros: a thread with nothing recorded is left out (and counted in
# one note), and a thread that made no malloc/free calls but worked (the release helper) says what
# it did in the busiest column. A stand-in library (test_stat_fake_report.c) reports four entries:
# a program thread, a helper, an exited thread with nothing, and the shared entry with nothing.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
fake="$HKM_TESTS_BUILDDIR/.libs/libstatfake.so"
[ -f "$fake" ] || fail "$fake not built"

"$stat" --lib "$fake" --per-thread "$py" -c pass 2> "$tmp/text" || fail "fake run failed"
sed -n '/^  per thread:/,/^$/p' "$tmp/text" > "$tmp/pt"
[ -s "$tmp/pt" ] || { cat "$tmp/text"; fail "no per-thread section"; }
# columns: pid tid state hak_alloc hak_free top_level_cyc share syscall_cyc busiest (cycles)
expect "$tmp/pt" "program thread" -E '^ +[0-9]+ +[0-9]+ live +10 +10 +3,000 +100\.00% +0  hak_alloc \(2,000\)$'
expect "$tmp/pt" "helper thread" -E '^ +[0-9]+ +[0-9]+ live +0 +0 +0 +0\.00% +0  reclaim_complete \(9,000\)$'
[ "$(grep -cE '^ +[0-9]+ ' "$tmp/pt")" = 2 ] || { cat "$tmp/pt"; fail "threads with nothing recorded are listed"; }
expect "$tmp/pt" "note on the threads left out" -x '  (2 threads with nothing recorded not listed)'
echo "--per-thread: no line of zeros"
