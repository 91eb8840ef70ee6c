/* The locks of the region cache, the page-run arenas and the metadata (src/lock.h) under contention:
 * more threads than CPUs churn blocks of 18 KiB-1 MiB (page runs and L2.5 runs, which take those
 * locks on every call), some freeing what others allocated, while one thread keeps calling
 * malloc_trim, which takes every arena's lock. Waiters then spin and sleep on the futex; a lock that
 * let two holders in would hand out one run twice, which the blocks' patterns catch, and one that lost
 * a wake-up would hang the test. */
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "api_check.h"

#define THREADS 8
#define SLOTS 32
#define ITERS 6000

static _Atomic(unsigned char *) shared[64];
static atomic_int done;

static size_t size_of(uint64_t *rng) {
  uint64_t r = api_rand(rng);
  return r % 4 ? 18 * KiB + 1 + r % (46 * KiB) : 64 * KiB + 1 + r % (960 * KiB);
}

static void *churn(void *arg) {
  uint64_t rng = 0x9E3779B97F4A7C15ull * (uintptr_t)arg + 1;
  unsigned char *blk[SLOTS] = {0};
  size_t len[SLOTS] = {0};
  for (int i = 0; i < ITERS; i++) {
    unsigned k = (unsigned)(api_rand(&rng) % SLOTS);
    if (blk[k]) {
      CHECK(api_sparse_ok(blk[k], len[k]), "a block of %zu bytes at %p was written by someone else", len[k], (void *)blk[k]);
      if (api_rand(&rng) % 4 == 0) { /* hand it to another thread, take one of theirs */
        unsigned char *theirs = atomic_exchange(&shared[api_rand(&rng) % 64], blk[k]);
        free(theirs); /* its size is not known here: freed unchecked */
      } else {
        free(blk[k]);
      }
    }
    len[k] = size_of(&rng);
    blk[k] = malloc(len[k]);
    CHECK(blk[k], "malloc(%zu)", len[k]);
    api_fill_sparse(blk[k], len[k]);
  }
  for (unsigned k = 0; k < SLOTS; k++) {
    if (blk[k]) CHECK(api_sparse_ok(blk[k], len[k]), "a block of %zu bytes was written by someone else", len[k]);
    free(blk[k]);
  }
  return NULL;
}

static void *trimmer(void *arg) {
  (void)arg;
  while (!atomic_load(&done)) malloc_trim(0);
  return NULL;
}

int main(void) {
  pthread_t t[THREADS], trim;
  CHECK(pthread_create(&trim, NULL, trimmer, NULL) == 0, "thread");
  for (uintptr_t i = 0; i < THREADS; i++) CHECK(pthread_create(&t[i], NULL, churn, (void *)(i + 1)) == 0, "thread");
  for (int i = 0; i < THREADS; i++) CHECK(pthread_join(t[i], NULL) == 0, "join");
  atomic_store(&done, 1);
  CHECK(pthread_join(trim, NULL) == 0, "join");
  for (int i = 0; i < 64; i++) free(atomic_load(&shared[i]));
  printf("%d threads, %d blocks of 18 KiB-1 MiB each, malloc_trim beside them: no block handed out twice\n", THREADS,
         ITERS);
  return 0;
}
