/* A class's first block makes resident only the pages it covers: a refill cuts fresh blocks no
 * further than the page the first of them ends in (slab.c, carve), since writing the links of the
 * rest made their pages resident before anything asked for them. Each size below is of a class
 * nothing else in this program uses, so its block is the first of a fresh slab, at a 64 KiB
 * boundary; mincore(2) counts what of the slab's first 64 KiB is resident. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "api_check.h"

static int thp_always(void) {
  char buf[128] = "";
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return strstr(buf, "[always]") != NULL;
}

int main(void) {
  if (thp_always()) {
    printf("transparent huge pages are always on: a touch makes 2 MiB resident; skipped\n");
    return 77;
  }
  static const size_t sizes[] = {400, 720, 2200, 5000, 9000};
  size_t got[5];
  void *blocks[5];
  for (int i = 0; i < 5; i++) {
    char *p = malloc(sizes[i]);
    CHECK(p, "malloc(%zu)", sizes[i]);
    memset(p, 1, sizes[i]);
    blocks[i] = p;
    CHECK(((uintptr_t)p & (64 * KiB - 1)) == 0, "malloc(%zu) = %p is not a fresh slab's first block", sizes[i], (void *)p);
    unsigned char vec[16];
    CHECK(mincore(p, 64 * KiB, vec) == 0, "mincore");
    got[i] = 0;
    for (int j = 0; j < 16; j++) got[i] += vec[j] & 1;
  }
  for (int i = 0; i < 5; i++) {
    size_t pages = (sizes[i] + 4095) / 4096;
    CHECK(got[i] == pages, "the slab of malloc(%zu) has %zu resident pages in its first 64 KiB, not %zu", sizes[i], got[i],
          pages);
    free(blocks[i]);
  }
  printf("one block of each of 5 classes: only the pages it covers are resident\n");
  return 0;
}
