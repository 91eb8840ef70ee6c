/* Per-thread heaps: which heap a thread uses, and what happens when the thread ends. */
#ifndef HKM_HEAP_H
#define HKM_HEAP_H

#include "compiler.h"
#include "prof.h"
#include "slab.h"

/* The thread's caches as the fast paths see them: its heap's cache array, or caches that are always
 * empty and without room until the thread has a heap (hkm_cache_none) and while profiling is on (the
 * heap's shadow array). These send malloc and free to their slow exits, which then double as the
 * exits to the timed copies, so the untimed paths carry no profiler test and no NULL test. */
extern HKM_TLS struct hkm_cache *hkm_tls_cache;
/* The thread's heap, profiling or not. */
extern HKM_TLS struct hkm_heap *hkm_tls_heap_owned;

/* The caches the fast paths of a thread with heap h see (hkm_tls_cache). */
HKM_INLINE struct hkm_cache *hkm_heap_fast_caches(struct hkm_heap *h) {
  if (!hkm_prof_enabled || HKM_COUNTING) return h->cache; /* the counting build counts in front of them */
  return h->shadow ? h->shadow->cache : hkm_cache_none; /* the shared one when there was no memory for it */
}

/* Point the calling thread's fast paths at its heap h (hkm_heap_fast_caches) and tag h's slabs for them
 * (slab.h, hkm_slab_tag): when h is new, and when profiling is switched on. */
void hkm_heap_set_fast(struct hkm_heap *h);

/* The calling thread's heap, creating it (and initializing hakmem) on first use; NULL when out of
 * memory. */
struct hkm_heap *hkm_heap_get_slow(void);

HKM_INLINE struct hkm_heap *hkm_heap_get(void) {
  struct hkm_heap *h = hkm_tls_heap_owned;
  return hkm_likely(h != 0) ? h : hkm_heap_get_slow();
}

/* Called once by hakmem's init: registers the thread-exit hook. */
void hkm_heap_init(void);
/* Number of heaps with a live thread. */
unsigned hkm_heap_live(void);

/* The calling thread's heap's lists lock (slab.h), held from before every other lock fork takes until
 * after they are let go. */
void hkm_heap_fork_hold(void);
void hkm_heap_fork_let_go(void);
void hkm_heap_fork_prepare(void);
void hkm_heap_fork_parent(void);
void hkm_heap_fork_child(void);

#endif
