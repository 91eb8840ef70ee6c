/* mstress: many threads, many short-lived objects. Every round starts fresh threads and joins them,
 * so heaps keep being created and given up. A thread allocates blocks into a small ring, freeing the
 * block it replaces (most objects live for a few dozen allocations); one block in 16 is swapped with
 * a shared transfer table instead, so some frees hit blocks another thread, maybe one that has exited,
 * allocated; and it leaves a set of retained blocks for the next round's thread of the same index to
 * free. Sizes as in wl_alloctest up to 1 KiB, with one block in 100 ten times that and one in 10,000
 * a hundred times (wl_mstress is mimalloc-bench's mstress in shape, not in code).
 *   wl_mstress [scale] [threads]   (threads default 2)
 * A block carries its tag in its first four bytes and its last byte, checked before it is freed. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_rng.h"
#include "wl_sizes.h"

#define ROUNDS 10
#define RING 2048
#define RETAIN 20000
#define TRANSFER 1024
#define MAX_THREADS 64

static long per_thread;
static int nthreads;
static _Atomic(unsigned char *) transfer[TRANSFER];
static unsigned char *retained[MAX_THREADS][RETAIN];
static volatile int failed;

/* The tag lives in the block, so any thread can check it: a block remembers its own length. */
struct head {
  uint32_t len;
};

static unsigned char *make(uint64_t *rng) {
  uint64_t r = wl_next(rng);
  uint32_t len = wl_skewed_size(r, 10);
  if (r % 100 == 0) len *= 10;
  if (r % 10000 == 1) len *= 100;
  unsigned char *p = malloc(len);
  if (!p) {
    fprintf(stderr, "mstress: malloc(%u) failed\n", len);
    failed = 1;
    return NULL;
  }
  struct head h = {len};
  memcpy(p, &h, sizeof h);
  p[len - 1] = (unsigned char)(len * 7);
  return p;
}

static void drop(unsigned char *p) {
  if (!p) return;
  struct head h;
  memcpy(&h, p, sizeof h);
  if (h.len < 8 || h.len > 1u << 20 || p[h.len - 1] != (unsigned char)(h.len * 7)) {
    fprintf(stderr, "mstress: block %p corrupted (length field %u)\n", (void *)p, h.len);
    failed = 1;
    return;
  }
  free(p);
}

struct job {
  int id, round;
};

static void *worker(void *arg) {
  struct job *j = arg;
  uint64_t rng = WL_RNG_SEED + (uint64_t)(j->round * MAX_THREADS + j->id + 1) * 0x9E3779B97F4A7C15ull;
  unsigned char *ring[RING] = {0};
  /* what the previous round's thread of this index left */
  for (unsigned k = 0; k < RETAIN; k++) {
    drop(retained[j->id][k]);
    retained[j->id][k] = NULL;
  }
  for (long i = 0; i < per_thread && !failed; i++) {
    unsigned char *p = make(&rng);
    if (!p) break;
    uint64_t r = wl_next(&rng);
    if ((r & 15) == 0) {
      drop(atomic_exchange_explicit(&transfer[(r >> 8) % TRANSFER], p, memory_order_acq_rel));
    } else {
      unsigned k = (unsigned)(r >> 8) % RING;
      drop(ring[k]);
      ring[k] = p;
    }
  }
  for (unsigned k = 0; k < RING; k++) drop(ring[k]);
  for (unsigned k = 0; k < RETAIN && !failed; k++) retained[j->id][k] = make(&rng);
  return NULL;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  nthreads = argc > 2 ? atoi(argv[2]) : 2;
  if (nthreads < 1 || nthreads > MAX_THREADS) return 2;
  per_thread = (long)(20000000 * scale / ROUNDS / nthreads);
  struct job jobs[MAX_THREADS];
  pthread_t th[MAX_THREADS];
  for (int round = 0; round < ROUNDS && !failed; round++) {
    for (int t = 0; t < nthreads; t++) {
      jobs[t] = (struct job){t, round};
      if (pthread_create(&th[t], NULL, worker, &jobs[t])) {
        fprintf(stderr, "mstress: pthread_create failed\n");
        return 1;
      }
    }
    for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
  }
  for (int t = 0; t < nthreads; t++)
    for (unsigned k = 0; k < RETAIN; k++) drop(retained[t][k]);
  for (unsigned k = 0; k < TRANSFER; k++) drop(transfer[k]);
  return failed;
}
