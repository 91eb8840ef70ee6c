# Address-space limits and huge requests (issue 14). limit_prog is linked with nothing of hakmem: the
# tests run it on glibc and, preloaded, on hakmem, and compare.
check_PROGRAMS += tests/limit_prog
tests_limit_prog_SOURCES = tests/limit_prog.c
EXTRA_DIST += tests/limit_lib.sh
LIMIT_TESTS = tests/test_limit_refill.sh tests/test_limit_mixed.sh tests/test_limit_huge.sh
dist_check_SCRIPTS += $(LIMIT_TESTS)
TESTS += $(LIMIT_TESTS)
