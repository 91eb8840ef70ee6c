/* Per-thread heaps: which heap a thread uses, and what happens when the thread ends. */
#ifndef HKM_HEAP_H
#define HKM_HEAP_H

#include "compiler.h"
#include "slab.h"

/* The thread's heap as the fast paths see it: hkm_heap_none (slab.h) until the thread has a heap, and
 * while profiling is on. Its empty caches send malloc and free to their slow exits, which then double
 * as the exits to the timed copies, so the untimed paths carry no profiler test and no NULL test. */
extern HKM_TLS struct hkm_heap *hkm_tls_heap;
/* The thread's heap, profiling or not. */
extern HKM_TLS struct hkm_heap *hkm_tls_heap_owned;

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

void hkm_heap_fork_prepare(void);
void hkm_heap_fork_parent(void);
void hkm_heap_fork_child(void);

#endif
