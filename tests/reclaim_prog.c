/* Drives hakmem's deferred release (reclaim.c) through its observable effects: RSS falling after
 * large frees, contents intact under concurrency, fork and thread exit with work queued.
 *   reclaim_prog MODE [seccomp]
 * MODE: rss | region-decay (hot region spans time out) | fork | threads | exit-thread | locked (blocks mlock()ed before their free) | calloc |
 * calloc-locked (calloc over ranges whose pages were dropped must read zero) | coalesce (neighbouring ranges of a batch go in one munmap) |
 * locked-between (a batch of locked blocks does not turn process_madvise off for the later ones) |
 * busy-ring (a ring that empties and refills at every free wakes the helper about once per delay) |
 * class-reuse (a block a little larger than one just freed gets that mapping and its pages) |
 * class-rlimit (an address-space limit that holds a request but not its size step) |
 * big-now (with HAKMEM_RECLAIM_DELAY_MS=10000, a released range of 2 MiB or more does not wait for it). "seccomp" first makes io_uring_setup fail with EPERM, as
 * in a container. EXPECT_BACKEND (uring|thread|sync) names the backend the stats must report. */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hakmem.h"
#include "seccomp_deny.h"

#define MiB ((size_t)1 << 20)
#define FAIL(...) (fprintf(stderr, "reclaim_prog: " __VA_ARGS__), fputc('\n', stderr), exit(1))

/* The process's address space and resident set in bytes, from /proc/self/statm. */
static void statm(long *size, long *res) {
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f || fscanf(f, "%ld %ld", size, res) != 2) FAIL("cannot read /proc/self/statm");
  fclose(f);
  *size *= sysconf(_SC_PAGESIZE);
  *res *= sysconf(_SC_PAGESIZE);
}

static long rss_mib(void) {
  long size, res;
  statm(&size, &res);
  return res / (long)MiB;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* RSS must come back to within limit MiB of base: the documented delay (10 ms) plus the kernel's time
 * to drop the pages, with a wide margin for this noisy machine. */
static void expect_rss_within(long base, long limit, const char *what) {
  double t0 = now_s();
  long r;
  while ((r = rss_mib()) > base + limit) {
    if (now_s() - t0 > 5.0) FAIL("%s: RSS still %ld MiB after 5 s (was %ld MiB before)", what, r, base);
    usleep(5000);
  }
  printf("%s: RSS back to %ld MiB (base %ld) after %.0f ms\n", what, r, base, (now_s() - t0) * 1e3);
}

static void expect_rss_back(long base, const char *what) { expect_rss_within(base, 32, what); }

static void fill(unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i += 4096) p[i] = (unsigned char)(seed + i / 4096);
  p[n - 1] = (unsigned char)seed;
}

static void check(const unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i += 4096)
    if (p[i] != (unsigned char)(seed + i / 4096)) FAIL("block %p (%zu bytes) corrupted at %zu", (void *)p, n, i);
  if (p[n - 1] != (unsigned char)seed) FAIL("block %p tail corrupted", (void *)p);
}

static int lock_blocks;
static size_t whale_frees;

/* 512 MiB of whale blocks of distinct sizes, so the ring evicts constantly. */
static void alloc_free_whales(size_t total, unsigned seed) {
  enum { N = 128 };
  unsigned char *p[N];
  size_t sz[N], n = 0, sum = 0;
  for (; n < N && sum < total; n++) {
    sz[n] = 3 * MiB + (n % 16) * 64 * 1024 + (seed % 7) * 4096;
    if (!(p[n] = malloc(sz[n]))) FAIL("malloc(%zu) failed", sz[n]);
    fill(p[n], sz[n], seed + (unsigned)n);
    /* madvise refuses locked pages (EINVAL): the helper, which drops pages before it unmaps, must
     * still unmap them */
    if (lock_blocks && mlock(p[n], sz[n]) != 0) {
      printf("mlock: %s: skipped\n", strerror(errno));
      exit(77);
    }
    sum += sz[n];
  }
  for (size_t i = 0; i < n; i++) {
    check(p[i], sz[i], seed + (unsigned)i);
    free(p[i]);
  }
  whale_frees += n;
}

/* hak_stats_print's text into *text (replacing what was there). */
static void stats_text(char **text) {
  static size_t len;
  free(*text);
  FILE *f = open_memstream(text, &len);
  if (!f) FAIL("open_memstream: %s", strerror(errno));
  hak_stats_print(f);
  fclose(f);
}

/* hakmem's munmap and madvise calls so far (process_madvise counts as a madvise). */
static void os_calls(size_t *munmaps, size_t *madvises) {
  char *text = NULL;
  stats_text(&text);
  const char *ml = strstr(text, "mmap, ");
  if (!ml || sscanf(ml, "mmap, %zu munmap, %zu madvise", munmaps, madvises) != 2) FAIL("cannot parse the statistics:\n%s", text);
  free(text);
}

/* The statistics count a range once its batch has completed, which may be after RSS already fell:
 * wait (bounded) for the count to show. EXPECT_ALL_RELEASED=1 (with HAKMEM_WHALE_SLOTS=0
 * HAKMEM_REGION_CAP_MB=0, nothing may be kept): every whale free must have become a range. */
static void check_stats(void) {
  const char *want = getenv("EXPECT_BACKEND");
  size_t want_ranges = getenv("EXPECT_ALL_RELEASED") ? whale_frees : 1;
  char *text = NULL;
  size_t ranges = 0, batches = 0, madvises = 0, pm_drops = 0;
  char backend[16] = "";
  double t0 = now_s();
  for (;;) {
    stats_text(&text);
    const char *rl = strstr(text, "reclaim ");
    const char *ml = strstr(text, "mmap, ");
    const char *pl = strstr(text, "long spans (");
    if (!rl || !ml || !pl || sscanf(rl, "reclaim %*u bytes in %zu ranges, %zu batches (backend %15[a-z]", &ranges, &batches, backend) != 3 ||
        sscanf(ml, "mmap, %*u munmap, %zu madvise", &madvises) != 1 || sscanf(pl, "long spans (%zu madvise", &pm_drops) != 1)
      FAIL("cannot parse the statistics:\n%s", text);
    if (ranges >= want_ranges || now_s() - t0 > 5.0) break;
    usleep(5000);
  }
  if (ranges < want_ranges) FAIL("%zu ranges went through reclaim within 5 s, expected %zu:\n%s", ranges, want_ranges, text);
  if (want && strcmp(want, backend) != 0) FAIL("backend is %s, expected %s:\n%s", backend, want, text);
  /* The uring backend drops the region cache's pages through IORING_OP_MADVISE, with no madvise
   * system call; ranges it unmaps lose their pages first through one process_madvise per batch (per
   * 256 ranges), never one madvise per range. The page map's own (emptied leaf pages) do not count. */
  if (!strcmp(backend, "uring") && madvises - pm_drops > batches + ranges / 256)
    FAIL("uring backend made %zu madvise calls for %zu ranges in %zu batches:\n%s", madvises, ranges, batches, text);
  printf("backend %s, %zu ranges, %zu madvise calls\n", backend, ranges, madvises);
  free(text);
}

/* 64 MiB of 512 KiB blocks (L2.5 slabs of 2 MiB) freed: the region cache may keep 32 MiB of the
 * slabs' pages, but beyond 8 MiB only until HAKMEM_RECLAIM_DELAY_MS passes (with the sync backend,
 * never). Then RSS must be within those 8 MiB, the one empty slab the thread keeps (2 MiB) and 4 MiB
 * of margin of base. */
static void region_decay(long base) {
  enum { N = 128, SZ = 512 * 1024 };
  unsigned char *p[N];
  for (unsigned i = 0; i < N; i++) {
    if (!(p[i] = malloc(SZ))) FAIL("malloc(%d) failed", SZ);
    fill(p[i], SZ, i);
  }
  for (unsigned i = 0; i < N; i++) {
    check(p[i], SZ, i);
    free(p[i]);
  }
  printf("region-decay: RSS %ld MiB right after the frees (base %ld)\n", rss_mib(), base);
  expect_rss_within(base, 14, "region-decay");
}

static void deny_io_uring(void) {
  if (deny_syscall(__NR_io_uring_setup, EPERM) != 0) FAIL("cannot install the seccomp filter: %s", strerror(errno));
}

struct slot {
  pthread_mutex_t lock;
  unsigned char *p;
  size_t n;
  unsigned seed;
};
static struct slot slots[16];

static void *thread_body(void *arg) {
  unsigned id = (unsigned)(size_t)arg;
  for (unsigned i = 0; i < 40; i++) {
    size_t n = 2 * MiB + 4096 + ((id * 131 + i * 17) % 160) * 64 * 1024;
    unsigned seed = id * 1000 + i;
    unsigned char *p = malloc(n);
    if (!p) FAIL("malloc(%zu) failed", n);
    fill(p, n, seed);
    struct slot *s = &slots[(id * 7 + i) % 16];
    pthread_mutex_lock(&s->lock);
    unsigned char *old = s->p;
    size_t on = s->n;
    unsigned os = s->seed;
    s->p = p, s->n = n, s->seed = seed;
    pthread_mutex_unlock(&s->lock);
    if (old) { /* most likely another thread's block: a cross-thread free */
      check(old, on, os);
      free(old);
    }
  }
  return NULL;
}

/* Whale blocks filled, freed into the region cache (whose pages the helper drops), then calloc'ed
 * again: a best fit hands the same ranges back, and they must read zero however the drop went
 * (MADV_FREE keeps the old data until the kernel needs the memory; madvise fails on locked pages). */
static void calloc_after_drop(void) {
  enum { N = 24 };
  unsigned char *p[N];
  size_t sz[N];
  for (size_t i = 0; i < N; i++) {
    sz[i] = 3 * MiB + i * 64 * 1024;
    if (!(p[i] = malloc(sz[i]))) FAIL("malloc(%zu) failed", sz[i]);
    memset(p[i], 0xa5, sz[i]);
    if (lock_blocks && mlock(p[i], sz[i]) != 0) {
      printf("mlock: %s: skipped\n", strerror(errno));
      exit(77);
    }
  }
  for (size_t i = 0; i < N; i++) free(p[i]);
  malloc_trim(0); /* every release done */
  size_t reused = 0;
  for (size_t i = 0; i < N; i++) {
    unsigned char *q = calloc(1, sz[i]);
    if (!q) FAIL("calloc(%zu) failed", sz[i]);
    for (size_t j = 0; j < N; j++) reused += q < p[j] + sz[j] && p[j] < q + sz[i]; /* the same address space */
    for (size_t o = 0; o < sz[i]; o += 512)
      if (q[o]) FAIL("calloc(%zu) = %p: byte %zu is 0x%02x", sz[i], (void *)q, o, q[o]);
    p[i] = q;
  }
  for (size_t i = 0; i < N; i++) free(p[i]);
  printf("calloc: %zu of %d blocks over released ranges, all zero\n", reused, N);
  if (!reused) FAIL("no calloc reused a released range: the test proves nothing");
}

/* 32 whale blocks mapped one after the other (the kernel places them side by side), freed with
 * nothing kept, released in one batch by malloc_trim: a deferred backend unmaps neighbours together,
 * at most one munmap per 4 ranges (in practice one or two for all); sync unmaps each at its free
 * (trim may add a few ranges of its own, hence "at least"). */
/* The helper takes the queue whenever it wakes, and a range of 2 MiB or more wakes it (big-now): on
 * a loaded machine it can wake between the frees and take the ranges in many small batches (a CI run
 * saw 9 munmap calls where 1-3 are usual). So a threaded backend gets up to five tries; a batch that
 * does not merge its neighbours fails every one. */
static void coalesce(const char *backend) {
  enum { N = 32, TRIES = 5 };
  int sync = !strcmp(backend, "sync");
  for (int try = 1;; try++) {
    unsigned char *p[N];
    for (unsigned i = 0; i < N; i++) {
      size_t n = 3 * MiB + i * 64 * 1024;
      if (!(p[i] = malloc(n))) FAIL("malloc(%zu) failed", n);
      fill(p[i], n, i);
    }
    size_t before, after, madvises;
    os_calls(&before, &madvises);
    for (unsigned i = 0; i < N; i++) free(p[(i * 7) % N]); /* not in address order */
    malloc_trim(0);
    os_calls(&after, &madvises);
    size_t calls = after - before;
    printf("coalesce: %d ranges unmapped with %zu munmap calls (backend %s, try %d)\n", N, calls, backend, try);
    if (sync ? calls >= N : calls <= N / 4) return;
    if (sync || try == TRIES) FAIL("%zu munmap calls for %d ranges", calls, N);
  }
}

/* Times every thread but this one got a CPU (schedstat's third field): the release helper's wakes. */
static long long helper_runs(int *threads) {
  char path[300];
  long long sum = 0, ns, wait, runs;
  long self = (long)syscall(SYS_gettid);
  DIR *d = opendir("/proc/self/task");
  if (!d) FAIL("cannot open /proc/self/task");
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.' || atol(e->d_name) == self) continue;
    snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue; /* a thread that just ended */
    if (fscanf(f, "%lld %lld %lld", &ns, &wait, &runs) == 3) {
      sum += runs;
      ++*threads;
    }
    fclose(f);
  }
  closedir(d);
  return sum;
}

/* A whale block taken, written and freed in a loop: the whale ring is empty but for the moment
 * between a free and the next malloc. The helper must still sleep through the loop, waking about
 * once per delay to look at the ring (it used to be woken at nearly every free: whale_evict spent
 * 6 us per free in futex wakes), and must still give back a mapping left in the ring. */
static void busy_ring(long base) {
  const double secs = 0.3;
  long delay_ms = getenv("HAKMEM_RECLAIM_DELAY_MS") ? atol(getenv("HAKMEM_RECLAIM_DELAY_MS")) : 10;
  unsigned char *p = malloc(64 * MiB);
  if (!p) FAIL("malloc failed");
  fill(p, 64 * MiB, 1);
  free(p); /* starts the helper before the count */
  int threads = 0;
  long long before = helper_runs(&threads);
  const char *backend = getenv("EXPECT_BACKEND");
  if (threads == 0 && backend && strcmp(backend, "sync"))
    FAIL("no helper thread's /proc/self/task/*/schedstat to read (backend %s)", backend);
  double t0 = now_s();
  long rounds = 0;
  for (; now_s() - t0 < secs; rounds++) {
    if (!(p = malloc(3 * MiB))) FAIL("malloc failed");
    for (size_t i = 0; i < 3 * MiB; i += 16 * 4096) p[i] = (unsigned char)rounds;
    free(p);
  }
  double ms = (now_s() - t0) * 1e3;
  long long runs = helper_runs(&threads) - before, most = 3 * (long long)(ms / delay_ms) + 10;
  printf("busy-ring: %ld frees in %.0f ms, the helper ran %lld times (at most %lld)\n", rounds, ms, runs, most);
  if (runs > most) FAIL("the helper ran %lld times in %.0f ms while nothing was released", runs, ms);
  if (!(p = malloc(96 * MiB))) FAIL("malloc failed");
  fill(p, 96 * MiB, 2);
  free(p);
  expect_rss_back(base, "busy-ring");
}

static long minor_faults(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

/* A whale block freed and then asked for again a little larger (a buffer that grows, the next file of
 * a batch) is served by the mapping just freed, pages and all, rather than by a fresh mapping whose
 * every page faults again. */
static void class_reuse(void) {
  size_t first = 8 * MiB + 100 * 1024, second = 8 * MiB + 400 * 1024;
  unsigned char *p = malloc(first);
  if (!p) FAIL("malloc failed");
  fill(p, first, 3);
  free(p);
  long before = minor_faults();
  unsigned char *q = malloc(second);
  if (!q) FAIL("malloc failed");
  fill(q, first, 4);
  long faults = minor_faults() - before;
  printf("class-reuse: %zu bytes after %zu: %s mapping, %ld page faults writing %zu pages\n", second, first,
         q == p ? "the same" : "another", faults, first / 4096);
  if (q != p || faults > 64) FAIL("a slightly larger block did not reuse the mapping just freed");
  free(q);
}

/* Under an address-space limit that holds the request but not its size step (66 MiB -> 80 MiB),
 * malloc still succeeds. */
static void class_rlimit(void) {
  long size, res;
  statm(&size, &res);
  struct rlimit rl;
  rl.rlim_cur = rl.rlim_max = (rlim_t)size + 72 * MiB;
  if (setrlimit(RLIMIT_AS, &rl) != 0) FAIL("setrlimit: %s", strerror(errno));
  unsigned char *p = malloc(66 * MiB);
  printf("class-rlimit: malloc(66 MiB) with 72 MiB of address space left: %s\n", p ? "ok" : strerror(errno));
  if (!p) FAIL("malloc(66 MiB) failed under a limit that holds it");
  fill(p, 66 * MiB, 5);
  free(p);
}

/* Locked blocks between unlocked ones: process_madvise refuses the locked batch (EINVAL), which then
 * goes the plain way, but the batches after it must get their one process_madvise again. */
static void locked_between(const char *backend) {
  size_t munmaps, before, after;
  alloc_free_whales(64 * MiB, 11);
  malloc_trim(0);
  lock_blocks = 1;
  alloc_free_whales(64 * MiB, 12);
  malloc_trim(0);
  lock_blocks = 0;
  os_calls(&munmaps, &before);
  alloc_free_whales(64 * MiB, 13);
  malloc_trim(0);
  os_calls(&munmaps, &after);
  printf("locked-between: %zu madvise calls for the unlocked blocks after the locked ones (backend %s)\n",
         after - before, backend);
  if (strcmp(backend, "sync") && after == before) FAIL("no process_madvise after the locked batch");
}

static void *exit_with_work(void *arg) {
  (void)arg;
  alloc_free_whales(256 * MiB, 77);
  return NULL; /* ranges are still queued as this thread ends */
}

int main(int argc, char **argv) {
  if (argc < 2) FAIL("usage: reclaim_prog rss|region-decay|big-now|fork|threads|exit-thread|locked|calloc|calloc-locked|coalesce|locked-between|busy-ring|class-reuse|class-rlimit [seccomp]");
  if (argc > 2 && !strcmp(argv[2], "seccomp")) deny_io_uring();
  const char *mode = argv[1];
  long base = rss_mib();
  if (!strcmp(mode, "rss")) {
    alloc_free_whales(512 * MiB, 1);
    expect_rss_back(base, "rss");
  } else if (!strcmp(mode, "region-decay")) {
    region_decay(base);
  } else if (!strcmp(mode, "calloc") || !strcmp(mode, "calloc-locked")) {
    lock_blocks = !strcmp(mode, "calloc-locked");
    calloc_after_drop();
    return 0; /* locked ranges take the plain madvise path: check_stats's uring rule does not apply */
  } else if (!strcmp(mode, "coalesce")) {
    const char *b = getenv("EXPECT_BACKEND");
    if (!b) FAIL("coalesce needs EXPECT_BACKEND");
    coalesce(b);
  } else if (!strcmp(mode, "class-reuse")) {
    class_reuse();
    return 0; /* nothing was released: check_stats's count does not apply */
  } else if (!strcmp(mode, "class-rlimit")) {
    class_rlimit();
    return 0; /* the limit leaves no room for the statistics' checks */
  } else if (!strcmp(mode, "big-now")) {
    /* One range of 64 MiB: a batch of one, far below HAKMEM_RECLAIM_BATCH, that must go at once. */
    size_t n = 64 * MiB;
    unsigned char *p = malloc(n);
    if (!p) FAIL("malloc(%zu) failed", n);
    fill(p, n, 9);
    if (rss_mib() < base + 48) FAIL("big-now: RSS %ld MiB after filling 64 MiB (base %ld)", rss_mib(), base);
    check(p, n, 9);
    free(p);
    expect_rss_within(base, 16, "big-now");
  } else if (!strcmp(mode, "busy-ring")) {
    busy_ring(base);
  } else if (!strcmp(mode, "locked-between")) {
    const char *b = getenv("EXPECT_BACKEND");
    if (!b) FAIL("locked-between needs EXPECT_BACKEND");
    locked_between(b);
    expect_rss_back(base, "locked-between");
  } else if (!strcmp(mode, "locked")) {
    lock_blocks = 1;
    alloc_free_whales(256 * MiB, 5);
    expect_rss_back(base, "locked");
  } else if (!strcmp(mode, "fork")) {
    alloc_free_whales(256 * MiB, 2); /* releases still pending when we fork */
    pid_t pid = fork();
    if (pid < 0) FAIL("fork: %s", strerror(errno));
    if (pid == 0) {
      long cbase = rss_mib();
      alloc_free_whales(128 * MiB, 3);
      expect_rss_back(cbase + 32 > base + 32 ? cbase : base, "fork child");
      check_stats();
      exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) FAIL("the child failed (status %d)", st);
    expect_rss_back(base, "fork parent");
  } else if (!strcmp(mode, "threads")) {
    for (int i = 0; i < 16; i++) pthread_mutex_init(&slots[i].lock, NULL);
    pthread_t t[8];
    for (size_t i = 0; i < 8; i++) pthread_create(&t[i], NULL, thread_body, (void *)i);
    for (int i = 0; i < 8; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 16; i++)
      if (slots[i].p) {
        check(slots[i].p, slots[i].n, slots[i].seed);
        free(slots[i].p);
      }
    expect_rss_back(base, "threads");
  } else if (!strcmp(mode, "exit-thread")) {
    pthread_t t;
    pthread_create(&t, NULL, exit_with_work, NULL);
    pthread_join(t, NULL);
    expect_rss_back(base, "exit-thread");
  } else {
    FAIL("unknown mode %s", mode);
  }
  check_stats();
  return 0;
}
