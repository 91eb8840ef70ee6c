/* tiermix: a fixed mix of the slab tiers in a steady state, so that each category's cost per call is
 * the same all run long: the workload behind the check that sampled timing estimates what timing
 * every call measures (perf/bench/sample-accuracy). Each round frees and reallocates, at fixed
 * slots of a ring of live blocks, 12 Tiny blocks (16-256 B), 3 L2 pool blocks (2-16 KiB) and 1 L2.5
 * block (64 KiB), writing the first and last byte of each.
 *   wl_tiermix [scale]
 * Every block carries its slot's tag at both ends, checked before it is freed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define RING 256

static const size_t sizes[16] = {16, 32, 48, 64, 80, 96, 128, 160, 192, 224, 256, 64,
                                 2048, 8192, 16384, 65536};

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long rounds = (long)(600000 * scale);
  static unsigned char *blk[RING][16];
  for (long i = 0; i < rounds; i++) {
    unsigned k = (unsigned)(i % RING);
    unsigned char tag = (unsigned char)(k * 5 + 1);
    for (int j = 0; j < 16; j++) {
      unsigned char *b = blk[k][j];
      size_t n = sizes[j];
      if (b) {
        if (b[0] != tag || b[n - 1] != tag) {
          fprintf(stderr, "tiermix: block of %zu bytes in slot %u corrupted at round %ld\n", n, k, i);
          return 1;
        }
        free(b);
      }
      if (!(b = blk[k][j] = malloc(n))) {
        fprintf(stderr, "tiermix: malloc(%zu) failed\n", n);
        return 1;
      }
      b[0] = b[n - 1] = tag;
    }
  }
  for (unsigned k = 0; k < RING; k++)
    for (int j = 0; j < 16; j++) free(blk[k][j]);
  return 0;
}
