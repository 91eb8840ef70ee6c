/* Thread exit gives everything back: a thousand short-lived threads, each allocating in every slab
 * tier and freeing it all (some of it freed by the next thread), must not make the mapped memory or
 * RSS grow after the first few; the heaps and slabs of exited threads are reused. A leak of one
 * thread's slabs would cost several MiB a thread, gigabytes in all. */
#include <malloc.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "api_check.h"

enum { THREADS = 600, WARM = 50, BLOCKS = 40 };

static char *handover[BLOCKS]; /* left by one thread, freed by the next */

static void *short_life(void *arg) {
  unsigned id = (unsigned)(uintptr_t)arg;
  char *mine[BLOCKS];
  for (unsigned i = 0; i < BLOCKS; i++) {
    if (handover[i]) {
      CHECK(api_sparse_ok(handover[i], api_tier_sizes[i % 11]), "handed-over block %u overwritten", i);
      free(handover[i]);
    }
    size_t n = api_tier_sizes[(i + id) % 11]; /* up to 1 MiB: the slab tiers */
    mine[i] = malloc(n);
    CHECK(mine[i], "malloc(%zu)", n);
    api_fill_sparse(mine[i], n);
  }
  for (unsigned i = 0; i < BLOCKS; i++) {
    size_t n = api_tier_sizes[(i + id) % 11];
    CHECK(api_sparse_ok(mine[i], n), "block %u overwritten", i);
    free(mine[i]);
  }
  /* Blocks that outlive this thread, in the sizes the next one expects. */
  for (unsigned i = 0; i < BLOCKS; i++) {
    handover[i] = malloc(api_tier_sizes[i % 11]);
    CHECK(handover[i], "malloc(%zu)", api_tier_sizes[i % 11]);
    api_fill_sparse(handover[i], api_tier_sizes[i % 11]);
  }
  return NULL;
}

static void run(unsigned from, unsigned to) {
  for (unsigned i = from; i < to; i++) {
    pthread_t t;
    CHECK(pthread_create(&t, NULL, short_life, (void *)(uintptr_t)i) == 0, "pthread_create");
    CHECK(pthread_join(t, NULL) == 0, "pthread_join");
  }
}

int main(void) {
  run(0, WARM);
  size_t arena = mallinfo2().arena;
  long rss = api_rss_mib();
  run(WARM, THREADS);
  size_t arena2 = mallinfo2().arena;
  long rss2 = api_rss_mib();
  printf("after %d threads: %zu MiB mapped, RSS %ld MiB; after %d: %zu MiB mapped, RSS %ld MiB\n", WARM, arena >> 20, rss,
         THREADS, arena2 >> 20, rss2);
  /* Room for two more 64 MiB arena chunks (measured: one, then flat up to 4000 threads). */
  CHECK(arena2 <= arena + 128 * MiB, "mapped memory grew by %zu MiB over %d exited threads", (arena2 - arena) >> 20,
        THREADS - WARM);
  CHECK(rss2 <= rss + 32, "RSS grew by %ld MiB over %d exited threads", rss2 - rss, THREADS - WARM);
  for (unsigned i = 0; i < BLOCKS; i++) free(handover[i]);
  return 0;
}
