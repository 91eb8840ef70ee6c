/* Deferred, batched release of address ranges, off the application thread.
 *
 * A thread that frees a large block only enqueues its span (lock-free); a helper thread takes the
 * queue when HAKMEM_RECLAIM_BATCH ranges are waiting or the oldest has waited HAKMEM_RECLAIM_DELAY_MS,
 * drops pages with IORING_OP_MADVISE (one io_uring_enter per batch) and unmaps what must go (io_uring
 * has no munmap). Backends: uring -> thread (plain madvise/munmap on the helper) -> sync (on the
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

struct hkm_reclaim_stats {
  const char *backend;
  size_t batches, ranges, bytes, fallbacks, queued;
};
void hkm_reclaim_stats(struct hkm_reclaim_stats *out);

void hkm_reclaim_fork_prepare(void);
void hkm_reclaim_fork_parent(void);
void hkm_reclaim_fork_child(void);

#endif
