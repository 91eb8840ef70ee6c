/* The profiled exits of the fast paths (alloc.h): while profiling, every malloc and free leaves the
 * fast path through its slow exit (the caches it sees stay empty, heap.h), and most of them end here,
 * inline: the call is counted in its slot of the thread's counters (prof.h) and done, untimed. The
 * slot's countdown picks one call in about HAKMEM_TIMING_SAMPLE to time; those, and everything
 * other than a slab block with a heap at hand, take the out-of-line timed copies in hakmem.c.
 * The slots are alloc_slots.h's.
 *
 * The counting build (libhakmem-prof.so, HKM_COUNTING; the library hakmem-stat preloads) counts in
 * the fast paths themselves instead: a decrement of the slot before the cache's pop or push
 * (HKM_COUNT_ALLOC, HKM_COUNT_FREE), and the real caches in front of them. The exit above cost ~50
 * instructions per malloc+free pair, as much as the pair itself (perf/bench/RESULTS.md, issue 12);
 * the decrement costs ~3 per call, which a library built for the unprofiled fast path cannot carry. */
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
/* A call its slot counted already and picked to be timed; c is the class whose cache the fast path
 * found (n <= HKM_SMALL_MAX). */
void *hkm_alloc_sampled(size_t n, unsigned c, const void *site);
typedef void *(*hkm_alloc_sampled_exit)(size_t n, unsigned c, const void *site);
void hkm_free_sampled(struct hkm_span *s, void *p);
void *hkm_alloc_noheap(size_t n, const void *site);
/* A call the counting build's fast path counted already, not to be timed: its slab tier's call of a
 * thread without a heap. */
void *hkm_alloc_counted(size_t n, const void *site);
void hkm_free_counted(struct hkm_span *s, void *p);
void hkm_free_noheap(struct hkm_span *s, void *p);

#if HKM_COUNTING
/* A slot's countdown at byte offset off of the slot array (slot i is at 16 i, as class c's cache is
 * at 16 c in a heap's cache array: the fast paths' offsets serve both). */
_Static_assert(sizeof(struct hkm_prof_slot) == sizeof(struct hkm_cache) && HKM_SLOT_ALLOC(0) == 0,
               "slot offsets are cache offsets");
HKM_INLINE int hkm_prof_slot_call_at(size_t off) {
  int64_t *left = (int64_t *)(void *)((char *)hkm_prof_self.blk->slot + off);
  __asm__ goto("subq $1, %0\n\tjle %l[timed]" : "+m"(*left) : : "cc" : timed);
  return 0;
timed:
  return 1;
}
/* In hkm_alloc and hkm_free, after the class's cache offset is known: the call is counted, and when
 * its slot says so it is timed out of line instead. */
#define HKM_COUNT_ALLOC(n, site, off, sampled) \
  if (hkm_unlikely(hkm_prof_slot_call_at(off))) return (sampled)((n), (unsigned)((off) / sizeof(struct hkm_cache)), (site))
#define HKM_COUNT_FREE(s, p)                                                                         \
  if (hkm_unlikely(hkm_prof_slot_call_at((size_t)HKM_SLOT_FREE(0) * sizeof(struct hkm_cache) + (s)->coff))) { \
    hkm_free_sampled((s), (p));                                                                      \
    return;                                                                                          \
  }
#else
#define HKM_COUNT_ALLOC(n, site, off, sampled) ((void)(sampled))
#define HKM_COUNT_FREE(s, p) ((void)0)
#endif

/* n <= HKM_SMALL_MAX, c its size class (which the fast path had already: recomputing it was a sixth
 * of what profiling added to a malloc), and the caches the thread's fast paths see are not its
 * heap's. Every call out of here is a tail call, as on the unprofiled path, so that malloc needs no
 * stack frame. */
HKM_INLINE void *hkm_alloc_exit(size_t n, unsigned c, const void *site) {
#if HKM_ENABLE_TIMING && !HKM_COUNTING
  if (hkm_likely(hkm_prof_enabled)) {
    struct hkm_heap *h = hkm_tls_heap_owned;
    if (hkm_likely(h != 0)) {
      if (hkm_likely(!hkm_prof_slot_call(HKM_SLOT_ALLOC(c)))) return hkm_slab_alloc(h, c, site);
      return hkm_alloc_sampled(n, c, site);
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
#if HKM_ENABLE_TIMING && !HKM_COUNTING
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
