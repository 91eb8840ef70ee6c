# Profiler (prof.c, report.c): exact counts per tier and across threads, fork, where the report goes.
# In a --disable-timing build every one of these skips (exit 77).
check_PROGRAMS += tests/test_prof_prog
tests_test_prof_prog_SOURCES = tests/test_prof_prog.c
tests_test_prof_prog_CFLAGS = $(AM_CFLAGS) -pthread
tests_test_prof_prog_LDADD = src/libhakmem.la
tests_test_prof_prog_LDFLAGS = -no-install
EXTRA_DIST += tests/test_prof_lib.sh
PROF_TESTS = tests/test_prof_tier_counts.sh tests/test_prof_json_lists_every_category.sh \
	tests/test_prof_threads_add_up.sh tests/test_prof_fork_child_reports_own_work.sh \
	tests/test_prof_file_path_and_fd.sh tests/test_prof_bad_file_warns_once.sh \
	tests/test_prof_off_writes_nothing.sh tests/test_prof_text_sorted_by_total.sh tests/test_prof_sampled.sh \
	tests/test_prof_report_survives_closed_stderr.sh tests/test_prof_release_nested.sh \
	tests/test_prof_counting.sh tests/test_prof_fork_thread_reuse.sh \
	tests/test_prof_interrupted.sh
dist_check_SCRIPTS += $(PROF_TESTS)
TESTS += $(PROF_TESTS)
# The estimator of the sampled categories' cycles, on sums whose answer is known.
check_PROGRAMS += tests/test_prof_estimate
tests_test_prof_estimate_SOURCES = tests/test_prof_estimate.c
tests_test_prof_estimate_LDADD = -lm
TESTS += tests/test_prof_estimate
