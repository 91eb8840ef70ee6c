/* alloctest: random sizes of 8 bytes to 4 KiB, most of them small (wl_sizes.h), in a table of slots
 * visited at random: an empty slot gets a new block, a full one is freed. Half the slots are live at
 * any time, so allocations and frees alternate in random order over ~1 MiB of live blocks, as in the
 * random-size, random-position test of mimalloc-bench's alloc-test. Every thread has its own table.
 *   wl_alloctest [scale] [threads]   (threads default 1)
 * Built with WL_UNIFORM it is wl_uniform: the sizes uniform over 8 bytes-4 KiB, so that three in four
 * fall in the 1-4 KiB classes (where the skewed sizes send one in eight), over ~32 MiB of live blocks.
 * A block carries its slot's tag in its first four bytes and its last byte, checked before it is freed. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_rng.h"
#include "wl_sizes.h"

#define SLOTS (1u << 15)
#define MAX_EXP 12

static long iters;
static volatile int failed;

static void *worker(void *arg) {
  unsigned id = (unsigned)(uintptr_t)arg;
  uint64_t rng = WL_RNG_SEED + id * 0x9E3779B97F4A7C15ull;
  unsigned char **blk = calloc(SLOTS, sizeof *blk);
  uint32_t *len = calloc(SLOTS, sizeof *len);
  if (!blk || !len) {
    fprintf(stderr, "alloctest: no memory for the slot table\n");
    failed = 1;
    return NULL;
  }
  for (long i = 0; i < iters && !failed; i++) {
    uint64_t r = wl_next(&rng);
    unsigned k = (unsigned)(r % SLOTS);
    uint32_t tag = k * 64 + id;
    if (blk[k]) {
      uint32_t got;
      memcpy(&got, blk[k], sizeof got);
      if (got != tag || blk[k][len[k] - 1] != (unsigned char)k) {
        fprintf(stderr, "alloctest: block of %u bytes in slot %u corrupted at iteration %ld\n", len[k], k, i);
        failed = 1;
        break;
      }
      free(blk[k]);
      blk[k] = NULL;
      continue;
    }
#ifdef WL_UNIFORM
    len[k] = 8 + (uint32_t)(wl_next(&rng) % ((1u << MAX_EXP) - 7));
#else
    len[k] = wl_skewed_size(wl_next(&rng), MAX_EXP);
#endif
    if (!(blk[k] = malloc(len[k]))) {
      fprintf(stderr, "alloctest: malloc(%u) failed\n", len[k]);
      failed = 1;
      break;
    }
    memcpy(blk[k], &tag, sizeof tag);
    blk[k][len[k] - 1] = (unsigned char)k;
  }
  for (unsigned k = 0; k < SLOTS; k++) free(blk[k]);
  free(blk);
  free(len);
  return NULL;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  int nthreads = argc > 2 ? atoi(argv[2]) : 1;
  if (nthreads < 1 || nthreads > 64) return 2;
  iters = (long)(30000000 * scale);
  if (nthreads == 1) {
    worker(0);
    return failed;
  }
  pthread_t th[64];
  for (int t = 0; t < nthreads; t++) pthread_create(&th[t], NULL, worker, (void *)(uintptr_t)t);
  for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
  return failed;
}
