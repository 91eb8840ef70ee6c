# The stress suite (issue 14): cross-thread frees and reallocs with contents checked, fork while
# threads allocate under every release backend, a seeded fuzzer of the whole API against a model.
# Seconds each by default; HKM_STRESS_SCALE=N runs N times the work (tests/stress.h).
# `make check-stress` runs only these (CI runs them on a -fsanitize=undefined build).
STRESS_CFLAGS = $(AM_CFLAGS) -pthread
STRESS_C_TESTS = tests/test_stress_threads tests/test_stress_fuzz tests/test_stress_page_runs
check_PROGRAMS += $(STRESS_C_TESTS) tests/stress_fork_prog
tests_test_stress_threads_SOURCES = tests/test_stress_threads.c tests/stress.h tests/api_check.h
tests_test_stress_threads_CFLAGS = $(STRESS_CFLAGS)
tests_test_stress_threads_LDADD = src/libhakmem.la
tests_test_stress_threads_LDFLAGS = -no-install
tests_test_stress_fuzz_SOURCES = tests/test_stress_fuzz.c tests/stress.h tests/api_check.h
tests_test_stress_fuzz_CFLAGS = $(STRESS_CFLAGS)
tests_test_stress_fuzz_LDADD = src/libhakmem.la
tests_test_stress_fuzz_LDFLAGS = -no-install
tests_test_stress_page_runs_SOURCES = tests/test_stress_page_runs.c tests/stress.h tests/api_check.h
tests_test_stress_page_runs_CFLAGS = $(STRESS_CFLAGS)
tests_test_stress_page_runs_LDADD = src/libhakmem.la
tests_test_stress_page_runs_LDFLAGS = -no-install
tests_stress_fork_prog_SOURCES = tests/stress_fork_prog.c tests/stress.h tests/api_check.h tests/api_fork_child.h
tests_stress_fork_prog_CFLAGS = $(STRESS_CFLAGS)
tests_stress_fork_prog_LDADD = src/libhakmem.la
tests_stress_fork_prog_LDFLAGS = -no-install
STRESS_SH_TESTS = tests/test_stress_fork.sh
dist_check_SCRIPTS += $(STRESS_SH_TESTS)
STRESS_TESTS = $(STRESS_C_TESTS) $(STRESS_SH_TESTS)
TESTS += $(STRESS_TESTS)

check-stress:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(STRESS_TESTS)'
.PHONY: check-stress
