# Site rules and the learner (issue 13): what rules do to blocks, the learner's choices across
# threads, fork and a change of behaviour, refused madvise advice, the learn file, and the frozen
# table itself (test_learn_rules compiles src/site_rules.c in, with the profiler stubbed out).
check_PROGRAMS += tests/learn_prog tests/test_learn_rules
tests_learn_prog_SOURCES = tests/learn_prog.c
tests_learn_prog_CFLAGS = $(AM_CFLAGS) -pthread
tests_learn_prog_LDADD = src/libhakmem.la
tests_learn_prog_LDFLAGS = -no-install
tests_test_learn_rules_SOURCES = tests/test_learn_rules.c
tests_test_learn_rules_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
tests_test_learn_rules_CFLAGS = $(AM_CFLAGS) -pthread
tests_test_learn_rules_LDFLAGS = -no-install
LEARN_TESTS = tests/test_learn_sites.sh tests/test_learn_relearn.sh tests/test_learn_calloc_zeroes.sh \
	tests/test_learn_refused.sh tests/test_learn_file.sh
dist_check_SCRIPTS += $(LEARN_TESTS)
TESTS += tests/test_learn_rules $(LEARN_TESTS)
