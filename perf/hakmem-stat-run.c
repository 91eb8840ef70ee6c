/* Finding libhakmem-prof.so (or libhakmem.so) and running the command on it.
 *
 * The figures come back through a private directory (HAKMEM_TIMING_DIR): every process image that
 * runs hakmem keeps its counters in a file there as it goes, and adds its report beside it at exit
 * (src/collect.h), so a process that ends any other way (_exit, a signal, an execve into a program
 * not on hakmem, a closed standard error) still counts; hakmem-stat-collect.c reads them. The
 * library's warnings go there too, and are printed here once each. The program's stdin, stdout and
 * stderr are its own, untouched. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect_reap.h"
#include "hakmem-stat.h"
#include "perf/hakmem-stat-libdir.h" /* HKM_LIBDIR, generated (perf/local.mk) */

/* path made absolute (the command may change directory) without resolving the file's own symlink:
 * libhakmem-prof.so stays libhakmem-prof.so in messages and in the JSON. */
static char *absolute(const char *path) {
  char *dir = strdup(path), *base, *real, *out = NULL;
  if (!dir) return NULL;
  char *slash = strrchr(dir, '/');
  if (slash == dir) {
    free(dir);
    return strdup(path);
  }
  if (slash) {
    *slash = 0;
    base = slash + 1;
    real = realpath(dir, NULL);
  } else {
    base = dir;
    real = realpath(".", NULL);
  }
  out = real && asprintf(&out, "%s/%s", real, base) >= 0 ? out : NULL;
  free(real);
  free(dir);
  return out;
}

/* A readable regular file; errno says why not. */
static int usable(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return 0;
  if (!S_ISREG(st.st_mode)) {
    errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    return 0;
  }
  return access(path, R_OK) == 0;
}

/* The libraries to look for, best first: the counting build, whose fast paths count each call
 * themselves (~3 instructions against ~25 through libhakmem.so's profiled exits; src/alloc_timed.h),
 * then libhakmem.so, the only one a --disable-timing build has. */
static const char *const lib_names[] = {"libhakmem-prof.so", "libhakmem.so"};
#define NLIBS (sizeof lib_names / sizeof lib_names[0])

char *stat_find_lib(const struct stat_opts *o) {
  char path[PATH_MAX + 64], *abs;
  if (o->lib) {
    if (!usable(o->lib)) {
      fprintf(stderr, "hakmem-stat: --lib %s: %s\n", o->lib, strerror(errno));
      return NULL;
    }
    if (!(abs = absolute(o->lib))) fprintf(stderr, "hakmem-stat: --lib %s: %s\n", o->lib, strerror(errno));
    return abs;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  char dirs[3][PATH_MAX + 64], tried[3 * NLIBS][PATH_MAX + 96];
  int ndirs = 0, ntried = 0;
  if (n > 0) {
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    /* The build tree: perf/hakmem-stat beside src/libhakmem.la, whose shared objects libtool keeps
     * in src/.libs. The .la file tells a build tree from an unrelated ../src directory. */
    snprintf(path, sizeof path, "%s/../src/libhakmem.la", exe);
    if (usable(path)) snprintf(dirs[ndirs++], sizeof dirs[0], "%s/../src/.libs", exe);
  }
  snprintf(dirs[ndirs++], sizeof dirs[0], "%s", HKM_LIBDIR);
  /* an install moved as a whole (DESTDIR staging, a copied prefix): bin/ beside lib/ */
  if (n > 0) snprintf(dirs[ndirs++], sizeof dirs[0], "%s/../lib", exe);
  for (int d = 0; d < ndirs; d++)
    for (size_t l = 0; l < NLIBS; l++) {
      if (snprintf(tried[ntried], sizeof tried[0], "%s/%s", dirs[d], lib_names[l]) >= (int)sizeof tried[0]) continue;
      if (usable(tried[ntried])) return absolute(tried[ntried]);
      ntried++;
    }
  fprintf(stderr, "hakmem-stat: cannot find libhakmem-prof.so or libhakmem.so (looked for");
  for (int i = 0; i < ntried; i++) fprintf(stderr, "%s %s", i ? "," : "", tried[i]);
  fprintf(stderr, "); use --lib PATH\n");
  return NULL;
}

/* perf stat's way with signals: an interrupt from the terminal reaches the command too (same process
 * group) and ends it; hakmem-stat stays to report. A SIGTERM or SIGHUP sent to hakmem-stat alone is
 * passed on to the command, which then ends and is reported. Handlers, not SIG_IGN, so that exec
 * gives the command the default dispositions back. */
static volatile sig_atomic_t child_pid, pending_sig;

static void on_interrupt(int sig) { (void)sig; }

static void on_term(int sig) {
  pending_sig = sig;
  if (child_pid > 0) kill((pid_t)child_pid, sig);
}

static void install_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_interrupt;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGQUIT, &sa, NULL);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
}

static void setenv_or_die(const char *name, const char *value) {
  if (setenv(name, value, 1) != 0) _exit(STAT_EXIT_NOTFOUND);
}

/* In the child: the environment hakmem reads, then exec. */
static void child(const struct stat_opts *o, const char *lib, const char *dir, const char *file, int errfd) {
  const char *old = getenv("LD_PRELOAD");
  size_t n = strlen(lib) + (old ? strlen(old) + 2 : 1);
  char *preload = malloc(n);
  if (!preload) _exit(STAT_EXIT_NOTFOUND);
  snprintf(preload, n, "%s%s%s", lib, old && *old ? ":" : "", old && *old ? old : "");
  setenv_or_die("LD_PRELOAD", preload);
  setenv_or_die("HAKMEM_TIMING", "1");
  setenv_or_die("HAKMEM_TIMING_FORMAT", "json");
  setenv_or_die("HAKMEM_TIMING_DIR", dir);
  setenv_or_die("HAKMEM_TIMING_FILE", file); /* for a library from before HAKMEM_TIMING_DIR */
  setenv_or_die("HAKMEM_TIMING_QUIET", "1");
  if (o->mode) setenv_or_die("HAKMEM_MODE", o->mode);
  if (o->events) setenv_or_die("HAKMEM_PMU", o->events);
  execvp(o->argv[0], o->argv);
  int e = errno;
  ssize_t w = write(errfd, &e, sizeof e);
  (void)w;
  _exit(e == ENOENT || e == ENOTDIR ? STAT_EXIT_NOTFOUND : STAT_EXIT_NOEXEC);
}

static double tv_s(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

/* The private directory for the reports: in TMPDIR, else in /tmp. A TMPDIR that is gone or not
 * writable is no reason to refuse the run (the reports only pass through). */
static int make_dir(char *dir, size_t cap) {
  const char *tmpdir = getenv("TMPDIR");
  int e = 0;
  if (tmpdir && *tmpdir) {
    snprintf(dir, cap, "%s/hakmem-stat.XXXXXX", tmpdir);
    if (mkdtemp(dir)) return 0;
    e = errno;
  }
  /* A tmpfs where there is one: every process makes a file in the directory, which takes some
   * 0.3 ms on a journalled disk under load, a few microseconds in memory. */
  snprintf(dir, cap, "/dev/shm/hakmem-stat.XXXXXX");
  if (mkdtemp(dir)) return 0;
  snprintf(dir, cap, "/tmp/hakmem-stat.XXXXXX");
  if (mkdtemp(dir)) return 0;
  if (e)
    fprintf(stderr, "hakmem-stat: cannot create a directory for the reports in TMPDIR=%s (%s) or /tmp (%s)\n", tmpdir,
            strerror(e), strerror(errno));
  else
    fprintf(stderr, "hakmem-stat: cannot create a directory for the reports in /tmp: %s\n", strerror(errno));
  return -1;
}

/* rusage of one more reaped process into the run's. */
static void add_usage(struct rusage *to, const struct rusage *u) {
  to->ru_utime.tv_sec += u->ru_utime.tv_sec;
  to->ru_utime.tv_usec += u->ru_utime.tv_usec;
  to->ru_stime.tv_sec += u->ru_stime.tv_sec;
  to->ru_stime.tv_usec += u->ru_stime.tv_usec;
  if (u->ru_maxrss > to->ru_maxrss) to->ru_maxrss = u->ru_maxrss;
  to->ru_minflt += u->ru_minflt;
  to->ru_majflt += u->ru_majflt;
}

/* hakmem-stat is the subreaper of everything the command starts (PR_SET_CHILD_SUBREAPER): the
 * command's orphans come back to it when their parent exits first, and their collection files learn
 * how they ended, as those of processes reaped by a parent on hakmem do (src/collect_end.c). With
 * pid: waits until the command itself ends (*st); without: takes what has ended already. */
static void reap(const char *dir, pid_t pid, int *st, struct rusage *ru) {
  for (;;) {
    int s;
    struct rusage one;
    pid_t w = wait4(-1, &s, pid ? 0 : WNOHANG, &one);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    if (WIFEXITED(s) || WIFSIGNALED(s)) hkm_collect_mark_reaped(dir, (int)w, s);
    add_usage(ru, &one);
    if (pid && w == pid) {
      *st = s;
      return;
    }
  }
}

/* The collection directory and everything the processes left in it. */
static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[PATH_MAX + 256];
  while (d && (e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
  if (d) closedir(d);
  rmdir(dir);
}

int stat_run(const struct stat_opts *o, const char *lib, struct run_result *r) {
  memset(r, 0, sizeof *r);
  char dir[PATH_MAX], file[PATH_MAX + 32];
  if (make_dir(dir, sizeof dir) != 0) return STAT_EXIT_FAIL;
  snprintf(file, sizeof file, "%s/profile.jsonl", dir);

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    fprintf(stderr, "hakmem-stat: pipe: %s\n", strerror(errno));
    remove_dir(dir);
    return STAT_EXIT_FAIL;
  }
  install_handlers();
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  fflush(NULL);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "hakmem-stat: fork: %s\n", strerror(errno));
    close(pipefd[0]);
    close(pipefd[1]);
    remove_dir(dir);
    return STAT_EXIT_FAIL;
  }
  if (pid == 0) {
    close(pipefd[0]);
    child(o, lib, dir, file, pipefd[1]);
  }
  child_pid = pid;
  if (pending_sig) kill(pid, pending_sig); /* arrived between fork and here */
  close(pipefd[1]);

  int err = 0;
  ssize_t got;
  while ((got = read(pipefd[0], &err, sizeof err)) < 0 && errno == EINTR) {
  }
  close(pipefd[0]);

  int st = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  reap(dir, pid, &st, &ru);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  child_pid = 0;
  reap(dir, 0, NULL, &ru); /* orphans that ended meanwhile */

  if (got == (ssize_t)sizeof err) {
    fprintf(stderr, "hakmem-stat: cannot run '%s': %s\n", o->argv[0], strerror(err));
    remove_dir(dir);
    return err == ENOENT || err == ENOTDIR ? STAT_EXIT_NOTFOUND : STAT_EXIT_NOEXEC;
  }
  if (WIFSIGNALED(st)) {
    r->signaled = 1;
    r->status = 128 + WTERMSIG(st);
  } else {
    r->status = WEXITSTATUS(st);
  }
  r->t.wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  r->t.user_s = tv_s(ru.ru_utime);
  r->t.sys_s = tv_s(ru.ru_stime);
  r->t.maxrss_kib = (double)ru.ru_maxrss;
  r->t.minflt = (double)ru.ru_minflt;
  r->t.majflt = (double)ru.ru_majflt;

  if (stat_collect_read(dir, r) != 0) fprintf(stderr, "hakmem-stat: cannot read %s: %s\n", dir, strerror(errno));
  stat_collect_print_warnings(stderr, r);
  remove_dir(dir);
  return 0;
}

int stat_stop_requested(void) { return pending_sig != 0; }
