/* Memory really goes back: after a program frees a large working set, its RSS falls back within the
 * documented delay. hakmem(3) and README: freed memory is returned within HAKMEM_RECLAIM_DELAY_MS
 * (10 ms) plus the kernel's time to drop the pages, except what the mode's caches keep; malloc_trim(0)
 * gives back everything cached at once. The kernel's time is allowed 2 s here, on a noisy machine.
 *   test_api_rss_returns CACHE_MIB
 * CACHE_MIB: what the mode in force may keep by its documentation (test_api_rss_returns.sh). */
#include <malloc.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_check.h"

/* Beyond the caches: a thread keeps the current slab of each size class even when it is empty, and
 * the pages carved from it stay (measured: 14 MiB after a 64 KiB-1 MiB working set, in minimal mode,
 * even after malloc_trim). */
#define SLAB_MIB 16
#define WORKING_SET (256 * MiB)

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void expect_back(long base, long limit_mib, double wait_ms, const char *what) {
  double t0 = now_ms();
  long r;
  while ((r = api_rss_mib()) > base + limit_mib) {
    CHECK(now_ms() - t0 < wait_ms, "%s: RSS still %ld MiB after %.0f ms (base %ld, allowed +%ld)", what, r, wait_ms, base,
          limit_mib);
    usleep(1000);
  }
  printf("%s: RSS %ld MiB (base %ld) after %.0f ms\n", what, r, base, now_ms() - t0);
  fflush(stdout);
}

/* Allocates about WORKING_SET bytes in blocks of lo..hi bytes, touching every page, and frees them
 * in an order unrelated to allocation. */
static void working_set(size_t lo, size_t hi, unsigned seed) {
  enum { MAXB = 8192 };
  static char *b[MAXB];
  size_t total = 0, n = 0;
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  while (total < WORKING_SET && n < MAXB) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    size_t sz = lo + s % (hi - lo + 1);
    b[n] = malloc(sz);
    CHECK(b[n], "malloc(%zu)", sz);
    memset(b[n], (int)n, sz);
    total += sz;
    n++;
  }
  long peak = api_rss_mib();
  CHECK(peak >= (long)(WORKING_SET / MiB) * 9 / 10, "working set not resident (%ld MiB)", peak);
  for (size_t i = 0; i < n; i++) {
    size_t j = (i * 7919) % n; /* n is never a multiple of the prime 7919 here */
    if (b[j]) free(b[j]);
    b[j] = NULL;
  }
  for (size_t i = 0; i < n; i++) free(b[i]);
}

static void *in_thread(void *arg) {
  (void)arg;
  working_set(64 * KiB, MiB, 5);
  return NULL;
}

int main(int argc, char **argv) {
  CHECK(argc == 2, "usage: test_api_rss_returns CACHE_MIB");
  long kept = atol(argv[1]) + SLAB_MIB;
  /* hakmem and its release helper started, the small-block slabs of this thread in place */
  for (size_t n = 16; n <= 4096; n += 16) free(malloc(n));
  free(malloc(8 * MiB));
  long base = api_rss_mib();
  working_set(64 * KiB, MiB, 2);
  expect_back(base, kept, 2000, "256 MiB in 64 KiB-1 MiB blocks freed");
  working_set(3 * MiB, 9 * MiB, 3);
  expect_back(base, kept, 2000, "256 MiB in 3-9 MiB whale blocks freed");
  working_set(MiB + 1, 2 * MiB, 4);
  expect_back(base, kept, 2000, "256 MiB in 1-2 MiB BigCache blocks freed");
  pthread_t t;
  CHECK(pthread_create(&t, NULL, in_thread, NULL) == 0, "pthread_create");
  pthread_join(t, NULL);
  expect_back(base, kept, 2000, "256 MiB freed by a thread that then exited");
  /* malloc_trim(0) empties the caches and drains pending releases before it returns. */
  working_set(1000, 9 * MiB, 6);
  malloc_trim(0);
  expect_back(base, SLAB_MIB, 0, "malloc_trim(0) right after freeing 256 MiB of mixed sizes");
  return 0;
}
