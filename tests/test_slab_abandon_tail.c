/* A thread that exits leaves resident only the pages its slabs' blocks are on (slab.c, drop_tail):
 * a slab cut from a span the region cache had kept resident holds pages an earlier life wrote, past
 * the blocks it carved, and those stayed resident for as long as the slab was orphaned.
 * The first thread writes 320 KiB of 16-byte blocks, frees them and exits, so that their slabs go
 * back to the region cache with every page resident. The second allocates
 * one block of a class nobody used yet, whose fresh slab is cut from those spans (checked: more than
 * two of its 16 pages resident while the thread runs), keeps it and exits. Afterwards the slab's
 * 64 KiB may hold at most the two pages its first carve can reach. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "api_check.h"

#define SMALL 16
#define N (320 * KiB / SMALL)
#define OTHER 112 /* a Tiny class of its own: its first block starts a fresh 64 KiB slab */

static char *kept;
static int before;

static int resident_pages(const void *p) {
  unsigned char vec[16];
  CHECK(mincore((void *)((uintptr_t)p & ~(uintptr_t)(64 * KiB - 1)), 64 * KiB, vec) == 0, "mincore");
  int n = 0;
  for (int j = 0; j < 16; j++) n += vec[j] & 1;
  return n;
}

static void *dirty(void *arg) {
  (void)arg;
  char **b = malloc(N * sizeof *b);
  CHECK(b, "malloc");
  for (size_t i = 0; i < N; i++) {
    CHECK((b[i] = malloc(SMALL)), "malloc");
    memset(b[i], 1, SMALL);
  }
  for (size_t i = 0; i < N; i++) free(b[i]);
  free(b);
  return NULL;
}

static void *keep_one(void *arg) {
  (void)arg;
  CHECK((kept = malloc(OTHER)), "malloc");
  memset(kept, 2, OTHER);
  before = resident_pages(kept);
  return NULL;
}

int main(void) {
  pthread_t t;
  CHECK(pthread_create(&t, NULL, dirty, NULL) == 0, "pthread_create");
  pthread_join(t, NULL);
  CHECK(pthread_create(&t, NULL, keep_one, NULL) == 0, "pthread_create");
  pthread_join(t, NULL);
  CHECK(before > 2, "the block's slab had %d resident pages before its thread exited: not cut from a resident span, "
        "so this test cannot tell", before);
  int after = resident_pages(kept);
  printf("a block's slab cut from resident pages: %d of 16 pages resident while its thread ran, %d after it exited\n",
         before, after);
  CHECK(after <= 2, "the orphaned slab kept %d pages resident", after);
  CHECK(kept[0] == 2 && kept[OTHER - 1] == 2, "the kept block was overwritten");
  free(kept);
  return 0;
}
