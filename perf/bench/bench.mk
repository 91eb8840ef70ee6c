# Benchmarks: `make bench` builds the workloads (never built by `make all`) and runs perf/bench/run,
# which times each under glibc, jemalloc, mimalloc, tcmalloc and hakmem. BENCH_ARGS passes options to
# it, e.g. make bench BENCH_ARGS='--reps 9 --only small,larson'.
BENCH_WORKLOADS = \
	perf/bench/wl_small perf/bench/wl_larson perf/bench/wl_prodcons perf/bench/wl_mid \
	perf/bench/wl_large perf/bench/wl_vm perf/bench/wl_realloc perf/bench/wl_falseshare \
	perf/bench/wl_whale_evict perf/bench/wl_bignum perf/bench/wl_espresso \
	perf/bench/wl_alloctest perf/bench/wl_newdel perf/bench/wl_mstress perf/bench/wl_server perf/bench/wl_prewarm \
	perf/bench/wl_xz perf/bench/wl_python perf/bench/wl_sqlite perf/bench/wl_churn perf/bench/wl_grow \
	perf/bench/wl_resize perf/bench/wl_uniform
# Not in run's table: the workloads of perf/bench/sample-accuracy and perf/bench/known-cost (issue 12).
BENCH_WORKLOADS += perf/bench/wl_tiermix perf/bench/wl_known perf/bench/wl_known_pool
EXTRA_PROGRAMS = $(BENCH_WORKLOADS) perf/bench/peakrss
if HKM_HAVE_URING
EXTRA_PROGRAMS += perf/bench/release_paths
endif
EXTRA_DIST += perf/bench/run perf/bench/run-prewarm perf/bench/learn-cost perf/bench/sample-accuracy perf/bench/known-cost perf/bench/callgrind-pair perf/bench/RESULTS.md \
	perf/bench/wl_rng.h perf/bench/wl_pages.h perf/bench/wl_sizes.h perf/bench/wl_real.h
CLEANFILES += $(EXTRA_PROGRAMS)

# Plain programs: no hakmem, no libraries configure found for the allocator (--as-needed drops them).
bench_ldflags = -Wl,--as-needed -pthread
perf_bench_wl_small_LDFLAGS = $(bench_ldflags)
perf_bench_wl_larson_LDFLAGS = $(bench_ldflags)
perf_bench_wl_prodcons_LDFLAGS = $(bench_ldflags)
perf_bench_wl_mid_LDFLAGS = $(bench_ldflags)
perf_bench_wl_large_LDFLAGS = $(bench_ldflags)
perf_bench_wl_vm_LDFLAGS = $(bench_ldflags)
perf_bench_wl_realloc_LDFLAGS = $(bench_ldflags)
perf_bench_wl_grow_LDFLAGS = $(bench_ldflags)
perf_bench_wl_resize_LDFLAGS = $(bench_ldflags)
perf_bench_wl_falseshare_LDFLAGS = $(bench_ldflags)
perf_bench_wl_whale_evict_LDFLAGS = $(bench_ldflags)
perf_bench_wl_bignum_LDFLAGS = $(bench_ldflags)
perf_bench_wl_espresso_LDFLAGS = $(bench_ldflags)
perf_bench_wl_alloctest_LDFLAGS = $(bench_ldflags)
perf_bench_wl_uniform_SOURCES = perf/bench/wl_alloctest.c
perf_bench_wl_uniform_CPPFLAGS = $(AM_CPPFLAGS) -DWL_UNIFORM
perf_bench_wl_uniform_LDFLAGS = $(bench_ldflags)
# C++: new and delete, which jemalloc, mimalloc, tcmalloc and hakmem replace, and glibc reaches through malloc
perf_bench_wl_newdel_SOURCES = perf/bench/wl_newdel.cc
perf_bench_wl_newdel_LDFLAGS = $(bench_ldflags)
perf_bench_wl_mstress_LDFLAGS = $(bench_ldflags)
perf_bench_wl_server_LDFLAGS = $(bench_ldflags)
perf_bench_wl_prewarm_LDFLAGS = $(bench_ldflags)
perf_bench_wl_xz_LDFLAGS = $(bench_ldflags)
perf_bench_wl_python_LDFLAGS = $(bench_ldflags)
perf_bench_wl_sqlite_LDFLAGS = $(bench_ldflags)
perf_bench_wl_churn_LDFLAGS = $(bench_ldflags)
perf_bench_wl_tiermix_LDFLAGS = $(bench_ldflags)
perf_bench_wl_known_LDFLAGS = $(bench_ldflags)
perf_bench_wl_known_pool_SOURCES = perf/bench/wl_known.c
perf_bench_wl_known_pool_CPPFLAGS = $(AM_CPPFLAGS) -DWL_KNOWN_POOL
perf_bench_wl_known_pool_LDFLAGS = $(bench_ldflags)
perf_bench_release_paths_LDFLAGS = $(bench_ldflags)
perf_bench_release_paths_LDADD = $(HKM_URING_LIBS)
perf_bench_peakrss_LDFLAGS = $(bench_ldflags)

bench-programs: $(EXTRA_PROGRAMS) src/libhakmem.la

bench: bench-programs
	/usr/bin/python3 $(srcdir)/perf/bench/run --bindir $(abs_top_builddir)/perf/bench \
	  --hakmem $(abs_top_builddir)/src/.libs/libhakmem.so $(BENCH_ARGS)

.PHONY: bench bench-programs
