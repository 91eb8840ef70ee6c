#!/bin/sh
# A profiled process keeps resident only the blocks of the collection file its threads used: the
# report's scan of a chunk's 64 blocks (476 KiB, a shared file mapping whose first read of a page maps
# the 16 around it) made every page of the chunk resident, which hakmem-stat then reported as the
# program's own peak RSS (wl_falseshare 2.2 MiB against 1.6 unprofiled). One thread, two blocks (its
# own and the others'): at most two fault-around windows, 32 pages.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
"$stat" -q -o "$tmp/out" "$prog" collectpages 1000 > "$tmp/stdout" || fail "hakmem-stat failed"
cat "$tmp/stdout"
n=$(sed -n 's/^collection: \([0-9]*\) of [0-9]* pages resident$/\1/p' "$tmp/stdout")
[ -n "$n" ] || fail "the program found no collection mapping"
[ "$n" -le 32 ] || fail "$n pages of the collection file resident in a one-thread process (at most 32)"
