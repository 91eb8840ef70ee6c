/* The allocation and free paths every entry point shares: inline fast paths for the slab tiers,
 * out-of-line calls for everything else (hakmem.c). */
#ifndef HKM_ALLOC_H
#define HKM_ALLOC_H

#include <errno.h>
#include <stddef.h>
#include "compiler.h"
#include "heap.h"
#include "pagemap.h"
#include "prof.h"
#include "sizeclass.h"

extern const int hkm_tier_alloc_cat[HKM_TIER_COUNT];
extern const int hkm_tier_free_cat[HKM_TIER_COUNT];

void *hkm_alloc_large(size_t n, const void *site, size_t align);
void *hkm_alloc_aligned(size_t align, size_t n, const void *site);
void hkm_free_other(struct hkm_span *s, void *p);
HKM_COLD __attribute__((noreturn)) void hkm_invalid_pointer(const char *fn, const void *p);
HKM_COLD __attribute__((noreturn)) void hkm_out_of_memory_heap(void);
size_t hkm_usable_size(const void *p, const char *fn);
void *hkm_realloc(void *p, size_t n, const void *site);
void *hkm_calloc(size_t count, size_t size, const void *site);

/* Allocate from slab class c of heap h, timed under its tier's category. */
HKM_INLINE void *hkm_alloc_class(struct hkm_heap *h, unsigned c) {
  HKM_TIME_START(t);
  void *p = hkm_slab_alloc(h, c);
  HKM_TIME_END_AT(hkm_tier_alloc_cat[hkm_classes[c].tier], t);
  return p;
}

HKM_INLINE void *hkm_alloc(size_t n, const void *site) {
  HKM_TIME_START(t);
  void *p;
  if (hkm_likely(n <= HKM_L25_MAX)) {
    struct hkm_heap *h = hkm_heap_get();
    if (hkm_likely(h != 0)) {
      p = hkm_alloc_class(h, hkm_size_class(n));
    } else {
      errno = ENOMEM;
      p = 0;
    }
  } else {
    p = hkm_alloc_large(n, site, 0);
  }
  HKM_TIME_END(HAK_ALLOC, t);
  return p;
}

HKM_INLINE void hkm_free(void *p) {
  if (hkm_unlikely(!p)) return;
  HKM_TIME_START(t);
  struct hkm_span *s = hkm_pagemap_get(p);
  if (hkm_likely(s && s->kind == HKM_KIND_SLAB)) {
    /* Only the start of a block that was handed out may be freed: anything else is reported
     * before a single byte is written. */
    uint64_t off = (uintptr_t)p - s->base;
    if (hkm_unlikely(hkm_block_index(off, s->inv) * s->bsize != off || off >= s->carved))
      hkm_invalid_pointer("free", p);
    struct hkm_heap *h = hkm_heap_get();
    if (hkm_unlikely(!h)) hkm_out_of_memory_heap();
    HKM_TIME_START(t1);
    int cat = hkm_tier_free_cat[s->tier];
    hkm_slab_free(h, s, (struct hkm_block *)p);
    HKM_TIME_END_AT(cat, t1);
    (void)cat;
  } else {
    hkm_free_other(s, p);
  }
  HKM_TIME_END(HAK_FREE, t);
}

#endif
