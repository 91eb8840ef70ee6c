# Slabs and thread caches (issue 15): the free path's block test, the caches' bound, orphaned slabs,
# realloc's growth of large slab blocks, the footprint of large-block churn, free blocks lent to
# smaller classes, L2.5 runs above the slabs, remote frees collected for an owner that stopped
# allocating, the pool classes' rounding of a power of two plus a header, fresh blocks cut a page at a
# time, page runs for 18-64 KiB (in chunks shorter than 1 MiB where only such resident spans are kept),
# runs and BigCache blocks grown in place by realloc and Whale blocks grown by moving their pages,
# large blocks shrunk in place down to a quarter,
# the locks of the region cache and the page-run arenas under contention,
# the pages an exiting thread's slabs keep.
SLAB_C_TESTS = tests/test_slab_block_test tests/test_slab_cache_bounded tests/test_slab_orphans_reused \
	tests/test_slab_realloc_doubles tests/test_slab_large_churn_rss tests/test_slab_borrow tests/test_run_merge \
	tests/test_slab_remote_collected tests/test_slab_class_header tests/test_slab_carve_page tests/test_pages_best_fit tests/test_pages_tcache \
	tests/test_lock_contended tests/test_slab_abandon_tail tests/test_pages_short_chunk \
	tests/test_region_grow_in_place tests/test_whale_grow_moves tests/test_region_big_grows tests/test_realloc_shrink_kept
check_PROGRAMS += $(SLAB_C_TESTS)
TESTS += $(SLAB_C_TESTS)
# A unit test of slab.h's inline block test and sizeclass.c's table, without the library.
tests_test_slab_block_test_SOURCES = tests/test_slab_block_test.c src/sizeclass.c
tests_test_slab_block_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
tests_test_slab_block_test_CFLAGS = $(AM_CFLAGS)
tests_test_slab_cache_bounded_SOURCES = tests/test_slab_cache_bounded.c tests/api_check.h
tests_test_slab_cache_bounded_CFLAGS = $(API_CFLAGS)
tests_test_slab_cache_bounded_LDADD = src/libhakmem.la
tests_test_slab_cache_bounded_LDFLAGS = -no-install
tests_test_slab_orphans_reused_SOURCES = tests/test_slab_orphans_reused.c tests/api_check.h
tests_test_slab_orphans_reused_CFLAGS = $(API_CFLAGS)
tests_test_slab_orphans_reused_LDADD = src/libhakmem.la
tests_test_slab_orphans_reused_LDFLAGS = -no-install
tests_test_slab_realloc_doubles_SOURCES = tests/test_slab_realloc_doubles.c tests/api_check.h
tests_test_slab_realloc_doubles_CFLAGS = $(API_CFLAGS)
tests_test_slab_realloc_doubles_LDADD = src/libhakmem.la
tests_test_slab_realloc_doubles_LDFLAGS = -no-install
tests_test_slab_large_churn_rss_SOURCES = tests/test_slab_large_churn_rss.c tests/api_check.h
tests_test_slab_large_churn_rss_CFLAGS = $(API_CFLAGS)
tests_test_slab_large_churn_rss_LDADD = src/libhakmem.la
tests_test_slab_large_churn_rss_LDFLAGS = -no-install
tests_test_slab_borrow_SOURCES = tests/test_slab_borrow.c tests/api_check.h
tests_test_slab_borrow_CFLAGS = $(API_CFLAGS)
tests_test_slab_borrow_LDADD = src/libhakmem.la
tests_test_slab_borrow_LDFLAGS = -no-install
tests_test_run_merge_SOURCES = tests/test_run_merge.c tests/api_check.h
tests_test_run_merge_CFLAGS = $(API_CFLAGS)
tests_test_run_merge_LDADD = src/libhakmem.la
tests_test_run_merge_LDFLAGS = -no-install
tests_test_slab_remote_collected_SOURCES = tests/test_slab_remote_collected.c tests/api_check.h
tests_test_slab_remote_collected_CFLAGS = $(API_CFLAGS)
tests_test_slab_remote_collected_LDADD = src/libhakmem.la
tests_test_slab_remote_collected_LDFLAGS = -no-install
tests_test_slab_class_header_SOURCES = tests/test_slab_class_header.c tests/api_check.h
tests_test_slab_class_header_CFLAGS = $(API_CFLAGS)
tests_test_slab_class_header_LDADD = src/libhakmem.la
tests_test_slab_class_header_LDFLAGS = -no-install
tests_test_slab_carve_page_SOURCES = tests/test_slab_carve_page.c tests/api_check.h
tests_test_slab_carve_page_CFLAGS = $(API_CFLAGS)
tests_test_slab_carve_page_LDADD = src/libhakmem.la
tests_test_slab_carve_page_LDFLAGS = -no-install
tests_test_pages_best_fit_SOURCES = tests/test_pages_best_fit.c tests/api_check.h
tests_test_pages_best_fit_CFLAGS = $(API_CFLAGS)
tests_test_pages_best_fit_LDADD = src/libhakmem.la
tests_test_pages_best_fit_LDFLAGS = -no-install
tests_test_pages_tcache_SOURCES = tests/test_pages_tcache.c tests/api_check.h
tests_test_pages_tcache_CFLAGS = $(API_CFLAGS)
tests_test_pages_tcache_LDADD = src/libhakmem.la
tests_test_pages_tcache_LDFLAGS = -no-install -pthread
tests_test_lock_contended_SOURCES = tests/test_lock_contended.c tests/api_check.h
tests_test_lock_contended_CFLAGS = $(API_CFLAGS)
tests_test_lock_contended_LDADD = src/libhakmem.la
tests_test_lock_contended_LDFLAGS = -no-install -pthread
tests_test_slab_abandon_tail_SOURCES = tests/test_slab_abandon_tail.c tests/api_check.h
tests_test_slab_abandon_tail_CFLAGS = $(API_CFLAGS)
tests_test_slab_abandon_tail_LDADD = src/libhakmem.la
tests_test_slab_abandon_tail_LDFLAGS = -no-install -pthread
tests_test_pages_short_chunk_SOURCES = tests/test_pages_short_chunk.c tests/api_check.h
tests_test_pages_short_chunk_CFLAGS = $(API_CFLAGS)
tests_test_pages_short_chunk_LDADD = src/libhakmem.la
tests_test_pages_short_chunk_LDFLAGS = -no-install
tests_test_region_grow_in_place_SOURCES = tests/test_region_grow_in_place.c tests/api_check.h tests/grow_check.h
tests_test_region_grow_in_place_CFLAGS = $(API_CFLAGS)
tests_test_region_grow_in_place_LDADD = src/libhakmem.la
tests_test_region_grow_in_place_LDFLAGS = -no-install
tests_test_whale_grow_moves_SOURCES = tests/test_whale_grow_moves.c tests/api_check.h tests/grow_check.h tests/seccomp_deny.h
tests_test_whale_grow_moves_CFLAGS = $(API_CFLAGS)
tests_test_whale_grow_moves_LDADD = src/libhakmem.la
tests_test_whale_grow_moves_LDFLAGS = -no-install
tests_test_region_big_grows_SOURCES = tests/test_region_big_grows.c tests/api_check.h tests/grow_check.h
tests_test_region_big_grows_CFLAGS = $(API_CFLAGS)
tests_test_region_big_grows_LDADD = src/libhakmem.la
tests_test_region_big_grows_LDFLAGS = -no-install
tests_test_realloc_shrink_kept_SOURCES = tests/test_realloc_shrink_kept.c tests/api_check.h tests/grow_check.h
tests_test_realloc_shrink_kept_CFLAGS = $(API_CFLAGS)
tests_test_realloc_shrink_kept_LDADD = src/libhakmem.la
tests_test_realloc_shrink_kept_LDFLAGS = -no-install
