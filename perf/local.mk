# perf/: the hakmem-stat CLI and the benchmarks.
# hakmem-stat does not link libhakmem: it preloads it into the command, and stays on glibc's malloc.
bin_PROGRAMS += perf/hakmem-stat
perf_hakmem_stat_SOURCES = perf/hakmem-stat.h perf/hakmem-stat.c perf/hakmem-stat-options.c \
	perf/hakmem-stat-run.c perf/hakmem-stat-json.h perf/hakmem-stat-json.c perf/hakmem-stat-agg.c \
	perf/hakmem-stat-text.c perf/hakmem-stat-jsonout.c perf/hakmem-stat-svg.c perf/hakmem-stat-sites.c \
	perf/hakmem-stat-collect.c src/collect_reap.c
nodist_perf_hakmem_stat_SOURCES = perf/hakmem-stat-libdir.h
perf_hakmem_stat_LDADD = -lm
# The install's libdir, where hakmem-stat looks for libhakmem.so, in a header that is rewritten only
# when libdir changes (configure --prefix again, make prefix=...): hakmem-stat-run.o depends on it and
# is rebuilt then, and only then. A -D flag would not do: an object does not depend on its flags.
BUILT_SOURCES += perf/hakmem-stat-libdir.h
CLEANFILES += perf/hakmem-stat-libdir.h
perf/hakmem-stat-libdir.h: FORCE
	@$(MKDIR_P) perf
	$(AM_V_at)printf '%s\n' '$(libdir)' | sed 's/[\\"]/\\&/g; s/.*/#define HKM_LIBDIR "&"/' > $@.tmp && \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
FORCE:
.PHONY: FORCE
include perf/bench/bench.mk
