/* churn: blocks of 16 KiB-512 KiB (a doubling picked at random, then a size within it) replaced at
 * random in 64 slots, one thread, each block written only at its start and its last byte: buffers a
 * program allocates larger than it fills. Without the page-by-page writes of wl_mid and wl_large the
 * allocator's own path is most of the time (mimalloc-bench's malloc-large is of this kind).
 *   wl_churn [scale] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_rng.h"

#define SLOTS 64

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long iters = (long)(1500000 * scale);
  static unsigned char *blk[SLOTS];
  static uint32_t len[SLOTS];
  uint64_t rng = WL_RNG_SEED;
  for (long i = 0; i < iters; i++) {
    uint64_t r = wl_next(&rng);
    unsigned k = (unsigned)(r % SLOTS);
    if (blk[k]) {
      uint64_t tag;
      memcpy(&tag, blk[k], sizeof tag);
      if (tag != (uint64_t)k * len[k] || blk[k][len[k] - 1] != (unsigned char)k) {
        fprintf(stderr, "churn: block of %u bytes in slot %u corrupted at iteration %ld\n", len[k], k, i);
        return 1;
      }
      free(blk[k]);
    }
    uint32_t base = (uint32_t)16384 << ((r >> 8) % 5);
    len[k] = base + (uint32_t)((r >> 32) % base);
    if (!(blk[k] = malloc(len[k]))) {
      fprintf(stderr, "churn: malloc(%u) failed\n", len[k]);
      return 1;
    }
    uint64_t tag = (uint64_t)k * len[k];
    memcpy(blk[k], &tag, sizeof tag);
    blk[k][len[k] - 1] = (unsigned char)k;
  }
  for (unsigned k = 0; k < SLOTS; k++) free(blk[k]);
  return 0;
}
