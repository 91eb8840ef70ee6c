/* Deferred, batched release of address ranges, off the application thread.
 *
 * A thread that frees a large block only enqueues its span (lock-free); a helper thread takes the
 * queue when HAKMEM_RECLAIM_BATCH ranges are waiting or the oldest has waited HAKMEM_RECLAIM_DELAY_MS,
 * drops the region cache's pages with IORING_OP_MADVISE (one io_uring_enter per batch) and unmaps what
 * must go (io_uring has no munmap): pages first, with one process_madvise, then one munmap per run of
 * neighbouring ranges. Backends: uring -> thread (plain madvise/munmap on the helper) -> sync (on the
 * freeing thread), falling back automatically when one cannot start. */
#ifndef HKM_RECLAIM_H
#define HKM_RECLAIM_H

#include <stddef.h>
#include "types.h"

enum hkm_release {
  HKM_RELEASE_DROP,  /* drop the pages, keep the range: it comes back through hkm_reclaim_take_dropped */
  HKM_RELEASE_UNMAP, /* unmap the range and recycle the descriptor */
};

/* Hand span s over. For UNMAP the page map forgets the span at once, so nothing can find it again. */
void hkm_reclaim_submit(struct hkm_span *s, int release);
/* Spans whose pages have been dropped since the last call, linked through ->next (the region cache
 * takes them back; a range is never reused before its drop completed). */
struct hkm_span *hkm_reclaim_take_dropped(void);
/* Finish everything submitted so far, on the calling thread if need be (exit, malloc_trim). */
void hkm_reclaim_drain(void);

/* Decay: a cache above (the whale ring, BigCache, the region cache's hot spans) registers a function
 * the helper calls about every HAKMEM_RECLAIM_DELAY_MS while armed, so memory nobody reuses goes back
 * even when the program is idle; it returns nonzero while it still holds something (and wants to be
 * called again). hkm_reclaim_can_decay returns 0 when no helper thread can run it (sync backend):
 * the caller must then keep its cache small. hkm_reclaim_arm_decay goes after the new entry is in
 * the cache and its lock released; it costs a load while the decay is armed already. */
void hkm_reclaim_add_decay(int (*fn)(uint64_t now_ns));
int hkm_reclaim_can_decay(void);
void hkm_reclaim_arm_decay(void);
/* What a decayed cache may hold: its mode's budget while a helper can time out what lies beyond
 * floor (kept however long it waits), else floor. held: the cache's bytes with the new entry. The
 * helper is asked only past the floor, so a small program gets no thread, and before the cache's lock
 * (it may start the helper, which allocates). */
static inline size_t hkm_reclaim_budget(size_t budget, size_t floor, size_t held) {
  return budget > floor && (held <= floor || !hkm_reclaim_can_decay()) ? floor : budget;
}
uint64_t hkm_reclaim_now_ns(void);
/* HAKMEM_RECLAIM_DELAY_MS in nanoseconds, on hkm_reclaim_now_ns's clock: how long a range waits for
 * its batch, and the shortest keep delay. */
uint64_t hkm_reclaim_delay_ns(void);
/* The keep delay: how long the decayed caches (whale ring, BigCache, the region cache's hot spans)
 * keep what nobody takes before the helper lets it go. It starts at HAKMEM_RECLAIM_DELAY_MS and
 * adapts, between that and HKM_KEEP_MAX_NS, to how long the program leaves freed memory alone before
 * it asks for it again: a cache that gets a request which memory it let go would have served calls
 * hkm_reclaim_keep_missed with the time that memory lay freed; one whose let-go memory nobody asked
 * for within HKM_KEEP_MAX_NS calls hkm_reclaim_keep_idle. */
#define HKM_KEEP_MAX_NS ((uint64_t)1000000000u)
uint64_t hkm_reclaim_keep_ns(void);
void hkm_reclaim_keep_missed(uint64_t idle_ns);
void hkm_reclaim_keep_idle(void);

struct hkm_reclaim_stats {
  const char *backend;
  size_t batches, ranges, bytes, fallbacks, queued;
};
void hkm_reclaim_stats(struct hkm_reclaim_stats *out);

void hkm_reclaim_fork_prepare(void);
void hkm_reclaim_fork_parent(void);
void hkm_reclaim_fork_child(void);

#endif
