# API conformance, threads, fork and real-program tests (issue 2). C tests link libhakmem directly;
# the .sh drivers run a program under a given environment or under LD_PRELOAD.
API_CFLAGS = $(AM_CFLAGS) -pthread
API_LIBS = src/libhakmem.la
API_PROGS = tests/test_api_entry_points
check_PROGRAMS += $(API_PROGS)
tests_test_api_entry_points_SOURCES = tests/test_api_entry_points.c tests/api_check.h
tests_test_api_entry_points_CFLAGS = $(API_CFLAGS)
tests_test_api_entry_points_LDADD = $(API_LIBS)
tests_test_api_entry_points_LDFLAGS = -no-install
TESTS += $(API_PROGS)
