/* prodcons: producer threads allocate messages and pass them through queues to consumer threads, which
 * check and free them: every free is a cross-thread free, and the producer's memory has to find its
 * way back to it.
 *   wl_prodcons [scale] [pairs]
 * A message carries its sequence number at both ends and its length; the consumer checks all three. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_rng.h"

/* Messages travel in batches, so the queue's own cache-line traffic stays small next to the
 * allocator's work. */
#define BATCH 64
#define QCAP 64 /* batches; a power of two */

struct queue { /* single producer, single consumer */
  _Alignas(64) _Atomic uint64_t head; /* next batch to write */
  _Alignas(64) _Atomic uint64_t tail; /* next batch to read */
  _Alignas(64) unsigned char *slot[QCAP][BATCH];
};

struct msg {
  uint64_t seq;
  uint32_t len;
};

static long per_pair;
static volatile int failed;

static void *producer(void *arg) {
  struct queue *q = arg;
  uint64_t rng = (uintptr_t)q | 1;
  for (long i = 0; i < per_pair && !failed; i++) {
    uint64_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
    if (i % BATCH == 0)
      for (int spin = 0; h - atomic_load_explicit(&q->tail, memory_order_acquire) == QCAP; spin++)
        if (spin > 64) sched_yield();
    wl_next(&rng);
    struct msg m = {(uint64_t)i, 16 + (uint32_t)(rng % 1009)};
    unsigned char *p = malloc(m.len);
    if (!p) {
      fprintf(stderr, "prodcons: malloc(%u) failed\n", m.len);
      failed = 1;
      break;
    }
    memcpy(p, &m, sizeof m);
    p[m.len - 1] = (unsigned char)i;
    q->slot[h % QCAP][i % BATCH] = p;
    if (i % BATCH == BATCH - 1 || i == per_pair - 1) atomic_store_explicit(&q->head, h + 1, memory_order_release);
  }
  return NULL;
}

static void *consumer(void *arg) {
  struct queue *q = arg;
  for (long i = 0; i < per_pair && !failed; i++) {
    uint64_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
    if (i % BATCH == 0)
      for (int spin = 0; atomic_load_explicit(&q->head, memory_order_acquire) == t; spin++) {
        if (failed) return NULL;
        if (spin > 64) sched_yield();
      }
    unsigned char *p = q->slot[t % QCAP][i % BATCH];
    if (i % BATCH == BATCH - 1) atomic_store_explicit(&q->tail, t + 1, memory_order_release);
    struct msg m;
    memcpy(&m, p, sizeof m);
    if (m.seq != (uint64_t)i || m.len < 16 || m.len > 1024 || p[m.len - 1] != (unsigned char)i) {
      fprintf(stderr, "prodcons: message %ld corrupted\n", i);
      failed = 1;
      return NULL;
    }
    free(p);
  }
  return NULL;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  int pairs = argc > 2 ? atoi(argv[2]) : 1;
  if (pairs < 1 || pairs > 32) return 2;
  per_pair = (long)(3000000 * scale / pairs);
  struct queue *q = aligned_alloc(64, sizeof(struct queue) * (size_t)pairs);
  if (!q) return 1;
  memset(q, 0, sizeof(struct queue) * (size_t)pairs);
  pthread_t th[64];
  for (int i = 0; i < pairs; i++) {
    pthread_create(&th[2 * i], NULL, producer, &q[i]);
    pthread_create(&th[2 * i + 1], NULL, consumer, &q[i]);
  }
  for (int i = 0; i < 2 * pairs; i++) pthread_join(th[i], NULL);
  free(q);
  return failed;
}
