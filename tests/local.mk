# make check: each concern keeps its own fragment.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	HKM_LIB='$(abs_top_builddir)/src/.libs/libhakmem.so'; export HKM_LIB; \
	HKM_STAT_LIB='$(abs_top_builddir)/src/.libs/$(HKM_STAT_LIB_NAME)'; export HKM_STAT_LIB; \
	HKM_TOP_SRCDIR='$(abs_top_srcdir)'; export HKM_TOP_SRCDIR; \
	HKM_TOP_BUILDDIR='$(abs_top_builddir)'; export HKM_TOP_BUILDDIR; \
	HKM_TESTS_BUILDDIR='$(abs_top_builddir)/tests'; export HKM_TESTS_BUILDDIR; \
	HKM_CC='$(CC)'; export HKM_CC;
# The library hakmem-stat preloads from the build tree: the counting build when there is one.
if HKM_TIMING
HKM_STAT_LIB_NAME = libhakmem-prof.so
else
HKM_STAT_LIB_NAME = libhakmem.so
endif
include tests/api.mk
include tests/prof.mk
include tests/reclaim.mk
include tests/pmu.mk
include tests/docs.mk
include tests/slab.mk
include tests/stat.mk
include tests/limit.mk
include tests/stress.mk
include tests/learn.mk
