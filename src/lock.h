/* A lock for the allocator's short critical sections (the region cache, the page-run arenas, the
 * metadata): free, taking it and letting it go are one atomic instruction each, where
 * pthread_mutex_lock and pthread_mutex_unlock took ~25 instructions of checks each (wl_churn: 17% of
 * its instructions; perf/bench/RESULTS.md, "A lock of its own"). Calls, not inline: inline at every
 * site they made the code every process runs a page longer. A waiter spins a little and then sleeps
 * on a futex, as a mutex does, so that a preempted holder, or a waiter that outranks the holder on
 * its CPU, cannot leave it spinning for ever. */
#ifndef HKM_LOCK_H
#define HKM_LOCK_H

#include <stdatomic.h>

struct hkm_lock {
  _Atomic int v; /* 0 free, 1 held, 2 held with a sleeper (or one about to be) */
};
#define HKM_LOCK_INIT {0}

void hkm_lock(struct hkm_lock *l);
void hkm_unlock(struct hkm_lock *l);
/* In a fork child, whatever thread held it is gone. */
void hkm_lock_reset(struct hkm_lock *l);

#endif
