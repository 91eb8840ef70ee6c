# Sourced by the reclaim tests: the backends this build has, and the driver program.
prog="$HKM_TESTS_BUILDDIR/reclaim_prog"
backends="thread sync"
grep -q '^#define HKM_HAVE_URING 1' "$HKM_TOP_BUILDDIR/config.h" && backends="uring $backends"
