# HKM_CHECK_URING: liburing submits batched page releases (IORING_OP_MADVISE).
AC_DEFUN([HKM_CHECK_URING], [
  AC_ARG_WITH([uring],
    [AS_HELP_STRING([--without-uring], [build without liburing (release falls back to a helper thread)])],
    [], [with_uring=yes])
  hkm_have_uring=no
  AS_IF([test "x$with_uring" != xno], [
    AC_CHECK_HEADER([liburing.h], [], [hkm_uring_missing=yes])
    AS_IF([test "x$hkm_uring_missing" != xyes],
      dnl Checked but not linked into the shared library, which loads it with dlopen when the release
      dnl helper first starts (src/uring.h: linked, its pages cost every process 24 KiB of RSS);
      dnl libhakmem.a and perf/bench/release_paths link it (HKM_URING_LIBS, hakmem.pc's Libs.private).
      [AC_CHECK_LIB([uring], [io_uring_queue_init], [HKM_URING_LIBS=-luring], [hkm_uring_missing=yes])])
    AS_IF([test "x$hkm_uring_missing" = xyes],
      [AC_MSG_ERROR([liburing not found: install the Debian package liburing-dev, or configure --without-uring])])
    hkm_have_uring=yes
    AC_DEFINE([HKM_HAVE_URING], [1], [Define to 1 when liburing is available.])
    AC_DEFINE([HKM_URING_SONAME], ["liburing.so.2"], [liburing's shared object, loaded at run time.])
  ])
  AC_SUBST([HKM_URING_LIBS])
  AM_CONDITIONAL([HKM_HAVE_URING], [test "x$hkm_have_uring" = xyes])
])
