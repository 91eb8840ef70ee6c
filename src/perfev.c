/* Event names to perf_event_attr, and opening them (see perfev.h). */
#include "config.h"

#if defined(PIC)
#include <dlfcn.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "compiler.h"
#include "options.h"
#include "perfev.h"

/* perf's generic event names, known without libpfm4: for a build --without-pfm, a static program
 * (which does not load libpfm4) or a machine without libpfm.so.4. */
#define HW_CACHE(c, op, res) \
  (PERF_COUNT_HW_CACHE_##c | PERF_COUNT_HW_CACHE_OP_##op << 8 | PERF_COUNT_HW_CACHE_RESULT_##res << 16)
static const struct generic_event {
  const char *name;
  unsigned type;
  unsigned long long config;
} generic[] = {
    {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
    {"cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
    {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
    {"cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES},
    {"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
    {"branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS},
    {"branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS},
    {"branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES},
    {"bus-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES},
    {"ref-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES},
    {"stalled-cycles-frontend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND},
    {"stalled-cycles-backend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND},
    {"cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK},
    {"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
    {"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
    {"faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
    {"minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN},
    {"major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ},
    {"context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS},
    {"migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS},
    {"alignment-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS},
    {"emulation-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS},
    {"L1-dcache-loads", PERF_TYPE_HW_CACHE, HW_CACHE(L1D, READ, ACCESS)},
    {"L1-dcache-load-misses", PERF_TYPE_HW_CACHE, HW_CACHE(L1D, READ, MISS)},
    {"LLC-loads", PERF_TYPE_HW_CACHE, HW_CACHE(LL, READ, ACCESS)},
    {"LLC-load-misses", PERF_TYPE_HW_CACHE, HW_CACHE(LL, READ, MISS)},
    {"dTLB-loads", PERF_TYPE_HW_CACHE, HW_CACHE(DTLB, READ, ACCESS)},
    {"dTLB-load-misses", PERF_TYPE_HW_CACHE, HW_CACHE(DTLB, READ, MISS)},
    {"iTLB-loads", PERF_TYPE_HW_CACHE, HW_CACHE(ITLB, READ, ACCESS)},
    {"iTLB-load-misses", PERF_TYPE_HW_CACHE, HW_CACHE(ITLB, READ, MISS)},
};

static int generic_encode(const char *name, struct perf_event_attr *attr) {
  for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
    if (!strcmp(name, generic[i].name)) {
      attr->type = generic[i].type;
      attr->config = generic[i].config;
      return 0;
    }
  return -1;
}

/* libtool compiles the shared library's objects with -DPIC and libhakmem.a's without. The archive,
 * which static programs link, never refers to dlopen: a static link warns about it, and a static
 * program can load libpfm.so.4 only from the very glibc it was linked with. It knows perf's generic
 * names only (hakmem(3) says so). */
#if HKM_HAVE_PFM && defined(PIC)
/* libpfm4 is loaded on first use, not linked: its relocated event tables would cost every process
 * ~1.6 MiB of RSS (measured: /bin/true under hakmem, 3368 KB linked, 1716 KB without). */
static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_status = -1;
static HKM_COLD_BSS char pfm_load_error[160];
static pfm_err_t (*p_initialize)(void);
static pfm_err_t (*p_encode)(const char *, int, pfm_os_t, void *);
static const char *(*p_strerror)(int);

static void pfm_start(void) {
  void *h = dlopen(HKM_PFM_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h) {
    *(void **)&p_initialize = dlsym(h, "pfm_initialize");
    *(void **)&p_encode = dlsym(h, "pfm_get_os_event_encoding");
    *(void **)&p_strerror = dlsym(h, "pfm_strerror");
  }
  if (!h || !p_initialize || !p_encode || !p_strerror) {
    const char *e = dlerror();
    snprintf(pfm_load_error, sizeof pfm_load_error, "cannot load %s: %s", HKM_PFM_SONAME, e ? e : "symbol missing");
    return;
  }
  pfm_status = p_initialize();
  if (pfm_status != PFM_SUCCESS)
    snprintf(pfm_load_error, sizeof pfm_load_error, "libpfm4 did not initialize: %s", p_strerror(pfm_status));
}

/* 0, -1 for a name libpfm4 does not know, or HKM_EVENT_UNAVAILABLE when libpfm4 is not there. */
static int pfm_encode(const char *name, struct perf_event_attr *attr, char *why, size_t whylen) {
  pthread_once(&pfm_once, pfm_start);
  if (pfm_load_error[0]) {
    snprintf(why, whylen, "%s", pfm_load_error);
    return HKM_EVENT_UNAVAILABLE;
  }
  pfm_perf_encode_arg_t arg;
  memset(&arg, 0, sizeof arg);
  arg.attr = attr;
  arg.size = sizeof arg;
  int r = p_encode(name, PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
  if (r != PFM_SUCCESS) {
    snprintf(why, whylen, "%s", p_strerror(r));
    return -1;
  }
  return 0;
}
#else
static int pfm_encode(const char *name, struct perf_event_attr *attr, char *why, size_t whylen) {
  (void)name;
  (void)attr;
  snprintf(why, whylen, HKM_HAVE_PFM ? "libhakmem.a does not load libpfm4" : "hakmem was built --without-pfm");
  return HKM_EVENT_UNAVAILABLE;
}
#endif

int hkm_event_encode(const char *name, struct perf_event_attr *attr, char *why, size_t whylen) {
  memset(attr, 0, sizeof *attr);
  int r = pfm_encode(name, attr, why, whylen);
  if (r == HKM_EVENT_UNAVAILABLE && generic_encode(name, attr) == 0)
    r = 0;
  else if (r == HKM_EVENT_UNAVAILABLE) {
    size_t n = strlen(why);
    snprintf(why + n, whylen - n, ": only perf's generic names");
  }
  if (r) return r;
  attr->size = sizeof *attr;
  attr->exclude_kernel = 1;
  attr->exclude_hv = 1;
  return 0;
}

int hkm_event_open_on(struct perf_event_attr *attr, int cpu, int group_fd) {
  long fd = syscall(SYS_perf_event_open, attr, 0, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
  return fd < 0 ? -1 : (int)fd;
}

int hkm_event_open(struct perf_event_attr *attr, int group_fd) { return hkm_event_open_on(attr, -1, group_fd); }

int hkm_event_split(const char *list, char names[][HKM_EVENT_NAME_MAX], int max, const char *var) {
  int n = 0;
  while (*list) {
    size_t len = strcspn(list, ",");
    if (len >= HKM_EVENT_NAME_MAX)
      hkm_warn("%s: event name '%.*s' is too long; ignored", var, (int)len, list);
    else if (len && n == max)
      hkm_warn("%s: at most %d events; '%.*s' ignored", var, max, (int)len, list);
    else if (len) {
      memcpy(names[n], list, len);
      names[n++][len] = 0;
    }
    list += len;
    if (*list == ',') list++;
  }
  return n;
}

/* A machine has a hardware PMU when it can count user-space cycles; most VMs cannot. */
static int have_hw_pmu(void) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.type = PERF_TYPE_HARDWARE;
  a.config = PERF_COUNT_HW_CPU_CYCLES;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  int fd = hkm_event_open(&a, -1);
  if (fd < 0) return errno != ENOENT && errno != EOPNOTSUPP && errno != ENODEV;
  close(fd);
  return 1;
}

/* perf_event_paranoid, or -99 when unreadable (no stdio: this may run inside the exit report). */
static int paranoid(void) {
  char s[16];
  int fd = open("/proc/sys/kernel/perf_event_paranoid", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -99;
  ssize_t n = read(fd, s, sizeof s - 1);
  close(fd);
  if (n <= 0) return -99;
  s[n] = 0;
  int neg = s[0] == '-', v = 0;
  for (const char *p = s + neg; *p >= '0' && *p <= '9'; p++) v = v * 10 + (*p - '0');
  return neg ? -v : v;
}

static const char *errno_name(int err) {
  switch (err) {
  case ENOENT: return "ENOENT";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case ENOSYS: return "ENOSYS";
  case ENODEV: return "ENODEV";
  case EINVAL: return "EINVAL";
  case EBUSY: return "EBUSY";
  case EMFILE: return "EMFILE";
  case ENFILE: return "ENFILE";
  case ENOSPC: return "ENOSPC";
  default: return NULL;
  }
}

const char *hkm_event_why(int err, const struct perf_event_attr *attr, char *buf, size_t len) {
  int hw = attr->type != PERF_TYPE_SOFTWARE && attr->type != PERF_TYPE_TRACEPOINT && attr->type != PERF_TYPE_BREAKPOINT;
  const char *why;
  char tmp[64];
  switch (err) {
  case ENOENT:
  case EOPNOTSUPP:
  case ENODEV:
    if (hw && !have_hw_pmu())
      why = "no hardware PMU on this machine: VMs often have none";
    else if (hw)
      why = err == EOPNOTSUPP ? "this CPU's PMU cannot count it this way" : "this CPU's PMU has no such event";
    else
      why = "this kernel has no such event";
    break;
  case EACCES:
  case EPERM: {
    int p = paranoid();
    if (p > 2) {
      snprintf(tmp, sizeof tmp, "not allowed: perf_event_paranoid is %d", p);
      why = tmp;
    } else {
      why = "not allowed: a seccomp policy or an LSM refused it, as containers do";
    }
    break;
  }
  case ENOSYS: why = "this kernel has no perf events"; break;
  case EINVAL: why = "the kernel refused its encoding on this CPU"; break;
  case EBUSY: why = "its counter is taken (another tool, the NMI watchdog)"; break;
  case EMFILE:
  case ENFILE: why = "no file descriptor left"; break;
  case ENOSPC: why = "more events than the PMU has counters"; break;
  default: why = strerror(err);
  }
  const char *name = errno_name(err);
  if (name)
    snprintf(buf, len, "%s (%s)", why, name);
  else
    snprintf(buf, len, "%s", why);
  return buf;
}
