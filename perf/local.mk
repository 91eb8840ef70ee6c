# perf/: the hakmem-stat CLI and the benchmarks.
# hakmem-stat does not link libhakmem: it preloads it into the command, and stays on glibc's malloc.
bin_PROGRAMS += perf/hakmem-stat
perf_hakmem_stat_SOURCES = perf/hakmem-stat.h perf/hakmem-stat.c perf/hakmem-stat-options.c \
	perf/hakmem-stat-run.c perf/hakmem-stat-json.h perf/hakmem-stat-json.c perf/hakmem-stat-agg.c \
	perf/hakmem-stat-text.c perf/hakmem-stat-jsonout.c perf/hakmem-stat-svg.c perf/hakmem-stat-sites.c
perf_hakmem_stat_CPPFLAGS = $(AM_CPPFLAGS) -DHKM_LIBDIR='"$(libdir)"'
perf_hakmem_stat_LDADD = -lm
include perf/bench/bench.mk
