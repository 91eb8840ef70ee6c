/* realloc that grows a block of 32 KiB or more takes at least twice the old size (hakmem.c; above 64
 * KiB twice the old block's whole granules, less the 1 KiB a run starts into them), so a buffer grown
 * from 32 KiB to 1 MiB by 100-byte appends moves at most 6 times (a move per class would be 20), and
 * its contents move with it. */
#include <malloc.h>
#include <string.h>

#include "api_check.h"

int main(void) {
  size_t len = 32 * KiB;
  unsigned char *p = malloc(len);
  CHECK(p, "malloc");
  for (size_t i = 0; i < len; i++) p[i] = (unsigned char)(i * 7);
  unsigned moves = 0;
  while (len + 100 <= MiB) {
    unsigned char *q = realloc(p, len + 100);
    CHECK(q, "realloc(%zu)", len + 100);
    if (q != p) {
      moves++;
      CHECK(malloc_usable_size(q) >= 2 * len - KiB || malloc_usable_size(q) >= MiB, "moved to %zu bytes for %zu", malloc_usable_size(q),
            len + 100);
    }
    p = q;
    for (size_t i = len; i < len + 100; i++) p[i] = (unsigned char)(i * 7);
    len += 100;
  }
  for (size_t i = 0; i < len; i++) CHECK(p[i] == (unsigned char)(i * 7), "byte %zu lost in a move", i);
  printf("grown from 32 KiB to %zu bytes in 100-byte steps: %u moves\n", len, moves);
  CHECK(moves <= 6, "%u moves", moves);
  free(p);
  return 0;
}
