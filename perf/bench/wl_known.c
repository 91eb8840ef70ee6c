/* known: a workload whose allocator cost is known, for perf/bench/known-cost (issue 12). Each
 * iteration replaces one of 256 blocks, chosen at random, with one of a random Tiny size (16-512 B),
 * checks the old one's tag and writes the new one's ends. `none` does the same work on a fixed buffer
 * per slot and never calls the allocator, so the allocator's cost of a run is the time of `alloc`
 * less that of `none`. Only the two ends of each block are touched, in the CPU's caches either way,
 * so the two differ in the calls, not in where the program's data lies.
 * Built a second time as wl_known_pool (WL_KNOWN_POOL): sizes 1040-8192 B, the L2 pool's blocks, whose
 * refills (about one allocation in five) are exact measurements inside the sampled calls.
 *   wl_known alloc|none [scale] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_rng.h"

#define SLOTS 256
#ifdef WL_KNOWN_POOL
#define MINLEN 1040
#define MAXLEN 8192
#else
#define MINLEN 16
#define MAXLEN 512
#endif

static uint64_t rng = WL_RNG_SEED;
static unsigned char fixed[SLOTS][MAXLEN];

int main(int argc, char **argv) {
  if (argc < 2 || (strcmp(argv[1], "alloc") != 0 && strcmp(argv[1], "none") != 0)) {
    fprintf(stderr, "usage: wl_known alloc|none [scale]\n");
    return 2;
  }
  int alloc = argv[1][0] == 'a';
  double scale = argc > 2 ? atof(argv[2]) : 1.0;
  long iters = (long)(20000000 * scale);
  static unsigned char *blk[SLOTS];
  static uint32_t len[SLOTS];
  for (long i = 0; i < iters; i++) {
    uint64_t r = wl_next(&rng);
    unsigned k = (unsigned)(r % SLOTS);
    unsigned char tag = (unsigned char)(k * 7 + 1);
    if (blk[k]) {
      if (blk[k][0] != tag || blk[k][len[k] - 1] != tag) {
        fprintf(stderr, "known: block of %u bytes in slot %u corrupted at iteration %ld\n", len[k], k, i);
        return 1;
      }
      if (alloc) free(blk[k]);
    }
    len[k] = MINLEN + (uint32_t)((r >> 32) % (MAXLEN - MINLEN + 1));
    blk[k] = alloc ? malloc(len[k]) : fixed[k];
    if (!blk[k]) {
      fprintf(stderr, "known: malloc(%u) failed\n", len[k]);
      return 1;
    }
    blk[k][0] = blk[k][len[k] - 1] = tag;
  }
  if (alloc)
    for (unsigned k = 0; k < SLOTS; k++) free(blk[k]);
  return 0;
}
