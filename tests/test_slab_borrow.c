/* A pool or L2.5 slab request whose class has no free block and no fresh one takes a free block of a
 * larger class (at most twice its smallest request) before a new slab: the classes share the pages
 * their free blocks keep resident (slab.c's borrow). A block so taken keeps the alignment its own
 * class gives (memalign relies on it), keeps its contents until freed, and goes back to its slab on
 * free. (malloc's requests over 18 KiB are page runs, src/pages.h: the sizes here are below.) */
#include <malloc.h>
#include <string.h>

#include "api_check.h"

#define N 6

int main(void) {
  /* Free blocks of the 13 KiB class (one kept live so that its slab stays), no 11 KiB block yet. */
  void *big[N];
  for (int i = 0; i < N; i++) {
    big[i] = malloc(12 * KiB + 512);
    CHECK(big[i], "malloc(12.5 KiB)");
    memset(big[i], 0x5a, 12 * KiB + 512);
  }
  for (int i = 1; i < N; i++) free(big[i]);
  void *p = malloc(9 * KiB + 512);
  CHECK(p, "malloc(9.5 KiB)");
  int reused = 0;
  for (int i = 1; i < N; i++) reused |= p == big[i];
  CHECK(reused && malloc_usable_size(p) == 13 * KiB, "a 9.5 KiB request took %p (%zu usable), not a freed 13 KiB block",
        p, malloc_usable_size(p));
  memset(p, 0x33, 9 * KiB + 512);
  /* The 8 KiB class hands out 8 KiB-aligned blocks; the 11 and 13 KiB classes' are only 1 KiB
   * aligned (most of the free 13 KiB blocks are not at a multiple of 8 KiB), so 8 KiB-aligned
   * requests do not take them. */
  void *q[N];
  for (int i = 0; i < N; i++) {
    q[i] = aligned_alloc(8 * KiB, 8 * KiB);
    volatile uintptr_t a = (uintptr_t)q[i]; /* GCC takes aligned_alloc's alignment as given */
    CHECK(q[i] && a % (8 * KiB) == 0, "aligned_alloc(8 KiB, 8 KiB) gave %p", q[i]);
  }
  unsigned char *c = p;
  for (size_t o = 0; o < 9 * KiB + 512; o++) CHECK(c[o] == 0x33, "borrowed block changed at %zu", o);
  for (int i = 0; i < N; i++) free(q[i]);
  free(p);
  free(big[0]);
  return 0;
}
