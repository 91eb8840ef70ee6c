# HKM_CHECK_URING: liburing submits batched page releases (IORING_OP_MADVISE).
AC_DEFUN([HKM_CHECK_URING], [
  AC_ARG_WITH([uring],
    [AS_HELP_STRING([--without-uring], [build without liburing (release falls back to a helper thread)])],
    [], [with_uring=yes])
  hkm_have_uring=no
  AS_IF([test "x$with_uring" != xno], [
    AC_CHECK_HEADER([liburing.h], [], [hkm_uring_missing=yes])
    AS_IF([test "x$hkm_uring_missing" != xyes],
      [AC_CHECK_LIB([uring], [io_uring_queue_init], [], [hkm_uring_missing=yes])])
    AS_IF([test "x$hkm_uring_missing" = xyes],
      [AC_MSG_ERROR([liburing not found: install the Debian package liburing-dev, or configure --without-uring])])
    hkm_have_uring=yes
    AC_DEFINE([HKM_HAVE_URING], [1], [Define to 1 when liburing is available.])
  ])
  AM_CONDITIONAL([HKM_HAVE_URING], [test "x$hkm_have_uring" = xyes])
])
