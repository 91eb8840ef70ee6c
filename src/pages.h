/* Page runs: malloc requests of (HKM_SMALL_MAX, HKM_SLAB_MAX] (18-64 KiB), each a run of whole 4 KiB
 * pages inside a 1 MiB chunk that the region cache lent (256 KiB-1 MiB when it keeps only shorter
 * resident spans: pages.c, LEAST_CHUNK), shared by every size and by the threads of its arena (one
 * per CPU, at most 8; threads dealt to them in turn).
 *
 * As slab blocks, each of the 20 size classes between 2 and 64 KiB kept resident about the most of it
 * that was ever live at once, and with a handful of blocks live per class that is well above its mean
 * (wl_mid, 512 live blocks of 2-64 KiB: 26.6 MiB peak RSS against glibc's 20.8). A freed run's pages
 * serve the next request of any size here, as a best-fit heap's do: the allocation takes the shortest
 * free run that fits, over the chunks of the thread's arena (perf/bench/RESULTS.md, "Page runs for
 * 18-64 KiB").
 *
 * A block starts on a page; its pages' bits and the start bit say where it is and how long, so free()
 * needs no header and catches a double free (the page is free) or a pointer inside a block (no start
 * bit there). One lock per arena; a free takes its chunk's arena's, whichever thread frees. In front
 * of the chunks each thread keeps the runs it frees (tcache.h), live by the bitmaps and marked
 * cached in their chunk, which the same checks read. */
#ifndef HKM_PAGES_H
#define HKM_PAGES_H

#include <stddef.h>
#include "types.h"

/* A block of at least n bytes (n <= HKM_SLAB_MAX), page-aligned, allocated at site (a chunk's site is
 * that of its last allocation, as a slab's is of its last carve: fault sampling names it); NULL when
 * no memory is left. */
void *hkm_pages_alloc(size_t n, const void *site);
/* What p, which the page map sends to chunk span s, turned out to be; anything but LIVE changes
 * nothing, and the caller reports it with the other tiers' messages (hakmem.c). */
enum { HKM_PAGES_LIVE, HKM_PAGES_INVALID, HKM_PAGES_FREED };
/* Free p when it is a live block. */
int hkm_pages_free(struct hkm_span *s, void *p);
/* The usable bytes of p, in *n, when it is a live block. */
int hkm_pages_usable(struct hkm_span *s, const void *p, size_t *n);
/* The calling thread's cache of freed runs (tcache.h) back to their chunks: it is exiting. */
void hkm_pages_thread_exit(void);
/* Drop the pages of every free run and give the empty chunk kept back to the region cache
 * (malloc_trim). Returns 1 when anything went. */
int hkm_pages_trim(void);

struct hkm_pages_stats {
  size_t chunks;     /* chunks with a block, and the empty one kept back */
  size_t bytes;      /* their length */
  size_t used_bytes; /* in blocks */
  size_t cached_bytes; /* of those, freed ones in the calling thread's cache */
};
void hkm_pages_stats(struct hkm_pages_stats *out);

void hkm_pages_fork_prepare(void);
void hkm_pages_fork_parent(void);
void hkm_pages_fork_child(void);

#endif
