/* Whale: blocks over 2 MiB (and any block aligned beyond 64 KiB) get a mapping of their own. Freed
 * mappings wait in a FIFO ring (of one slot, more up to HAKMEM_WHALE_SLOTS while the mappings it let
 * go are asked for again; and a byte budget) for a request of about the size (best fit, up to four
 * times as large); what falls out of the ring, or waits in it longer than HAKMEM_RECLAIM_DELAY_MS,
 * goes to the region cache, which drops its pages (and keeps or unmaps its address space) off this
 * thread through reclaim.c. */
#ifndef HKM_WHALE_H
#define HKM_WHALE_H

#include <stddef.h>
#include "types.h"

/* A mapping of at least n bytes starting at a multiple of align (align <= 64 KiB means 64 KiB), for
 * allocation call site site; the block starts lead bytes into it (n counts them). */
void *hkm_whale_alloc(size_t n, size_t align, size_t lead, const void *site);
/* Registers the ring's decay with reclaim.c (once, at init). */
void hkm_whale_init(void);
void hkm_whale_free(struct hkm_span *s);
/* Grow live Whale block s to n bytes (its lead counted) without copying it: its pages move to a new
 * mapping of n's size (hkm_os_move). 1 when it has grown, else 0 and nothing changed. */
int hkm_whale_grow(struct hkm_span *s, size_t n);
/* Release every mapping in the ring (malloc_trim). Returns 1 when anything was released. */
int hkm_whale_flush(void);

struct hkm_whale_stats {
  size_t ring_blocks, slots, ring_bytes, hits, misses, evictions;
};
void hkm_whale_stats(struct hkm_whale_stats *out);

void hkm_whale_fork_prepare(void);
void hkm_whale_fork_parent(void);
void hkm_whale_fork_child(void);

#endif
