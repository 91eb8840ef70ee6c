/* The allocation and free paths every entry point shares: inline fast paths for the slab tiers,
 * out-of-line calls for everything else (hakmem.c).
 *
 * With profiling on, malloc and free leave through their existing slow exits (an empty cache or one
 * without room, which the caches they see then always are; not a slab block; a large size: see
 * hkm_tls_cache in heap.h) for the counted, sampled copy of the same routing (alloc_timed.h,
 * hakmem.c). The untimed paths thus test nothing for the profiler, keep no timing state live, and
 * need no stack frame. */
#ifndef HKM_ALLOC_H
#define HKM_ALLOC_H

#include <errno.h>
#include <stddef.h>
#include "alloc_timed.h"
#include "compiler.h"
#include "heap.h"
#include "pagemap.h"
#include "prof.h"
#include "sizeclass.h"

extern const int hkm_tier_alloc_cat[HKM_TIER_COUNT];
extern const int hkm_tier_free_cat[HKM_TIER_COUNT];

void *hkm_alloc_empty_entry(size_t n, const void *site, struct hkm_cache *k, size_t off);
void hkm_free_remote_entry(struct hkm_span *s, void *p);
void *hkm_alloc_large(size_t n, const void *site, size_t align);
void *hkm_alloc_big_entry(size_t n, const void *site);
void hkm_free_other_entry(void *p);
void *hkm_alloc_aligned(size_t align, size_t n, const void *site);
void hkm_free_other(struct hkm_span *s, void *p);
HKM_COLD __attribute__((noreturn)) void hkm_invalid_pointer(const char *fn, const void *p);
size_t hkm_usable_size(const void *p, const char *fn);
void *hkm_realloc(void *p, size_t n, const void *site);
void *hkm_calloc(size_t count, size_t size, const void *site);

#if HKM_ENABLE_TIMING
#define hkm_prof_on() hkm_unlikely(hkm_prof_enabled)
#else
#define hkm_prof_on() 0
#endif

/* As a site: the return address of the function hkm_alloc is inlined into (an entry point), read
 * only on the slow exits, so the fast path does not load it. */
#define HKM_SITE_CALLER ((const void *)1)
#define HKM_SITE_OF(site)                                                                              \
  ((site) == HKM_SITE_CALLER ? ({                                                                        \
    __asm__ volatile("" ::: "memory");                                                                   \
    (const void *)__builtin_return_address(0);                                                           \
  })                                                                                                     \
                             : (site))

/* The offset of the cache of an n-byte slab request (n <= HKM_SLAB_MAX) in the cache array k: a Tiny
 * size's from the table after the array, a larger one's from its size class. The profiler's timed
 * allocation finds it the same way (hakmem.c). */
HKM_INLINE size_t hkm_alloc_off(const struct hkm_cache *k, size_t n) {
  return hkm_likely(n <= HKM_TINY_MAX) ? hkm_view_tiny_off(k, n) : (size_t)hkm_size_class(n) * sizeof(struct hkm_cache);
}

/* Whether a is a power of two (an alignment's first test). */
HKM_INLINE int hkm_is_pow2(size_t a) { return a && !(a & (a - 1)); }

/* The allocation of n bytes with its slow exits given: big, the entry for a request past the slab
 * tiers; empty, for an empty cache; sampled, the counting build's timed call (alloc_timed.h). They are
 * constants where this is inlined, so each entry point tail-calls its own exits and needs no stack
 * frame: malloc's are hkm_alloc's, C++'s new has exits that hand a failed request on to the C++
 * runtime (cxx_new.c). */
typedef void *(*hkm_alloc_big_exit)(size_t n, const void *site);
typedef void *(*hkm_alloc_empty_exit)(size_t n, const void *site, struct hkm_cache *k, size_t off);
HKM_INLINE void *hkm_alloc_via(size_t n, const void *site, hkm_alloc_big_exit big, hkm_alloc_empty_exit empty,
                               hkm_alloc_sampled_exit sampled) {
  /* Tiny first: the common case takes one comparison */
  if (hkm_unlikely(!(hkm_likely(n <= HKM_TINY_MAX) || n <= HKM_SMALL_MAX))) return big(n, HKM_SITE_OF(site));
  struct hkm_cache *k = hkm_tls_cache;
  size_t off = hkm_alloc_off(k, n); /* of the class's cache in the heap */
  HKM_COUNT_ALLOC(n, HKM_SITE_OF(site), off, sampled);
  struct hkm_block *b = hkm_slab_pop(k, off);
  if (hkm_likely(b != 0)) return b;
  return empty(n, HKM_SITE_OF(site), k, off); /* arguments in the order the fast path has them */
}

HKM_INLINE void *hkm_alloc(size_t n, const void *site) {
  return hkm_alloc_via(n, site, hkm_alloc_big_entry, hkm_alloc_empty_entry, hkm_alloc_sampled);
}

/* s, p's page-map entry, when p is the start of a block s has handed out; else NULL (s NULL
 * included). Nothing is written before this check passes. */
HKM_INLINE struct hkm_span *hkm_slab_checked(struct hkm_span *s, const void *p) {
  return hkm_likely(s != 0) && hkm_likely(hkm_slab_block_ok(s, p)) ? s : 0;
}

/* The slab descriptor of a block p may be freed, or NULL (hkm_slab_checked). */
HKM_INLINE struct hkm_span *hkm_slab_of(const void *p) { return hkm_slab_checked(hkm_pagemap_get(p), p); }

/* The free of p, s its page-map entry. */
HKM_INLINE void hkm_free_at(struct hkm_span *s, void *p) {
  s = hkm_slab_checked(s, p);
  if (hkm_likely(s != 0)) {
    HKM_COUNT_FREE(s, p);
    if (hkm_unlikely(!hkm_slab_mine(s))) {
      hkm_free_remote_entry(s, p);
      return;
    }
    if (hkm_likely(hkm_slab_push(s, (struct hkm_block *)p))) return;
    /* Past the owner test the thread acts for the heap s->okc belongs to, whose caches its fast paths
     * see (slab.h, hkm_slab_tag): no profiled or heapless exit to consider. */
    hkm_slab_free_slow(hkm_slab_okc_heap(s), s, (struct hkm_block *)p);
    return;
  }
  hkm_free_other_entry(p);
}

/* Without the page map's table, the whole free behind one test (hakmem.c), so that the fast path
 * keeps its single load and needs no stack frame for a call it returns from. */
void hkm_free_two(void *p);

HKM_INLINE void hkm_free(void *p) {
  struct hkm_span **flat = hkm_pagemap_flat;
  if (hkm_unlikely(!flat)) {
    hkm_free_two(p);
    return;
  }
  hkm_free_at(flat[hkm_pagemap_granule(p)], p);
}

#endif
