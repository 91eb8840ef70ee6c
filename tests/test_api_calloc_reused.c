/* calloc returns zeroed memory even when the block it gets was used and dirtied before: in every
 * tier, when the block comes back from the tier's own cache (free list, BigCache, whale ring) and
 * when it comes back through the region cache after its pages were released.
 * Run by test_api_calloc_reused.sh under several modes and reclaim settings. */
#include <malloc.h>
#include <string.h>

#include "api_check.h"

typedef void *(*alloc2_fn)(size_t, size_t);

/* malloc and calloc called from one call instruction share a call site, so BigCache hands calloc the
 * very block malloc dirtied (a wrapper around malloc would be a different site). malloc is called
 * through calloc's type: the extra argument is ignored by the x86-64 and aarch64 calling conventions. */
__attribute__((noinline, noipa)) static void *via(alloc2_fn f, size_t n) {
  void *p = f(n, 1);
  __asm__ volatile("" ::: "memory"); /* keeps the call from becoming a tail call */
  return p;
}

static void *dirty_malloc(size_t n) {
  void *p = via((alloc2_fn)(void (*)(void))malloc, n);
  CHECK(p, "malloc(%zu)", n);
  memset(p, 0xA5, malloc_usable_size(p));
  return p;
}

static void expect_zero(const unsigned char *p, size_t n, const char *what) {
  CHECK(p, "%s: calloc(%zu) returned NULL", what, n);
  for (size_t i = 0; i < n; i++) CHECK(p[i] == 0, "%s: calloc(%zu) byte %zu is 0x%02x", what, n, i, p[i]);
}

/* The block just freed is the one calloc gets back (free lists are LIFO, caches keyed by site). */
static void same_block(void) {
  for (int round = 0; round < 3; round++)
    for (size_t i = 0; i < API_NSIZES; i++) {
      size_t n = api_tier_sizes[i];
      free(dirty_malloc(n));
      unsigned char *q = via(calloc, n);
      expect_zero(q, n, "reused block");
      memset(q, 0x5A, malloc_usable_size(q));
      free(q);
    }
}

/* Many blocks of one tier, dirtied and freed, so whole slabs and spans go back to the region cache
 * (and, past its budget, through reclaim); then calloc in every tier takes that memory again. */
static void through_region(void) {
  enum { N = 96 };
  void *p[N];
  for (size_t t = 0; t < API_NSIZES; t++) {
    size_t n = api_tier_sizes[t];
    size_t count = n < 64 * KiB ? N : (n < 4 * MiB ? 24 : 6);
    for (size_t i = 0; i < count; i++) p[i] = dirty_malloc(n);
    for (size_t i = 0; i < count; i++) free(p[i]);
    for (size_t u = 0; u < API_NSIZES; u++) {
      size_t m = api_tier_sizes[u];
      size_t c = m < 64 * KiB ? N : (m < 4 * MiB ? 12 : 3);
      for (size_t i = 0; i < c; i++) {
        p[i] = (i % 2) ? calloc(m, 1) : calloc(1, m);
        expect_zero(p[i], m, "memory released by another tier");
        memset(p[i], 0xC3, m);
      }
      for (size_t i = 0; i < c; i++) free(p[i]);
    }
  }
}

/* Dirty memory that malloc_trim(0) dropped reads as zero; dirty memory it kept is cleared. */
static void after_trim(void) {
  for (size_t i = 0; i < API_NSIZES; i++) free(dirty_malloc(api_tier_sizes[i]));
  malloc_trim(0);
  for (size_t i = 0; i < API_NSIZES; i++) {
    size_t n = api_tier_sizes[i];
    unsigned char *q = via(calloc, n);
    expect_zero(q, n, "after malloc_trim");
    free(q);
  }
}

int main(void) {
  same_block();
  through_region();
  after_trim();
  puts("calloc on reused memory: ok");
  return 0;
}
