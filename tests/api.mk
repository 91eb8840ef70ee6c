# API conformance, threads, fork, real programs under LD_PRELOAD, environment and RSS (issue 2).
# C tests link libhakmem directly and are tests themselves; the .sh drivers run a program (their own
# helper, or a real one under LD_PRELOAD) in several environments.
API_CFLAGS = $(AM_CFLAGS) -pthread
API_C_TESTS = tests/test_api_entry_points tests/test_api_realloc_tiers tests/test_api_alignment \
	tests/test_api_usable_size tests/test_api_invalid_free tests/test_api_threads tests/test_api_thread_exit \
	tests/test_api_fork_threads tests/test_api_fork_loop tests/test_api_text_footprint tests/test_api_clock_vdso \
	tests/test_text_window tests/test_api_cxx_new tests/test_api_cxx_no_runtime
API_HELPERS = tests/test_api_calloc_reused tests/api_env_prog tests/test_api_rss_returns tests/pagemap_prog
check_PROGRAMS += $(API_C_TESTS) $(API_HELPERS)
tests_test_api_entry_points_SOURCES = tests/test_api_entry_points.c tests/api_check.h
tests_test_api_entry_points_CFLAGS = $(API_CFLAGS)
tests_test_api_entry_points_LDADD = src/libhakmem.la
tests_test_api_entry_points_LDFLAGS = -no-install
tests_test_api_cxx_new_SOURCES = tests/test_api_cxx_new.cc tests/api_check.h tests/api_child.h
tests_test_api_cxx_new_CXXFLAGS = -Wall -Wextra -std=c++17
tests_test_api_cxx_new_LDADD = src/libhakmem.la -ldl
tests_test_api_cxx_new_LDFLAGS = -no-install
tests_test_api_cxx_no_runtime_SOURCES = tests/test_api_cxx_no_runtime.c tests/api_check.h tests/api_child.h
tests_test_api_cxx_no_runtime_CFLAGS = $(API_CFLAGS)
tests_test_api_cxx_no_runtime_LDADD = src/libhakmem.la
tests_test_api_cxx_no_runtime_LDFLAGS = -no-install
tests_test_api_realloc_tiers_SOURCES = tests/test_api_realloc_tiers.c tests/api_check.h
tests_test_api_realloc_tiers_CFLAGS = $(API_CFLAGS)
tests_test_api_realloc_tiers_LDADD = src/libhakmem.la
tests_test_api_realloc_tiers_LDFLAGS = -no-install
tests_test_api_alignment_SOURCES = tests/test_api_alignment.c tests/api_check.h
tests_test_api_alignment_CFLAGS = $(API_CFLAGS)
tests_test_api_alignment_LDADD = src/libhakmem.la
tests_test_api_alignment_LDFLAGS = -no-install
tests_test_api_usable_size_SOURCES = tests/test_api_usable_size.c tests/api_check.h
tests_test_api_usable_size_CFLAGS = $(API_CFLAGS)
tests_test_api_usable_size_LDADD = src/libhakmem.la
tests_test_api_usable_size_LDFLAGS = -no-install
tests_test_api_invalid_free_SOURCES = tests/test_api_invalid_free.c tests/api_check.h tests/api_child.h
tests_test_api_invalid_free_CFLAGS = $(API_CFLAGS)
tests_test_api_invalid_free_LDADD = src/libhakmem.la
tests_test_api_invalid_free_LDFLAGS = -no-install
tests_test_api_threads_SOURCES = tests/test_api_threads.c tests/api_check.h
tests_test_api_threads_CFLAGS = $(API_CFLAGS)
tests_test_api_threads_LDADD = src/libhakmem.la
tests_test_api_threads_LDFLAGS = -no-install
tests_test_api_thread_exit_SOURCES = tests/test_api_thread_exit.c tests/api_check.h
tests_test_api_thread_exit_CFLAGS = $(API_CFLAGS)
tests_test_api_thread_exit_LDADD = src/libhakmem.la
tests_test_api_thread_exit_LDFLAGS = -no-install
tests_test_api_fork_threads_SOURCES = tests/test_api_fork_threads.c tests/api_check.h tests/api_fork_child.h
tests_test_api_fork_threads_CFLAGS = $(API_CFLAGS)
tests_test_api_fork_threads_LDADD = src/libhakmem.la
tests_test_api_fork_threads_LDFLAGS = -no-install
tests_test_api_fork_loop_SOURCES = tests/test_api_fork_loop.c tests/api_check.h tests/api_fork_child.h
tests_test_api_fork_loop_CFLAGS = $(API_CFLAGS)
tests_test_api_fork_loop_LDADD = src/libhakmem.la
tests_test_api_fork_loop_LDFLAGS = -no-install
tests_test_api_text_footprint_SOURCES = tests/test_api_text_footprint.c tests/api_check.h
tests_test_api_text_footprint_CFLAGS = $(API_CFLAGS)
tests_test_api_text_footprint_LDADD = src/libhakmem.la
tests_test_api_text_footprint_LDFLAGS = -no-install
# The unit under test compiled in: its pages-mapped-by-a-call window on this program's own read-only data.
tests_test_text_window_SOURCES = tests/test_text_window.c src/text_trim.c
tests_test_text_window_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
tests_test_text_window_CFLAGS = $(AM_CFLAGS)
tests_test_api_calloc_reused_SOURCES = tests/test_api_calloc_reused.c tests/api_check.h
tests_test_api_calloc_reused_CFLAGS = $(API_CFLAGS)
tests_test_api_calloc_reused_LDADD = src/libhakmem.la
tests_test_api_calloc_reused_LDFLAGS = -no-install
tests_pagemap_prog_SOURCES = tests/pagemap_prog.c tests/api_check.h
tests_pagemap_prog_CFLAGS = $(API_CFLAGS)
tests_pagemap_prog_LDADD = src/libhakmem.la
tests_pagemap_prog_LDFLAGS = -no-install
tests_api_env_prog_SOURCES = tests/api_env_prog.c tests/api_check.h
tests_api_env_prog_CFLAGS = $(API_CFLAGS)
tests_api_env_prog_LDADD = src/libhakmem.la
tests_api_env_prog_LDFLAGS = -no-install
tests_test_api_rss_returns_SOURCES = tests/test_api_rss_returns.c tests/api_check.h
tests_test_api_rss_returns_CFLAGS = $(API_CFLAGS)
tests_test_api_rss_returns_LDADD = src/libhakmem.la
tests_test_api_rss_returns_LDFLAGS = -no-install
EXTRA_DIST += tests/api_preload.sh
API_SH_TESTS = tests/test_api_calloc_reused.sh tests/test_api_env.sh tests/test_api_rss_returns.sh \
	tests/test_api_preload_python.sh tests/test_api_preload_sort.sh tests/test_api_preload_xz.sh \
	tests/test_api_preload_sqlite.sh tests/test_api_preload_gcc.sh tests/test_api_pagemap_modes.sh
dist_check_SCRIPTS += $(API_SH_TESTS)
TESTS += $(API_C_TESTS) $(API_SH_TESTS)
tests_test_api_clock_vdso_SOURCES = tests/test_api_clock_vdso.c tests/api_check.h
tests_test_api_clock_vdso_CFLAGS = $(API_CFLAGS)
tests_test_api_clock_vdso_LDADD = src/libhakmem.la
tests_test_api_clock_vdso_LDFLAGS = -no-install
