/* mid: random sizes of 2-64 KiB, one thread, a pool of live blocks replaced at random: the L2 pool
 * and L2.5 tiers (glibc serves these from its heap, mimalloc and jemalloc from larger pages).
 *   wl_mid [scale]
 * Each block is written once per 4 KiB page and at its last byte; all of it is checked before free. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SLOTS 512
#define PAGE 4096

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long iters = (long)(2000000 * scale);
  static unsigned char *blk[SLOTS];
  static uint32_t len[SLOTS];
  static unsigned char tag[SLOTS];
  for (long i = 0; i < iters; i++) {
    uint64_t r = next();
    unsigned k = (unsigned)(r % SLOTS);
    if (blk[k]) {
      for (uint32_t o = 0; o < len[k]; o += PAGE)
        if (blk[k][o] != tag[k]) goto bad;
      if (blk[k][len[k] - 1] != tag[k]) goto bad;
      free(blk[k]);
    }
    len[k] = 2048 + (uint32_t)((r >> 32) % (62 * 1024 + 1));
    tag[k] = (unsigned char)(r >> 24);
    if (!(blk[k] = malloc(len[k]))) {
      fprintf(stderr, "mid: malloc(%u) failed\n", len[k]);
      return 1;
    }
    for (uint32_t o = 0; o < len[k]; o += PAGE) blk[k][o] = tag[k];
    blk[k][len[k] - 1] = tag[k];
    continue;
  bad:
    fprintf(stderr, "mid: block of %u bytes in slot %u corrupted at iteration %ld\n", len[k], k, i);
    return 1;
  }
  for (unsigned k = 0; k < SLOTS; k++) free(blk[k]);
  return 0;
}
