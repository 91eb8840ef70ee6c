# libhakmem: the allocator, in two groups, each listed bottom-up (see DESIGN: each file uses only those
# above it in its group; the first group's init.c, hakmem.c, policy.c and reclaim.c also call into the second).
# The linker lays the text out in this order, after the functions src/run_text.ld lists (.text.hkm_run:
# the code a process runs when it neither profiles nor learns, ~35 KiB, first and together): the first
# group (init, the allocation paths, the release helper; policy.c, which every Whale free enters), then
# the second, what only profiling, learning and site rules run, and liburing's loader (uring.c: only a
# process that starts the release helper with io_uring runs it). The kernel maps a file's text 16
# pages at a time around each page a process executes (a whole large folio of a file written
# recently), so init splits the text after .text.hkm_run off into a mapping of its own and unmaps
# what the first faults mapped of it (text_trim.c): a process that does none of the second group's
# work maps the 10 pages of .text.hkm_run's mapping and no more (perf/bench/RESULTS.md, "The fixed
# per-process footprint", "The text every process runs, together" and "The cold text, a mapping of
# its own"). Aligning the library to
# 64 KiB (-z max-page-size) would also fix where libc lands below it: here in a place where libc's own
# fault-around maps 90 KiB more than it does on average.
# -fini names no function, so the linker writes no DT_FINI: crti's _fini is empty (the destructors run
# from .fini_array) and sits after all the text, where calling it at exit would map the last 64 KiB.
lib_LTLIBRARIES += src/libhakmem.la
include_HEADERS += src/hakmem.h
src_libhakmem_la_CFLAGS = $(AM_CFLAGS) $(HKM_CFLAGS)
src_libhakmem_la_LDFLAGS = -version-info 0:0:0 -Wl,-z,nodelete -Wl,-fini=hkm_no_fini $(HKM_RUN_TEXT_LDFLAGS)
EXTRA_src_libhakmem_la_DEPENDENCIES = src/run_text.ld
EXTRA_DIST += src/run_text.ld
hkm_run_sources = \
	src/hakmem.h src/compiler.h src/types.h \
	src/warn.h src/warn.c \
	src/prof_block.h src/prof.h src/prof.c \
	src/options.h src/options.c \
	src/collect_format.h src/collect_reap.h src/collect_reap.c src/collect.h src/collect.c src/collect_end.c \
	src/os.h src/os.c src/clock.h src/clock.c src/helper.h src/helper.c \
	src/pagemap.h src/pagemap.c \
	src/lock.h src/lock.c src/meta.h src/meta.c \
	src/sizeclass.h src/sizeclass.c src/alloc_slots.h src/alloc_slots.c \
	src/reclaim.h src/reclaim.c \
	src/region.h src/region.c \
	src/slab.h src/slab.c src/heap.h src/heap.c \
	src/policy.h src/policy.c \
	src/bigcache.h src/bigcache.c \
	src/run.h src/run.c src/run_density.h src/run_density.c src/pages.h src/pages.c src/tcache.h \
	src/sitecache.h src/sitecache.c \
	src/whale.h src/whale.c \
	src/trim.h src/trim.c \
	src/text_trim.h src/text_trim.c src/init.h src/init.c src/alloc_timed.h src/alloc.h src/hakmem.c src/malloc.c src/cxx_new.c
hkm_profile_sources = \
	src/uring.h src/uring.c \
	src/prof_sites.h src/prof_sites.c src/strbuf.h src/symbolize.h src/symbolize.c \
	src/site_rules.h src/site_rules.c src/site_stats.h src/site_stats.c src/site_report.h src/site_report.c \
	src/learn_file.h src/learn_file.c src/learn_cost.h src/learn_cost.c src/learn_keep.h src/learn_keep.c \
	src/learn.h src/learn.c \
	src/perfev.h src/perfev.c src/pmu.h src/pmu.c src/induced.h src/induced.c \
	src/report_pmu.h src/report_pmu.c src/report.h src/report.c
src_libhakmem_la_SOURCES = $(hkm_run_sources) $(hkm_profile_sources)

# libhakmem-prof: the same sources built with HKM_COUNTING, fast paths that count each call for the
# profiler (src/alloc_timed.h). hakmem-stat preloads it; it always profiles. Not with --disable-timing.
if HKM_TIMING
lib_LTLIBRARIES += src/libhakmem-prof.la
src_libhakmem_prof_la_CPPFLAGS = $(AM_CPPFLAGS) -DHKM_COUNTING=1
src_libhakmem_prof_la_CFLAGS = $(src_libhakmem_la_CFLAGS)
src_libhakmem_prof_la_LDFLAGS = $(src_libhakmem_la_LDFLAGS)
EXTRA_src_libhakmem_prof_la_DEPENDENCIES = src/run_text.ld
src_libhakmem_prof_la_SOURCES = $(src_libhakmem_la_SOURCES)
endif
