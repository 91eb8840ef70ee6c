/* Whale blocks kept for the site that freed them (site rule keep = own), so that a site which frees
 * its big blocks and allocates them again a little later (tens of milliseconds, longer than the
 * shared ring's HAKMEM_RECLAIM_DELAY_MS) gets its pages back, and no other site gets them. A site
 * keeps at most as many as it ever had live at once.
 *
 * A block waits at most 2^keep_ms_log2 ms (the site's rule, at most 1024 ms), then goes to the
 * region cache like any whale mapping the ring lets go; the resident pages of all kept blocks together
 * (measured on sampled blocks, else the mean of the site's sampled ones) stay within the mode's whale budget
 * (balanced 256 MiB; 16 MiB without a release helper), the block nearest its deadline going first. */
#ifndef HKM_SITECACHE_H
#define HKM_SITECACHE_H

#include <stddef.h>
#include "policy.h"
#include "types.h"

/* Registers the decay with reclaim.c (once, at init, when site rules are on). */
void hkm_sitecache_init(void);
/* Keep s (freed, kind FREE) for the site of evidence slot k->slot for up to k->ms, charging k->pages
 * resident pages against the budget, the site's longest waiting block going when it already has
 * k->max_blocks waiting; 0 when it cannot be kept. */
int hkm_sitecache_put(struct hkm_span *s, const struct hkm_keep_ticket *k);
/* A kept block of the site's with at least bytes (at most four times as many) starting at a
 * multiple of align, or NULL. */
struct hkm_span *hkm_sitecache_take(int slot, size_t bytes, size_t align);
/* Release every kept block (malloc_trim). Returns 1 when anything was released. */
int hkm_sitecache_flush(void);
/* Release the blocks kept for one site (the learner, when the site changed how much it touches). */
void hkm_sitecache_flush_slot(int slot);

struct hkm_sitecache_stats {
  size_t blocks, bytes, resident, hits, expired; /* bytes: their mappings; resident: what they are charged */
};
void hkm_sitecache_stats(struct hkm_sitecache_stats *out);

void hkm_sitecache_fork_prepare(void);
void hkm_sitecache_fork_parent(void);
void hkm_sitecache_fork_child(void);

#endif
