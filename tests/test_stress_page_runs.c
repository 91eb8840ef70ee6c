/* Cross-thread page runs: four threads share a table of slots; each allocates blocks of 16-66 KiB
 * (pool slabs, page runs, L2.5 runs), writes only their length (bytes 1-4) and tags at their ends and
 * middle (as a program setting a header and a field does, leaving the rest as the allocator handed it
 * over), and swaps them into random slots, freeing what it takes out, mostly another thread's block;
 * threads end and new ones start, leaving their cached runs to their exit. A false double free, a
 * real second free or a mixed-up block fails it. Before the cached-run mark moved into the chunk
 * (perf/bench/RESULTS.md, "Fixed: a false double free of a page run"), a run handed out with memory
 * that still looked like the mark aborted it in 1 run of 12 (4 of 12 with the mark's check and no
 * cache); after, 0 of 25. HKM_STRESS_SCALE=N: N times the operations (stress.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "stress.h"

enum { THREADS = 4, GENERATIONS = 3, SLOTS = 256, OPS = 500000 };

static _Atomic(unsigned char *) slot[SLOTS];
static unsigned ops;

/* A block carries its length in bytes 1-4 and tags derived from it at its ends and middle. */
static void check_free(unsigned char *p) {
  uint32_t n32;
  memcpy(&n32, p + 1, 4);
  size_t n = n32;
  CHECK(n >= 16 * KiB && n <= 66 * KiB && p[0] == (unsigned char)n && p[n / 2] == (unsigned char)(n >> 8) &&
            p[n - 1] == (unsigned char)(n >> 3),
        "block %p: tags do not match its length %zu", (void *)p, n);
  free(p);
}

static void *worker(void *arg) {
  uint64_t r = (uintptr_t)arg * 0x9E3779B97F4A7C15ull + 1;
  for (unsigned i = 0; i < ops; i++) {
    r ^= r << 13;
    r ^= r >> 7;
    r ^= r << 17;
    size_t n = 16 * KiB + (size_t)((r >> 20) % (50 * KiB));
    unsigned char *p = malloc(n);
    CHECK(p != NULL, "malloc(%zu)", n);
    uint32_t n32 = (uint32_t)n;
    p[0] = (unsigned char)n;
    memcpy(p + 1, &n32, 4);
    p[n / 2] = (unsigned char)(n >> 8);
    p[n - 1] = (unsigned char)(n >> 3);
    unsigned char *old = atomic_exchange(&slot[r % SLOTS], p);
    if (old) check_free(old);
  }
  return NULL;
}

int main(void) {
  ops = OPS * stress_scale();
  for (int g = 0; g < GENERATIONS; g++) {
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
      CHECK(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(g * THREADS + i + 1)) == 0, "pthread_create");
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  }
  for (unsigned k = 0; k < SLOTS; k++) {
    unsigned char *p = atomic_load(&slot[k]);
    if (p) check_free(p);
  }
  printf("%u threads x %d generations x %u blocks of 16-66 KiB swapped between threads: ok\n", THREADS, GENERATIONS, ops);
  return 0;
}
