/* The profiled exits of the fast paths (alloc.h): while profiling, every malloc and free leaves the
 * fast path through its slow exit (the caches it sees stay empty, heap.h), and most of them end here,
 * inline: the call is counted in its slot of the thread's counters (prof.h) and done, untimed. The
 * slot's countdown picks one call in about HAKMEM_TIMING_SAMPLE to time; those, and everything
 * other than a slab block with a heap at hand, take the out-of-line timed copies in hakmem.c.
 * The slots are alloc_slots.h's. */
#ifndef HKM_ALLOC_TIMED_H
#define HKM_ALLOC_TIMED_H

#include "alloc_slots.h"
#include "compiler.h"
#include "heap.h"
#include "prof.h"
#include "sizeclass.h"

/* The timed copies: the allocation or free counted and, when its slot says so, timed. */
void *hkm_alloc_timed(size_t n, const void *site);
void hkm_free_timed(void *p);
void hkm_free_timed_slab(struct hkm_span *s, void *p);
/* A call its slot counted already and picked to be timed. */
void *hkm_alloc_sampled(size_t n, const void *site);
void hkm_free_sampled(struct hkm_span *s, void *p);
void *hkm_alloc_noheap(size_t n, const void *site);
void hkm_free_noheap(struct hkm_span *s, void *p);

/* n <= HKM_L25_MAX, c its size class (which the fast path had already: recomputing it was a sixth
 * of what profiling added to a malloc), and the caches the thread's fast paths see are not its
 * heap's. Every call out of here is a tail call, as on the unprofiled path, so that malloc needs no
 * stack frame. */
HKM_INLINE void *hkm_alloc_exit(size_t n, unsigned c, const void *site) {
#if HKM_ENABLE_TIMING
  if (hkm_likely(hkm_prof_enabled)) {
    struct hkm_heap *h = hkm_tls_heap_owned;
    if (hkm_likely(h != 0)) {
      if (hkm_likely(!hkm_prof_slot_call(HKM_SLOT_ALLOC(c)))) return hkm_slab_alloc(h, c, site);
      return hkm_alloc_sampled(n, site);
    }
  }
#else
  (void)c;
#endif
  return hkm_alloc_noheap(n, site);
}

/* s: p's slab, checked; the caches the thread's fast paths see are not its heap's. Tail calls only,
 * as above. */
HKM_INLINE void hkm_free_exit(struct hkm_span *s, void *p) {
#if HKM_ENABLE_TIMING
  if (hkm_likely(hkm_prof_enabled)) {
    struct hkm_heap *h = hkm_tls_heap_owned;
    if (hkm_likely(h != 0)) {
      unsigned slot = HKM_SLOT_FREE(s->cls);
      if (hkm_likely(!hkm_prof_slot_call(slot))) {
        hkm_slab_free(h, s, (struct hkm_block *)p);
        return;
      }
      hkm_free_sampled(s, p);
      return;
    }
  }
#endif
  hkm_free_noheap(s, p);
}

#endif
