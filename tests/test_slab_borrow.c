/* A pool or L2.5 request whose class has no free block and no fresh one takes a free block of a
 * larger class (at most twice its smallest request) before a new slab: the classes share the pages
 * their free blocks keep resident (slab.c's borrow). A block so taken keeps the alignment its own
 * class gives (memalign relies on it), keeps its contents until freed, and goes back to its slab on
 * free. */
#include <malloc.h>
#include <string.h>

#include "api_check.h"

#define N 6

int main(void) {
  /* Free blocks of the 26 KiB class (one kept live so that its slab stays), no 22 KiB block yet. */
  void *big[N];
  for (int i = 0; i < N; i++) {
    big[i] = malloc(25 * KiB);
    CHECK(big[i], "malloc(25 KiB)");
    memset(big[i], 0x5a, 25 * KiB);
  }
  for (int i = 1; i < N; i++) free(big[i]);
  void *p = malloc(19 * KiB);
  CHECK(p, "malloc(19 KiB)");
  int reused = 0;
  for (int i = 1; i < N; i++) reused |= p == big[i];
  CHECK(reused && malloc_usable_size(p) == 26 * KiB, "a 19 KiB request took %p (%zu usable), not a freed 26 KiB block", p,
        malloc_usable_size(p));
  memset(p, 0x33, 19 * KiB);
  /* The 16 KiB class hands out 16 KiB-aligned blocks; the 22 and 26 KiB classes' are only 2 KiB
   * aligned (most of the free 26 KiB blocks are not at a multiple of 16 KiB), so 16 KiB-aligned
   * requests do not take them. */
  void *q[N];
  for (int i = 0; i < N; i++) {
    q[i] = aligned_alloc(16 * KiB, 16 * KiB);
    volatile uintptr_t a = (uintptr_t)q[i]; /* GCC takes aligned_alloc's alignment as given */
    CHECK(q[i] && a % (16 * KiB) == 0, "aligned_alloc(16 KiB, 16 KiB) gave %p", q[i]);
  }
  unsigned char *c = p;
  for (size_t o = 0; o < 19 * KiB; o++) CHECK(c[o] == 0x33, "borrowed block changed at %zu", o);
  for (int i = 0; i < N; i++) free(q[i]);
  free(p);
  free(big[0]);
  return 0;
}
