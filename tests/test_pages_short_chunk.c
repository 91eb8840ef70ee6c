/* When the region cache holds no resident span of a page-run chunk's 1 MiB, a new chunk is the longest
 * shorter one of at least 256 KiB, whole (src/pages.c, LEAST_CHUNK), not 1 MiB of fresh pages: at
 * wl_mid's peak the cache held resident spans of 4 and 12 granules that no request took while chunks
 * faulted in fresh pages. A run of 8 granules is freed between two kept ones; the first page run
 * must then lie in it, and so must runs filling it; the next comes from a chunk elsewhere. Pointers
 * past the short chunk are not its blocks. The library before took a fresh 1 MiB. */
#include <malloc.h>
#include <stdint.h>
#include <string.h>

#include "api_check.h"

#define RUN (500 * KiB)  /* 8 granules of 64 KiB with the 1 KiB lead */
#define KEEP (70 * KiB)  /* 2 */
#define PAGES (60 * KiB) /* a page run of 15 pages */

static int inside(const void *p, uintptr_t lo, uintptr_t hi) { return (uintptr_t)p >= lo && (uintptr_t)p < hi; }

int main(void) {
  char *keep1 = malloc(KEEP), *run = malloc(RUN), *keep2 = malloc(KEEP);
  CHECK(keep1 && run && keep2, "malloc");
  memset(run, 1, RUN);
  /* the run's span: from the granule it starts in, 8 granules */
  uintptr_t lo = (uintptr_t)run & ~(uintptr_t)(64 * KiB - 1), hi = lo + 8 * 64 * KiB;
  printf("freed run at %p: span %#lx-%#lx\n", (void *)run, (unsigned long)lo, (unsigned long)hi);
  fflush(stdout);
  free(run);
  char *p[9];
  for (int i = 0; i < 9; i++) {
    CHECK((p[i] = malloc(PAGES)), "malloc(%zu)", PAGES);
    memset(p[i], 2 + i, PAGES);
  }
  printf("page runs at %p ... %p, the ninth at %p\n", (void *)p[0], (void *)p[7], (void *)p[8]);
  for (int i = 0; i < 8; i++)
    CHECK(inside(p[i], lo, hi), "page run %d at %p is not in the freed 512 KiB span", i, (void *)p[i]);
  CHECK(!inside(p[8], lo, hi), "a ninth run of 60 KiB cannot fit in 512 KiB");
  CHECK(malloc_usable_size(p[0]) == PAGES, "usable size %zu", malloc_usable_size(p[0]));
  for (int i = 8; i >= 0; i--) {
    for (size_t k = 0; k < PAGES; k += 4096) CHECK(p[i][k] == (char)(2 + i), "page run %d overwritten", i);
    free(p[i]);
  }
  free(keep1);
  free(keep2);
  return 0;
}
