# hakmem-stat (perf/hakmem-stat*.c): real programs under it, its outputs, exit statuses, the install.
check_PROGRAMS += tests/test_stat_prog
tests_test_stat_prog_SOURCES = tests/test_stat_prog.c
tests_test_stat_prog_CFLAGS = $(AM_CFLAGS) -pthread -fno-builtin-malloc -fno-builtin-free
tests_test_stat_prog_LDADD = src/libhakmem.la
tests_test_stat_prog_LDFLAGS = -no-install -export-dynamic
check_PROGRAMS += tests/cxx_sites_prog
tests_cxx_sites_prog_SOURCES = tests/cxx_sites_prog.cc
tests_cxx_sites_prog_LDFLAGS = -export-dynamic
EXTRA_DIST += tests/test_stat_lib.sh
STAT_TESTS = tests/test_stat_json_counts_exact.sh tests/test_stat_follows_script_processes.sh \
	tests/test_stat_python_threads.sh tests/test_stat_exit_status.sh tests/test_stat_signals.sh \
	tests/test_stat_output_untouched.sh tests/test_stat_repeat_and_csv.sh tests/test_stat_svg_matches_json.sh \
	tests/test_stat_sites_symbolized.sh tests/test_stat_events_passed.sh tests/test_stat_induced_faults.sh \
	tests/test_stat_install.sh tests/test_stat_helper_syscalls.sh tests/test_stat_perf_spellings.sh \
	tests/test_stat_site_one_spelling.sh tests/test_stat_per_thread_skips_empty.sh \
	tests/test_stat_svg_off_scale.sh tests/test_stat_static_program.sh tests/test_stat_wall_no_wait.sh \
	tests/test_stat_endings.sh tests/test_stat_warnings_once.sh tests/test_stat_events_counted.sh \
	tests/test_stat_learned_sites.sh tests/test_stat_interrupted.sh tests/test_stat_collect_footprint.sh \
	tests/test_stat_cxx_sites.sh
dist_check_SCRIPTS += $(STAT_TESTS)
TESTS += $(STAT_TESTS)
# A stand-in library that writes a fixed report with the PMU parts (events, reasons, induced faults).
check_LTLIBRARIES = tests/libstatfake.la
tests_libstatfake_la_SOURCES = tests/test_stat_fake_report.c
tests_libstatfake_la_LDFLAGS = -module -avoid-version -rpath /nowhere
