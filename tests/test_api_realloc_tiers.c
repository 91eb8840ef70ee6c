/* realloc keeps the contents when a block grows or shrinks across every tier boundary (Tiny, L2,
 * L2.5, BigCache, Whale), in one step and as a chain of steps, and the new block is fully usable. */
#include <malloc.h>
#include <string.h>

#include "api_check.h"

/* Every pair of sizes: the old block's pattern must survive in the new one's prefix. */
static void pairs(void) {
  for (size_t i = 0; i < API_NSIZES; i++)
    for (size_t j = 0; j < API_NSIZES; j++) {
      size_t a = api_tier_sizes[i], b = api_tier_sizes[j];
      char *p = malloc(a);
      CHECK(p, "malloc(%zu)", a);
      uintptr_t key = (uintptr_t)p;
      api_fill_keyed(p, a, key);
      char *q = realloc(p, b);
      CHECK(q, "realloc(%zu -> %zu)", a, b);
      size_t keep = a < b ? a : b;
      /* The pattern is keyed by the old block: compare against it over the kept prefix. */
      for (size_t k = 0; k < keep; k++)
        CHECK((unsigned char)q[k] == api_byte(key, a, k), "realloc %zu -> %zu lost byte %zu", a, b, k);
      CHECK(malloc_usable_size(q) >= b, "realloc %zu -> %zu: usable %zu", a, b, malloc_usable_size(q));
      memset(q, 0x77, malloc_usable_size(q));
      free(q);
    }
}

/* Grow from 16 bytes to 8 MB and back, one boundary at a time, with other blocks live around it so
 * a block moved into a neighbour's space would be seen. */
static void chain(void) {
  enum { NB = 64 };
  char *nb[NB];
  for (int i = 0; i < NB; i++) {
    size_t n = api_tier_sizes[i % API_NSIZES] / 4 + 1;
    nb[i] = malloc(n);
    api_fill(nb[i], n);
  }
  size_t n = api_tier_sizes[0];
  char *p = malloc(n);
  api_fill_keyed(p, n, 1);
  for (int dir = 0; dir < 2; dir++)
    for (size_t s = 1; s < API_NSIZES; s++) {
      size_t next = api_tier_sizes[dir == 0 ? s : API_NSIZES - 1 - s];
      p = realloc(p, next);
      CHECK(p, "realloc to %zu", next);
      size_t keep = n < next ? n : next;
      for (size_t k = 0; k < keep; k++)
        CHECK((unsigned char)p[k] == api_byte(1, n, k), "chain %zu -> %zu lost byte %zu", n, next, k);
      api_fill_keyed(p, next, 1);
      n = next;
    }
  free(p);
  for (int i = 0; i < NB; i++) {
    size_t m = api_tier_sizes[i % API_NSIZES] / 4 + 1;
    CHECK(api_bad(nb[i], m) == m, "neighbour block %d corrupted by reallocs", i);
    free(nb[i]);
  }
}

/* Small steps inside each tier (in-place growth and shrink paths). */
static void steps(void) {
  size_t n = 1;
  char *p = malloc(n);
  api_fill_keyed(p, n, 2);
  while (n < 6 * MiB) {
    size_t next = n + n / 3 + 1;
    p = realloc(p, next);
    CHECK(p, "realloc to %zu", next);
    for (size_t k = 0; k < n; k++) CHECK((unsigned char)p[k] == api_byte(2, n, k), "grow %zu -> %zu lost byte %zu", n, next, k);
    api_fill_keyed(p, next, 2);
    n = next;
  }
  while (n > 1) {
    size_t next = n - n / 3 - 1;
    if (next == 0) next = 1;
    p = realloc(p, next);
    CHECK(p, "realloc to %zu", next);
    for (size_t k = 0; k < next; k++) CHECK((unsigned char)p[k] == api_byte(2, n, k), "shrink %zu -> %zu lost byte %zu", n, next, k);
    api_fill_keyed(p, next, 2);
    n = next;
  }
  free(p);
}

int main(void) {
  pairs();
  chain();
  steps();
  puts("realloc across tiers: ok");
  return 0;
}
