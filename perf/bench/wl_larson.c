/* larson: the server pattern of Larson and Krishnan's benchmark. Each thread replaces blocks at random
 * in an array of slots; after every round the threads pass their arrays on to the next thread, so most
 * frees are of blocks another thread allocated, while the allocating thread keeps running.
 *   wl_larson [scale] [threads]
 * A block holds its slot's tag at both ends and its length in its first word, checked before free. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_rng.h"

#define SLOTS 2048
#define ROUNDS 40

struct blk {
  uint32_t len;
  uint32_t tag;
};

static int nthreads;
static long per_round;
static unsigned char **arrays[64];
static pthread_barrier_t barrier;
static volatile int failed;

static int check(unsigned char *p, uint32_t tag) {
  struct blk h;
  memcpy(&h, p, sizeof h);
  return h.tag == tag && h.len >= 16 && h.len <= 400 && p[h.len - 1] == (unsigned char)tag;
}

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  uint64_t rng = 0x9E3779B97F4A7C15ull * (uint64_t)(id + 1);
  for (int round = 0; round < ROUNDS && !failed; round++) {
    /* this round's array was filled by thread id - round in the previous round */
    int a = (id + round) % nthreads;
    unsigned char **slot = arrays[a];
    for (long i = 0; i < per_round; i++) {
      wl_next(&rng);
      unsigned k = (unsigned)(rng % SLOTS);
      uint32_t tag = (uint32_t)(a * SLOTS + k) | 0x1000000u;
      if (slot[k]) {
        if (!check(slot[k], tag)) {
          fprintf(stderr, "larson: slot %u of array %d corrupted\n", k, a);
          failed = 1;
          break;
        }
        free(slot[k]);
      }
      struct blk h = {16 + (uint32_t)((rng >> 32) % 385), tag};
      unsigned char *p = malloc(h.len);
      if (!p) {
        fprintf(stderr, "larson: malloc(%u) failed\n", h.len);
        failed = 1;
        break;
      }
      memcpy(p, &h, sizeof h);
      p[h.len - 1] = (unsigned char)tag;
      slot[k] = p;
    }
    pthread_barrier_wait(&barrier);
  }
  return NULL;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  nthreads = argc > 2 ? atoi(argv[2]) : 4;
  if (nthreads < 1 || nthreads > 64) return 2;
  per_round = (long)(18000000 * scale / ROUNDS / nthreads);
  for (int t = 0; t < nthreads; t++)
    if (!(arrays[t] = calloc(SLOTS, sizeof(unsigned char *)))) return 1;
  pthread_barrier_init(&barrier, NULL, (unsigned)nthreads);
  pthread_t th[64];
  for (int t = 0; t < nthreads; t++) pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
  for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
  for (int t = 0; t < nthreads; t++) {
    for (unsigned k = 0; k < SLOTS; k++) free(arrays[t][k]);
    free(arrays[t]);
  }
  return failed;
}
