/* realloc: buffers grown by appending small pieces, as string builders and vectors do, from a few
 * bytes up to 256 KiB, then freed and started again. Several buffers grow at once so that in-place
 * growth is not free for the taking.
 *   wl_realloc [scale]
 * Byte i of a buffer is a function of its seed and i; the whole buffer is checked before free. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_rng.h"

#define BUFS 16
#define LIMIT ((size_t)256 << 10)

static uint64_t rng = WL_RNG_SEED;

static unsigned char byte_at(unsigned seed, size_t i) { return (unsigned char)(seed + i * 13 + (i >> 8)); }

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long appends = (long)(4000000 * scale);
  static unsigned char *buf[BUFS];
  static size_t len[BUFS];
  static unsigned seed[BUFS];
  for (long i = 0; i < appends; i++) {
    uint64_t r = wl_next(&rng);
    unsigned k = (unsigned)(r % BUFS);
    size_t add = 1 + (size_t)((r >> 32) % 256);
    unsigned char *q = realloc(buf[k], len[k] + add);
    if (!q) {
      fprintf(stderr, "realloc: realloc(%zu) failed\n", len[k] + add);
      return 1;
    }
    buf[k] = q;
    for (size_t j = 0; j < add; j++) q[len[k] + j] = byte_at(seed[k], len[k] + j);
    len[k] += add;
    if (len[k] >= LIMIT) {
      for (size_t j = 0; j < len[k]; j++)
        if (q[j] != byte_at(seed[k], j)) {
          fprintf(stderr, "realloc: buffer %u corrupted at byte %zu of %zu\n", k, j, len[k]);
          return 1;
        }
      free(q);
      buf[k] = NULL;
      len[k] = 0;
      seed[k] = (unsigned)(r >> 40);
    }
  }
  for (unsigned k = 0; k < BUFS; k++) {
    for (size_t j = 0; j < len[k]; j++)
      if (buf[k][j] != byte_at(seed[k], j)) {
        fprintf(stderr, "realloc: buffer %u corrupted at byte %zu of %zu\n", k, j, len[k]);
        return 1;
      }
    free(buf[k]);
  }
  return 0;
}
