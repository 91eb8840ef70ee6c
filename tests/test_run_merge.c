/* L2.5 requests above 64 KiB are runs of whole 64 KiB granules (run.h): a block's usable size is its
 * granules less the 1 KiB it starts into its span. Two freed neighbours merge in the region cache's
 * hot spans (region.c), so a request of both their lengths gets their resident pages back, at the
 * first one's address; and calloc clears such reused pages. */
#include <malloc.h>
#include <stdint.h>
#include <string.h>

#include "api_check.h"

#define LEAD KiB

int main(void) {
  size_t n = 256 * KiB - LEAD; /* four granules exactly */
  unsigned char *a = malloc(n), *b = malloc(n), *keep = malloc(n);
  CHECK(a && b && keep, "malloc(%zu)", n);
  CHECK(malloc_usable_size(a) == n, "a %zu-byte run has %zu usable bytes", n, malloc_usable_size(a));
  CHECK(malloc_usable_size(malloc(n - 100)) == n, "a request of a run's granules less 100 bytes takes the same");
  CHECK(b == a + n + LEAD, "two runs in a row in a fresh process: %p then %p", (void *)a, (void *)b);
  memset(a, 0x11, n);
  memset(b, 0x22, n);
  __asm__ volatile("" : : "r"(a), "r"(b) : "memory"); /* the stores are not dead: the test reads them back */
  uintptr_t at = (uintptr_t)a; /* compared after the frees, as an address */
  free(a);
  free(b);
  size_t both = 2 * (n + LEAD) - LEAD;
  unsigned char *c = malloc(both);
  CHECK((uintptr_t)c == at, "a request of both freed runs' length took %p, not their merged span at %#lx", (void *)c,
        (unsigned long)at);
  CHECK(c[0] == 0x11 && c[both - 1] == 0x22, "the merged span's pages are the freed runs' own (resident)");
  free(c);
  unsigned char *z = calloc(1, both);
  CHECK((uintptr_t)z == at, "calloc took %p, not the merged span at %#lx", (void *)z, (unsigned long)at);
  for (size_t i = 0; i < both; i++) CHECK(z[i] == 0, "calloc's byte %zu of reused pages is %d", i, z[i]);
  free(z);
  free(keep);
  puts("runs: whole granules, freed neighbours merge, calloc clears reused pages: ok");
  return 0;
}
