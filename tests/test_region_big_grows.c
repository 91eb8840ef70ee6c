/* BigCache blocks (1-2 MiB) and realloc: a block grows in place when the span after it is free
 * (src/bigcache.c, hkm_bigcache_grow; the process's first one is cut from a fresh arena, so free
 * address space follows it), and a site's freed larger block serves its next smaller request, which
 * then grows inside it (hkm_bigcache_alloc takes a cached block of up to twice the size). The library
 * before moved the first growth and gave the second request fresh memory. */
#include "grow_check.h"

__attribute__((noinline)) static char *site_alloc(size_t n) {
  char *p = malloc(n);
  __asm__ volatile("" ::: "memory"); /* not a tail call: the site is this function's */
  return p;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  char *z = malloc(1100 * KiB);
  CHECK(z, "malloc");
  api_fill_keyed(z, 1100 * KiB, 1);
  char *z2 = grow_kept(z, 1100 * KiB, 1500 * KiB, 1);
  printf("1100 KiB at %p grew to 1500 KiB at %p\n", (void *)z, (void *)z2);
  CHECK(z2 == z, "a BigCache block followed by free address space moved when it grew");
  free(z2);

  char *x = site_alloc(2 * MiB);
  CHECK(x, "malloc");
  api_fill_keyed(x, 2 * MiB, 2);
  free(x);
  char *y = site_alloc(1100 * KiB);
  CHECK(y, "malloc");
  printf("the site's freed 2 MiB block at %p, its 1100 KiB request at %p\n", (void *)x, (void *)y);
  CHECK(y == x, "the site's cached 2 MiB block did not serve its smaller request");
  api_fill_keyed(y, 1100 * KiB, 3);
  char *y2 = grow_kept(y, 1100 * KiB, 2 * MiB, 3);
  CHECK(y2 == y, "a block grew out of the room it had");
  second_free_aborts(y2);
  free(y2);
  return 0;
}
