# HKM_ARG_TIMING: --disable-timing compiles every HKM_TIME_START/END to nothing.
AC_DEFUN([HKM_ARG_TIMING], [
  AC_ARG_ENABLE([timing],
    [AS_HELP_STRING([--disable-timing], [compile the per-category cycle profiler out entirely])],
    [], [enable_timing=yes])
  AS_IF([test "x$enable_timing" = xyes],
    [AC_DEFINE([HKM_ENABLE_TIMING], [1], [Define to 1 to compile the cycle profiler in.])],
    [AC_DEFINE([HKM_ENABLE_TIMING], [0], [Define to 1 to compile the cycle profiler in.])])
  dnl libhakmem-prof.so, the build that hakmem-stat preloads, exists only with the profiler.
  AM_CONDITIONAL([HKM_TIMING], [test "x$enable_timing" = xyes])
])
