# Deferred release (reclaim.c): every backend, the io_uring fallback, fork, threads; the region
# cache's hot spans dropped for a Whale request (those that waited out the delay at once), taken lowest first, and dropped beyond the floor
# when the runs are sparse; the queue's back-pressure; the whale ring's size following the reuse;
# BigCache's blocks beyond 8 MiB timed out.
check_PROGRAMS += tests/reclaim_prog
tests_reclaim_prog_SOURCES = tests/reclaim_prog.c tests/seccomp_deny.h
tests_reclaim_prog_CFLAGS = $(AM_CFLAGS) -pthread
tests_reclaim_prog_LDADD = src/libhakmem.la
tests_reclaim_prog_LDFLAGS = -no-install
check_PROGRAMS += tests/runs_density_prog
tests_runs_density_prog_SOURCES = tests/runs_density_prog.c tests/api_check.h
tests_runs_density_prog_CFLAGS = $(API_CFLAGS)
tests_runs_density_prog_LDADD = src/libhakmem.la
tests_runs_density_prog_LDFLAGS = -no-install
EXTRA_DIST += tests/reclaim_backends.sh
RECLAIM_TESTS = tests/test_reclaim_rss_drops.sh tests/test_reclaim_uring_fallback.sh \
	tests/test_reclaim_fork_pending.sh tests/test_reclaim_threads_concurrent.sh \
	tests/test_reclaim_locked_unmapped.sh tests/test_reclaim_calloc_zeroes.sh \
	tests/test_reclaim_region_decay.sh tests/test_reclaim_coalesce.sh \
	tests/test_reclaim_busy_ring.sh tests/test_whale_class_reuse.sh \
	tests/test_reclaim_uring_lazy.sh tests/test_reclaim_big_now.sh tests/test_region_sparse_runs.sh
dist_check_SCRIPTS += $(RECLAIM_TESTS)
TESTS += $(RECLAIM_TESTS)
RECLAIM_C_TESTS = tests/test_region_big_drops_hot tests/test_region_big_keeps_young tests/test_region_lowest_first tests/test_reclaim_backpressure \
	tests/test_whale_ring_adapts tests/test_whale_keep_adapts tests/test_bigcache_decay
check_PROGRAMS += $(RECLAIM_C_TESTS)
TESTS += $(RECLAIM_C_TESTS)
tests_test_region_big_drops_hot_SOURCES = tests/test_region_big_drops_hot.c tests/api_check.h
tests_test_region_big_drops_hot_CFLAGS = $(API_CFLAGS)
tests_test_region_big_drops_hot_LDADD = src/libhakmem.la
tests_test_region_big_drops_hot_LDFLAGS = -no-install
tests_test_region_lowest_first_SOURCES = tests/test_region_lowest_first.c tests/api_check.h
tests_test_region_lowest_first_CFLAGS = $(API_CFLAGS)
tests_test_region_lowest_first_LDADD = src/libhakmem.la
tests_test_region_lowest_first_LDFLAGS = -no-install
tests_test_reclaim_backpressure_SOURCES = tests/test_reclaim_backpressure.c tests/api_check.h
tests_test_reclaim_backpressure_CFLAGS = $(API_CFLAGS)
tests_test_reclaim_backpressure_LDADD = src/libhakmem.la
tests_test_reclaim_backpressure_LDFLAGS = -no-install
tests_test_whale_ring_adapts_SOURCES = tests/test_whale_ring_adapts.c tests/api_check.h
tests_test_whale_ring_adapts_CFLAGS = $(API_CFLAGS)
tests_test_whale_ring_adapts_LDADD = src/libhakmem.la
tests_test_whale_ring_adapts_LDFLAGS = -no-install
tests_test_whale_keep_adapts_SOURCES = tests/test_whale_keep_adapts.c tests/api_check.h
tests_test_whale_keep_adapts_CFLAGS = $(API_CFLAGS)
tests_test_whale_keep_adapts_LDADD = src/libhakmem.la
tests_test_whale_keep_adapts_LDFLAGS = -no-install
tests_test_region_big_keeps_young_SOURCES = tests/test_region_big_keeps_young.c tests/api_check.h
tests_test_region_big_keeps_young_CFLAGS = $(API_CFLAGS)
tests_test_region_big_keeps_young_LDADD = src/libhakmem.la
tests_test_region_big_keeps_young_LDFLAGS = -no-install
tests_test_bigcache_decay_SOURCES = tests/test_bigcache_decay.c tests/api_check.h
tests_test_bigcache_decay_CFLAGS = $(API_CFLAGS)
tests_test_bigcache_decay_LDADD = src/libhakmem.la
tests_test_bigcache_decay_LDFLAGS = -no-install
