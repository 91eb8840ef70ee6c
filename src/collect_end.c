/* How a process image ended, for its collection file (collect.h): _exit and _Exit say so before they
 * go, and the wait family tells a reaped child's file how the kernel saw it end (a signal, an exit
 * code), which is how hakmem-stat learns that a process its command started was killed.
 *
 * Interposed by symbol, so only in the shared library (libtool builds it with -DPIC): in a program
 * linked with libhakmem.a these would clash with libc.a's own definitions. The real functions are
 * found with dlsym(RTLD_NEXT) on first use, outside hakmem's init; exit_group(2) is _exit's. */
#include "config.h"

#if defined(PIC)
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect.h"
#include "compiler.h"

HKM_API __attribute__((noreturn)) void _exit(int status) {
  hkm_collect_exiting(status);
  for (;;) syscall(SYS_exit_group, status);
}

HKM_API __attribute__((noreturn)) void _Exit(int status) { _exit(status); }

/* The next definition of name (libc's). */
static void *next(void **cache, const char *name) {
  void *f = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
  if (!f) {
    f = dlsym(RTLD_NEXT, name);
    __atomic_store_n(cache, f, __ATOMIC_RELEASE);
  }
  return f;
}

static void reaped(pid_t pid, int status) {
  if (pid > 0 && (WIFEXITED(status) || WIFSIGNALED(status))) hkm_collect_child_reaped((int)pid, status);
}

HKM_API pid_t waitpid(pid_t pid, int *status, int options) {
  static void *real;
  pid_t (*f)(pid_t, int *, int) = (pid_t(*)(pid_t, int *, int))next(&real, "waitpid");
  int st = 0;
  pid_t r = f(pid, &st, options);
  if (status) *status = st;
  reaped(r, st);
  return r;
}

HKM_API pid_t wait(int *status) {
  static void *real;
  pid_t (*f)(int *) = (pid_t(*)(int *))next(&real, "wait");
  int st = 0;
  pid_t r = f(&st);
  if (status) *status = st;
  reaped(r, st);
  return r;
}

HKM_API pid_t wait3(int *status, int options, struct rusage *ru) {
  static void *real;
  pid_t (*f)(int *, int, struct rusage *) = (pid_t(*)(int *, int, struct rusage *))next(&real, "wait3");
  int st = 0;
  pid_t r = f(&st, options, ru);
  if (status) *status = st;
  reaped(r, st);
  return r;
}

HKM_API pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru) {
  static void *real;
  pid_t (*f)(pid_t, int *, int, struct rusage *) = (pid_t(*)(pid_t, int *, int, struct rusage *))next(&real, "wait4");
  int st = 0;
  pid_t r = f(pid, &st, options, ru);
  if (status) *status = st;
  reaped(r, st);
  return r;
}

/* waitid reports in siginfo; a status like wait's is made from it (WNOWAIT leaves the child waitable:
 * its reaper will say). */
HKM_API int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options) {
  static void *real;
  int (*f)(idtype_t, id_t, siginfo_t *, int) = (int (*)(idtype_t, id_t, siginfo_t *, int))next(&real, "waitid");
  int r = f(idtype, id, info, options);
  if (r == 0 && info && !(options & WNOWAIT) && info->si_pid > 0) {
    if (info->si_code == CLD_EXITED)
      hkm_collect_child_reaped((int)info->si_pid, (info->si_status & 0xff) << 8);
    else if (info->si_code == CLD_KILLED || info->si_code == CLD_DUMPED)
      hkm_collect_child_reaped((int)info->si_pid, (info->si_status & 0x7f) | (info->si_code == CLD_DUMPED ? 0x80 : 0));
  }
  return r;
}
#endif
