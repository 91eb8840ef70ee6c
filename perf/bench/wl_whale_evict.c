/* whale_evict: blocks of many distinct sizes above 2 MiB, a few alive at a time, so an allocator's
 * cache of large mappings misses and evicts constantly and the cost of giving memory back shows.
 *   wl_whale_evict [scale] [touch]
 * touch = 1 writes every 4 KiB page (the default), N writes one page in N. Data is checked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LIVE 4
#define PAGE 4096

static void fill(unsigned char *p, size_t n, size_t stride, unsigned seed) {
  for (size_t i = 0; i < n; i += stride) p[i] = (unsigned char)(seed + i / PAGE);
  p[n - 1] = (unsigned char)(seed ^ 0x5a);
}

static int check(const unsigned char *p, size_t n, size_t stride, unsigned seed) {
  for (size_t i = 0; i < n; i += stride)
    if (p[i] != (unsigned char)(seed + i / PAGE)) return 0;
  return p[n - 1] == (unsigned char)(seed ^ 0x5a);
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  size_t stride = (size_t)(argc > 2 ? atoi(argv[2]) : 1) * PAGE;
  long iters = (long)(10000 * scale);
  unsigned char *blk[LIVE] = {0};
  size_t sz[LIVE] = {0};
  unsigned seed[LIVE] = {0};
  uint32_t rng = 12345;
  for (long i = 0; i < iters; i++) {
    int k = (int)(i % LIVE);
    if (blk[k]) {
      if (!check(blk[k], sz[k], stride, seed[k])) {
        fprintf(stderr, "whale_evict: block of %zu bytes corrupted at iteration %ld\n", sz[k], i);
        return 1;
      }
      free(blk[k]);
    }
    rng = rng * 1664525u + 1013904223u;
    /* 2 MiB + 1..96 steps of 68 KiB: up to ~8.4 MiB, 96 distinct sizes */
    sz[k] = ((size_t)2 << 20) + (1 + (rng >> 8) % 96) * 68 * 1024;
    seed[k] = rng >> 16;
    if (!(blk[k] = malloc(sz[k]))) {
      fprintf(stderr, "whale_evict: malloc(%zu) failed\n", sz[k]);
      return 1;
    }
    fill(blk[k], sz[k], stride, seed[k]);
  }
  for (int k = 0; k < LIVE; k++) free(blk[k]);
  return 0;
}
