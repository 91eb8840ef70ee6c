/* Every aligned entry point honours alignments from 16 bytes to 2 MiB for sizes in every tier,
 * valloc/pvalloc are page aligned, aligned blocks are distinct and fully usable, and large blocks
 * start where hakmem(3) says. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "api_check.h"

static const size_t sizes[] = {1, 16, 100, 1000, 1025, 5000, 30000, 40000, 300000, 1100000, 2500000};
#define NSZ (sizeof sizes / sizeof sizes[0])

enum { POSIX, ALIGNED, MEMALIGN, NFN };
static const char *const fn_name[NFN] = {"posix_memalign", "aligned_alloc", "memalign"};

static void *get(int fn, size_t align, size_t n) {
  void *p = NULL;
  switch (fn) {
  case POSIX:
    CHECK(posix_memalign(&p, align, n) == 0, "posix_memalign(%zu, %zu)", align, n);
    break;
  case ALIGNED:
    p = aligned_alloc(align, n);
    break;
  default:
    p = memalign(align, n);
  }
  CHECK(p, "%s(%zu, %zu) returned NULL", fn_name[fn], align, n);
  CHECK((uintptr_t)p % align == 0, "%s(%zu, %zu) = %p is misaligned", fn_name[fn], align, n, p);
  CHECK(malloc_usable_size(p) >= n, "%s(%zu, %zu): usable %zu", fn_name[fn], align, n, malloc_usable_size(p));
  return p;
}

/* A few blocks of each (alignment, size) live at once, filled; none may overlap another. */
static void all_alignments(void) {
  enum { K = 3 };
  for (int fn = 0; fn < NFN; fn++)
    for (size_t align = 16; align <= 2 * MiB; align *= 2)
      for (size_t s = 0; s < NSZ; s++) {
        size_t n = sizes[s];
        void *p[K];
        for (int k = 0; k < K; k++) {
          p[k] = get(fn, align, n);
          api_fill(p[k], n);
        }
        for (int k = 0; k < K; k++) {
          CHECK(api_bad(p[k], n) == n, "%s(%zu, %zu): block %d overwritten", fn_name[fn], align, n, k);
          free(p[k]);
        }
      }
}

/* Big alignments mixed with ordinary blocks: the aligned ones must not land in a neighbour. */
static void mixed(void) {
  enum { N = 300 };
  void *p[N];
  size_t n[N];
  for (int i = 0; i < N; i++) {
    n[i] = sizes[i % NSZ];
    if (i % 3 == 0)
      p[i] = get(i % NFN, (size_t)1 << (4 + i % 18), n[i]);
    else
      p[i] = malloc(n[i]);
    api_fill(p[i], n[i]);
  }
  for (int i = 0; i < N; i += 2) {
    CHECK(api_bad(p[i], n[i]) == n[i], "block %d overwritten", i);
    free(p[i]);
  }
  for (int i = 1; i < N; i += 2) {
    CHECK(api_bad(p[i], n[i]) == n[i], "block %d overwritten", i);
    free(p[i]);
  }
}

static void page_aligned(void) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t vs[] = {0, 1, 100, 4095, 4096, 4097, 40000, 1100000, 3000000};
  for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
    char *v = valloc(vs[i]);
    CHECK(v && (uintptr_t)v % page == 0, "valloc(%zu) = %p", vs[i], (void *)v);
    CHECK(malloc_usable_size(v) >= vs[i], "valloc(%zu) usable %zu", vs[i], malloc_usable_size(v));
    memset(v, 1, vs[i]);
    /* pvalloc rounds the size up to whole pages (at least one), and all of it is usable. */
    size_t whole = vs[i] ? (vs[i] + page - 1) / page * page : page;
    char *pv = pvalloc(vs[i]);
    CHECK(pv && (uintptr_t)pv % page == 0, "pvalloc(%zu) = %p", vs[i], (void *)pv);
    CHECK(malloc_usable_size(pv) >= whole, "pvalloc(%zu) usable %zu < %zu", vs[i], malloc_usable_size(pv), whole);
    memset(pv, 2, whole);
    for (size_t k = 0; k < vs[i]; k++) CHECK(v[k] == 1, "pvalloc block overlaps the valloc block");
    free(v);
    free(pv);
  }
}

/* hakmem(3): blocks over 1 MiB with no alignment asked for start 1 KiB into their first page, and
 * all of malloc_usable_size() is still theirs to write. */
static void large_lead(void) {
  static const size_t n[] = {1100000, 2 * 1048576, 2500000, 9 * 1048576};
  for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
    unsigned char *p = malloc(n[i]);
    CHECK(p, "malloc(%zu)", n[i]);
    CHECK((uintptr_t)p % 4096 == 1024, "malloc(%zu) = %p: not 1 KiB into a page", n[i], (void *)p);
    size_t u = malloc_usable_size(p);
    CHECK(u >= n[i], "malloc_usable_size(malloc(%zu)) = %zu", n[i], u);
    memset(p, 0x5a, u);
    free(p);
  }
}

int main(void) {
  all_alignments();
  large_lead();
  mixed();
  page_aligned();
  puts("alignments: ok");
  return 0;
}
