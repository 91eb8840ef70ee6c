/* Workloads for the PMU tests: page faults on memory from a known tier and call site.
 *   pmu_prog [seccomp|seccomp-enoent] MODE
 * MODE: whale (64 MiB from the whale tier, every 4 KiB page touched, call site 0x5170),
 *       whale-thread (the same from a thread created after hakmem started),
 *       small SIZE (64 MiB in SIZE-byte blocks, every page touched),
 *       mixed (blocks of every tier, filled and checked),
 *       steady (200 blocks of 1 KiB kept, their refills' page faults all in the calls timed first,
 *       then a million mallocs and frees of one more that take no fault),
 *       runs (200,000 mallocs of 40 KiB, each freed at once: page runs from the thread's cache,
 *       measured inside every malloc and free),
 *       probe (prints cycles=1 when this machine
 *       can count user-space cycles, cycles=0 when not).
 * "seccomp" first makes perf_event_open fail with EACCES ("seccomp-enoent": with ENOENT, as on a
 * machine without a PMU), then runs MODE in a fresh image (hakmem opens its sampler at startup, so
 * the filter has to be in place before the program starts). */
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hakmem.h"
#include "seccomp_deny.h"

#define FAIL(...) (fprintf(stderr, "pmu_prog: " __VA_ARGS__), fputc('\n', stderr), exit(1))
#define AREA ((size_t)64 << 20)
#define PAGE 4096
#define SITE ((hak_callsite_t)(uintptr_t)0x5170)

static void touch_whale(void) {
  char *p = hak_alloc_at(AREA, SITE);
  if (!p) FAIL("hak_alloc_at(64 MiB) failed");
  for (size_t i = 0; i < AREA; i += PAGE) p[i] = (char)(i >> 12);
  for (size_t i = 0; i < AREA; i += PAGE)
    if (p[i] != (char)(i >> 12)) FAIL("whale block corrupted at %zu", i);
  hak_free_at(p, AREA, SITE);
}

static void *thread_main(void *arg) {
  (void)arg;
  touch_whale();
  return NULL;
}

static void small(size_t size) {
  size_t n = AREA / size;
  unsigned char **v = malloc(n * sizeof *v);
  if (!v) FAIL("malloc of the pointer array failed");
  for (size_t i = 0; i < n; i++) {
    if (!(v[i] = malloc(size))) FAIL("malloc(%zu) failed", size);
    memset(v[i], (int)(i & 0xff), size);
  }
  for (size_t i = 0; i < n; i++) {
    if (v[i][0] != (unsigned char)(i & 0xff) || v[i][size - 1] != (unsigned char)(i & 0xff))
      FAIL("block %zu corrupted", i);
    free(v[i]);
  }
  free(v);
}

static void runs(void) {
  for (int i = 0; i < 200000; i++) {
    unsigned char *p = malloc(40960);
    if (!p) FAIL("malloc(40960) failed");
    p[0] = (unsigned char)i;
    free(p);
  }
}

static void mixed(void) {
  static const size_t sizes[] = {8, 100, 1000, 5000, 30000, 100000, 900000, 1500000, 3000000, 9000000};
  enum { N = sizeof sizes / sizeof sizes[0], REP = 20 };
  unsigned char *v[N][REP];
  for (int r = 0; r < REP; r++)
    for (int i = 0; i < N; i++) {
      if (!(v[i][r] = malloc(sizes[i]))) FAIL("malloc(%zu) failed", sizes[i]);
      memset(v[i][r], i + r, sizes[i]);
    }
  for (int r = 0; r < REP; r++)
    for (int i = 0; i < N; i++) {
      for (size_t k = 0; k < sizes[i]; k += 997)
        if (v[i][r][k] != (unsigned char)(i + r)) FAIL("block of %zu bytes corrupted", sizes[i]);
      free(v[i][r]);
    }
}

static void steady(void) {
  enum { KEPT = 200 };
  static unsigned char *kept[KEPT];
  for (int i = 0; i < KEPT; i++)
    if (!(kept[i] = malloc(1024))) FAIL("malloc(1024) failed");
  for (long i = 0; i < 1000000; i++) {
    unsigned char *p = malloc(1024);
    if (!p) FAIL("malloc(1024) failed");
    p[0] = (unsigned char)i;
    free(p);
  }
  for (int i = 0; i < KEPT; i++) free(kept[i]);
}

static void probe(void) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.type = PERF_TYPE_HARDWARE;
  a.config = PERF_COUNT_HW_CPU_CYCLES;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
  printf("cycles=%d\n", fd >= 0);
  if (fd >= 0) close((int)fd);
}

static void deny_perf_event_open(char **argv, int err) {
  if (deny_syscall(SYS_perf_event_open, err) != 0) FAIL("cannot install the seccomp filter: %s", strerror(errno));
  execv("/proc/self/exe", argv);
  FAIL("cannot re-execute: %s", strerror(errno));
}

int main(int argc, char **argv) {
  if (argc > 2 && (!strcmp(argv[1], "seccomp") || !strcmp(argv[1], "seccomp-enoent"))) {
    int err = !strcmp(argv[1], "seccomp") ? EACCES : ENOENT;
    argv[1] = argv[0];
    deny_perf_event_open(argv + 1, err);
  }
  if (argc < 2) FAIL("usage: pmu_prog [seccomp|seccomp-enoent] whale|whale-thread|small SIZE|runs|mixed|steady|probe");
  /* Transparent huge pages would turn 16384 faults into 32: the tests count 4 KiB pages. */
  prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
  const char *m = argv[1];
  if (!strcmp(m, "whale")) {
    touch_whale();
  } else if (!strcmp(m, "whale-thread")) {
    pthread_t t;
    if (pthread_create(&t, NULL, thread_main, NULL) || pthread_join(t, NULL)) FAIL("thread failed");
  } else if (!strcmp(m, "runs")) {
    runs();
  } else if (!strcmp(m, "small") && argc > 2) {
    small((size_t)strtoul(argv[2], NULL, 10));
  } else if (!strcmp(m, "mixed")) {
    mixed();
  } else if (!strcmp(m, "steady")) {
    steady();
  } else if (!strcmp(m, "probe")) {
    probe();
  } else {
    FAIL("unknown mode %s", m);
  }
  return 0;
}
