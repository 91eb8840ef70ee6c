/* grow: one buffer at a time grown by appends of 1 B-8 KiB to 16, 32, 48 or 64 MiB (a log, a
 * serialized document, a vector of records), then checked and freed: realloc of blocks past 2 MiB.
 * glibc moves its mapped chunks with mremap(2); an allocator that copies copies the buffer at every
 * size it passes and faults in the new pages each time.
 *   wl_grow [scale]
 * Byte i of a round's buffer is a function of the round and i; one byte per page is checked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wl_rng.h"

static uint64_t rng = WL_RNG_SEED;

static unsigned char byte_at(long round, size_t i) { return (unsigned char)(round * 7 + i / 4096 + i); }

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long rounds = (long)(8 * scale);
  if (rounds < 1) rounds = 1;
  for (long r = 0; r < rounds; r++) {
    size_t limit = (size_t)(16 + 16 * (r % 4)) << 20, len = 0;
    unsigned char *buf = NULL;
    while (len < limit) {
      size_t add = 1 + (size_t)(wl_next(&rng) % 8192);
      unsigned char *q = realloc(buf, len + add);
      if (!q) {
        fprintf(stderr, "grow: realloc(%zu) failed\n", len + add);
        return 1;
      }
      buf = q;
      for (size_t i = len; i < len + add; i++) buf[i] = byte_at(r, i);
      len += add;
    }
    for (size_t i = 0; i < len; i += 4096)
      if (buf[i] != byte_at(r, i)) {
        fprintf(stderr, "grow: round %ld, byte %zu of %zu wrong\n", r, i, len);
        return 1;
      }
    free(buf);
  }
  return 0;
}
