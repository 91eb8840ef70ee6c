/* realloc grows a run (a block of 64 KiB-1 MiB) in place when the span right after it is free in the
 * region cache, cold or hot (src/region.c, hkm_region_extend), and moves it when a live block is
 * there. The process's first run is cut from a fresh arena, so cold address space follows it; the
 * library before copied every growth to a new run. A grown block is a block like any other: its
 * bytes are kept, all of its usable size may be written, the neighbour it grew into is never handed
 * out twice, and a second free of it is caught. */
#include "grow_check.h"

static char *block(size_t n, uintptr_t key) {
  char *p = malloc(n);
  CHECK(p, "malloc(%zu)", n);
  api_fill_keyed(p, n, key);
  return p;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0); /* stdio's buffer would be a slab between the runs */
  char *p = block(100 * KiB, 1);
  char *q = grow_kept(p, 100 * KiB, 300 * KiB, 1);
  printf("100 KiB at %p grew to 300 KiB at %p (cold space after it)\n", (void *)p, (void *)q);
  CHECK(q == p, "a run followed by free address space moved when it grew");

  /* A live block right after it: the growth must move. */
  char *r = block(100 * KiB, 2);
  printf("next run at %p\n", (void *)r);
  CHECK((uintptr_t)r >= (uintptr_t)p + 300 * KiB && (uintptr_t)r < (uintptr_t)p + 400 * KiB,
        "the next run was expected right after the grown one");
  q = grow_kept(p, 300 * KiB, 600 * KiB, 1);
  CHECK(q != p, "a run grew over the live block after it");
  CHECK(api_bad_keyed(r, 100 * KiB, 2) == 100 * KiB, "the block after the run was overwritten");
  printf("300 KiB moved to %p for 600 KiB\n", (void *)q);

  /* Freed, the old run and r merge into one resident span; a run cut from its start has the rest of
   * it, hot, right behind. */
  free(r);
  char *a = block(100 * KiB, 3);
  char *b = grow_kept(a, 100 * KiB, 250 * KiB, 3);
  printf("100 KiB at %p grew to 250 KiB at %p (resident space after it)\n", (void *)a, (void *)b);
  CHECK(b == a, "a run followed by a resident free span moved when it grew");

  /* What is left after the grown block is still handed out, and does not overlap it. */
  char *c = block(100 * KiB, 4);
  CHECK(api_bad_keyed(b, malloc_usable_size(b), 3) == malloc_usable_size(b), "the grown block was overwritten");
  CHECK((uintptr_t)c >= (uintptr_t)b + malloc_usable_size(b) || (uintptr_t)c + 100 * KiB <= (uintptr_t)b,
        "a new block overlaps the grown one");
  CHECK(api_bad_keyed(q, 600 * KiB, 1) == 600 * KiB, "the moved block was overwritten");

  /* A second free of a grown block aborts with the double-free message. */
  second_free_aborts(b);

  free(b);
  free(c);
  free(q);
  return 0;
}
