/* small: random sizes of 16-512 bytes, one thread, a pool of live blocks replaced at random, so the
 * size-class fast paths and their free lists carry all the work.
 *   wl_small [scale]
 * Every block carries its slot's tag in its first and last bytes, checked before it is freed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_rng.h"

#define SLOTS 4096

static uint64_t rng = WL_RNG_SEED;

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long iters = (long)(20000000 * scale);
  static unsigned char *blk[SLOTS];
  static uint32_t len[SLOTS];
  for (long i = 0; i < iters; i++) {
    uint64_t r = wl_next(&rng);
    unsigned k = (unsigned)(r % SLOTS);
    unsigned char tag = (unsigned char)(k * 7 + 1);
    if (blk[k]) {
      if (blk[k][0] != tag || blk[k][len[k] - 1] != tag || blk[k][len[k] / 2] != tag) {
        fprintf(stderr, "small: block of %u bytes in slot %u corrupted at iteration %ld\n", len[k], k, i);
        return 1;
      }
      free(blk[k]);
    }
    len[k] = 16 + (uint32_t)((r >> 32) % 497);
    if (!(blk[k] = malloc(len[k]))) {
      fprintf(stderr, "small: malloc(%u) failed\n", len[k]);
      return 1;
    }
    /* write the ends and the middle, as a program initializing a header and a field would */
    blk[k][0] = blk[k][len[k] - 1] = blk[k][len[k] / 2] = tag;
  }
  for (unsigned k = 0; k < SLOTS; k++) free(blk[k]);
  return 0;
}
