# AX_PTHREAD_OR_FAIL: hakmem needs POSIX threads (thread caches, atfork, key destructors).
AC_DEFUN([AX_PTHREAD_OR_FAIL], [
  AC_SEARCH_LIBS([pthread_create], [pthread], [],
    [AC_MSG_ERROR([POSIX threads not found (install libc6-dev)])])
])
