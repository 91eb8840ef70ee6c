/* The allocation and free paths every entry point shares: inline fast paths for the slab tiers,
 * out-of-line calls for everything else (hakmem.c).
 *
 * With profiling on, malloc and free leave through their existing slow exits (no heap yet, not a
 * slab block, a large size: see hkm_tls_heap in heap.h) for the counted, sampled copy of the same
 * routing (alloc_timed.h, hakmem.c). The untimed paths thus test nothing for the profiler, keep no
 * timing state live, and need no stack frame. */
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

HKM_INLINE void *hkm_alloc(size_t n, const void *site) {
  if (hkm_likely(n <= HKM_L25_MAX)) {
    struct hkm_heap *h = hkm_tls_heap;
    if (hkm_likely(h != 0)) return hkm_slab_alloc(h, hkm_size_class(n), site);
    return hkm_alloc_exit(n, site);
  }
  return hkm_alloc_big_entry(n, site);
}

/* The slab descriptor of a block p may be freed, or NULL when p is not the start of a block that was
 * handed out from a slab. Nothing is written before this check passes. */
HKM_INLINE struct hkm_span *hkm_slab_of(const void *p) {
  struct hkm_span *s = hkm_pagemap_get(p);
  if (hkm_unlikely(!s || s->kind != HKM_KIND_SLAB)) return 0;
  uint64_t off = (uintptr_t)p - s->base;
  if (hkm_unlikely(hkm_block_index(off, s->inv) * s->bsize != off || off >= s->carved)) hkm_invalid_pointer("free", p);
  return s;
}

HKM_INLINE void hkm_free(void *p) {
  if (hkm_unlikely(!p)) return;
  struct hkm_span *s = hkm_slab_of(p);
  if (hkm_likely(s != 0)) {
    struct hkm_heap *h = hkm_tls_heap;
    if (hkm_likely(h != 0))
      hkm_slab_free(h, s, (struct hkm_block *)p);
    else
      hkm_free_exit(s, p);
    return;
  }
  hkm_free_other_entry(p);
}

#endif
