# API conformance, threads, fork and real-program tests (issue 2). C tests link libhakmem directly;
# the .sh drivers run a program under a given environment or under LD_PRELOAD.
API_CFLAGS = $(AM_CFLAGS) -pthread
API_LIBS = src/libhakmem.la
API_PROGS = tests/test_api_entry_points
tests_test_api_entry_points_SOURCES = tests/test_api_entry_points.c tests/api_check.h
tests_test_api_entry_points_CFLAGS = $(API_CFLAGS)
tests_test_api_entry_points_LDADD = $(API_LIBS)
tests_test_api_entry_points_LDFLAGS = -no-install
API_PROGS += tests/test_api_realloc_tiers
tests_test_api_realloc_tiers_SOURCES = tests/test_api_realloc_tiers.c tests/api_check.h
tests_test_api_realloc_tiers_CFLAGS = $(API_CFLAGS)
tests_test_api_realloc_tiers_LDADD = $(API_LIBS)
tests_test_api_realloc_tiers_LDFLAGS = -no-install
check_PROGRAMS += tests/test_api_calloc_reused
tests_test_api_calloc_reused_SOURCES = tests/test_api_calloc_reused.c tests/api_check.h
tests_test_api_calloc_reused_CFLAGS = $(API_CFLAGS)
tests_test_api_calloc_reused_LDADD = $(API_LIBS)
tests_test_api_calloc_reused_LDFLAGS = -no-install
API_SH_TESTS = tests/test_api_calloc_reused.sh
dist_check_SCRIPTS += $(API_SH_TESTS)
TESTS += $(API_SH_TESTS)
check_PROGRAMS += $(API_PROGS)
TESTS += $(API_PROGS)
