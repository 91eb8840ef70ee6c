# PMU event columns (pmu.c) and induced faults (induced.c), with the software events these VMs have.
# In a --disable-timing build every one of these skips (exit 77).
check_PROGRAMS += tests/pmu_prog
tests_pmu_prog_SOURCES = tests/pmu_prog.c tests/seccomp_deny.h
tests_pmu_prog_CFLAGS = $(AM_CFLAGS) -pthread
tests_pmu_prog_LDADD = src/libhakmem.la
tests_pmu_prog_LDFLAGS = -no-install
EXTRA_DIST += tests/test_pmu_lib.sh
PMU_TESTS = tests/test_pmu_whale_faults_attributed.sh tests/test_pmu_small_faults_attributed.sh \
	tests/test_pmu_event_columns.sh tests/test_pmu_open_refused.sh tests/test_pmu_reason_readable.sh \
	tests/test_pmu_events_not_scaled_whole.sh tests/test_pmu_reads_left_out.sh
dist_check_SCRIPTS += $(PMU_TESTS)
TESTS += $(PMU_TESTS)
