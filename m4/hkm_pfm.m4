# HKM_CHECK_PFM: libpfm4 encodes PMU/kernel event names for the profiler.
# Missing library stops configure with the Debian package name and the switch that builds without it.
AC_DEFUN([HKM_CHECK_PFM], [
  AC_ARG_WITH([pfm],
    [AS_HELP_STRING([--without-pfm], [build without libpfm4 (no PMU event columns)])],
    [], [with_pfm=yes])
  hkm_have_pfm=no
  AS_IF([test "x$with_pfm" != xno], [
    AC_CHECK_HEADER([perfmon/pfmlib_perf_event.h], [], [hkm_pfm_missing=yes])
    dnl Checked but not linked: hakmem loads it with dlopen when HAKMEM_PMU asks, because mapping
    dnl libpfm4's relocated event tables costs every process ~1.6 MiB of RSS.
    AS_IF([test "x$hkm_pfm_missing" != xyes],
      [AC_CHECK_LIB([pfm], [pfm_get_os_event_encoding], [:], [hkm_pfm_missing=yes])])
    AS_IF([test "x$hkm_pfm_missing" = xyes],
      [AC_MSG_ERROR([libpfm4 not found: install the Debian package libpfm4-dev, or configure --without-pfm])])
    hkm_have_pfm=yes
    AC_DEFINE([HKM_HAVE_PFM], [1], [Define to 1 when libpfm4 is available.])
    AC_DEFINE([HKM_PFM_SONAME], ["libpfm.so.4"], [libpfm4's shared object, loaded at run time.])
  ])
  AM_CONDITIONAL([HKM_HAVE_PFM], [test "x$hkm_have_pfm" = xyes])
])
