/* malloc_usable_size(p) is at least the request, and every one of those bytes may be written without
 * harming any other block: blocks are packed next to each other in every tier, each filled to its
 * usable size, then all checked. */
#include <malloc.h>
#include <stdint.h>
#include <string.h>

#include "api_check.h"

/* Requests at and around each size class edge up to 1 MiB, then BigCache and whale sizes. */
static size_t request(unsigned i) {
  if (i < 1024) return 1 + i;                      /* every Tiny size */
  if (i < 1536) return 1024 + (size_t)(i - 1024) * 61; /* L2 */
  if (i < 1600) return 32 * KiB + (size_t)(i - 1536) * 15013; /* L2.5 */
  return MiB + 1 + (size_t)(i - 1600) * 401107;      /* BigCache and whale */
}
#define NREQ 1620

int main(void) {
  static char *p[NREQ];
  static size_t u[NREQ];
  /* Two rounds: fresh memory, then memory freed by the first round. */
  for (int round = 0; round < 2; round++) {
    for (unsigned i = 0; i < NREQ; i++) {
      size_t n = request(i);
      p[i] = round ? calloc(1, n) : malloc(n);
      CHECK(p[i], "allocating %zu bytes", n);
      u[i] = malloc_usable_size(p[i]);
      CHECK(u[i] >= n, "malloc_usable_size %zu < request %zu", u[i], n);
      memset(p[i], 0xEE, u[i]);
      api_fill(p[i], u[i]);
    }
    for (unsigned i = 0; i < NREQ; i++) {
      size_t bad = api_bad(p[i], u[i]);
      CHECK(bad == u[i], "block of %zu (usable %zu) at %p: byte %zu overwritten by a neighbour", request(i), u[i],
            (void *)p[i], bad);
      CHECK(malloc_usable_size(p[i]) == u[i], "usable size of %p changed", (void *)p[i]);
    }
    for (unsigned i = round; i < NREQ; i += 2) free(p[i]);
    for (unsigned i = 1 - round; i < NREQ; i += 2) free(p[i]);
  }
  puts("usable size: ok");
  return 0;
}
