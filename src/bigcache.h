/* BigCache: blocks of (1 MiB, 2 MiB], kept after free per (call site, size) so that a site that
 * allocates, touches and frees the same big buffer in a loop gets it back with its pages resident. A
 * request takes a kept block of its 128 KiB step or the next, else the smallest of up to twice its
 * size: a buffer that realloc grows through these sizes leaves the block it outgrew at the site, and
 * takes it again the next time it passes. Beyond 8 MiB in all, kept blocks go back once they have
 * waited HAKMEM_RECLAIM_DELAY_MS unused (the helper's decay). */
#ifndef HKM_BIGCACHE_H
#define HKM_BIGCACHE_H

#include <stddef.h>
#include "types.h"

/* Registers BigCache's decay with reclaim.c (once, at init). */
void hkm_bigcache_init(void);
/* The block starts lead bytes into its span (n counts them). */
void *hkm_bigcache_alloc(size_t n, size_t lead, const void *site);
void hkm_bigcache_free(struct hkm_span *s);
/* Grow live block s in place to n bytes (its lead counted, at most HKM_BIG_MAX and a lead) from the
 * free span after it (region.c); 1 when it has grown. */
int hkm_bigcache_grow(struct hkm_span *s, size_t n);
/* Release every cached block (malloc_trim). Returns 1 when anything was released. */
int hkm_bigcache_flush(void);

struct hkm_bigcache_stats {
  size_t blocks, bytes, hits, misses, evictions;
};
void hkm_bigcache_stats(struct hkm_bigcache_stats *out);

void hkm_bigcache_fork_prepare(void);
void hkm_bigcache_fork_parent(void);
void hkm_bigcache_fork_child(void);

#endif
