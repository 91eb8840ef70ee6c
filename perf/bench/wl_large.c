/* large: random sizes of 64 KiB-1 MiB, one thread, a small pool of live blocks replaced at random.
 * An allocator that gives these back to the kernel on free pays a page fault per page on reuse.
 *   wl_large [scale]
 * Each block is written once per 4 KiB page and at its last byte (the value depends on the page); all of it is checked before free. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SLOTS 32
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
  long iters = (long)(60000 * scale);
  static unsigned char *blk[SLOTS];
  static uint32_t len[SLOTS];
  static unsigned char tag[SLOTS];
  for (long i = 0; i < iters; i++) {
    uint64_t r = next();
    unsigned k = (unsigned)(r % SLOTS);
    if (blk[k]) {
      for (uint32_t o = 0; o < len[k]; o += PAGE)
        if (blk[k][o] != (unsigned char)(tag[k] + o / PAGE)) goto bad;
      if (blk[k][len[k] - 1] != (unsigned char)(tag[k] + (len[k] - 1) / PAGE)) goto bad;
      free(blk[k]);
    }
    len[k] = 65536 + (uint32_t)((r >> 32) % (960 * 1024 + 1));
    tag[k] = (unsigned char)(r >> 24);
    if (!(blk[k] = malloc(len[k]))) {
      fprintf(stderr, "large: malloc(%u) failed\n", len[k]);
      return 1;
    }
    for (uint32_t o = 0; o < len[k]; o += PAGE) blk[k][o] = (unsigned char)(tag[k] + o / PAGE);
    blk[k][len[k] - 1] = (unsigned char)(tag[k] + (len[k] - 1) / PAGE);
    continue;
  bad:
    fprintf(stderr, "large: block of %u bytes in slot %u corrupted at iteration %ld\n", len[k], k, i);
    return 1;
  }
  for (unsigned k = 0; k < SLOTS; k++) free(blk[k]);
  return 0;
}
