/* A thread's cache of the page runs it freed (pages.h), kept whole and by length in pages, for the
 * thread's next requests of the same length. A page run's free costs its arena's lock and the chunk's
 * bitmaps and run lists on the way back and again on the way out (wl_mid, 2-64 KiB blocks: 200 cycles
 * per free, 160 per malloc, where mimalloc's pages of one size take tens). A cache (a thread-local
 * struct hkm_tcache, pages.c) holds up to the mode's budget and lets its oldest blocks go to make room,
 * so what it keeps follows the lengths the thread asks for now; its thread gives the rest back when it
 * exits and on malloc_trim. A block here is still in use as far as its chunk knows: pages.c marks it
 * cached in the chunk, so that a second free is caught. This file is only the lists,
 * linked through the blocks' first words: blocks leave as chains for pages.c to free. (The same cache
 * in front of the region cache's runs of 64 KiB-1 MiB was tried and dropped: perf/bench/RESULTS.md,
 * "A thread cache of freed page runs".) */
#ifndef HKM_TCACHE_H
#define HKM_TCACHE_H

#include <stdint.h>
#include "compiler.h"

/* The longest block in units (pages): 64 KiB. */
#define HKM_TCACHE_MAX_UNITS 16

/* A block while a cache holds it: its first words. */
struct hkm_cached_block {
  struct hkm_cached_block *next; /* the next of its length (newer first); in a chain out, the next there */
  struct hkm_cached_block *prev;
  struct hkm_cached_block *older, *newer; /* the cache's blocks in the order they came */
  uint32_t units;
};

struct hkm_tcache {
  struct hkm_cached_block *len[HKM_TCACHE_MAX_UNITS + 2]; /* by length, newest first; the last stays empty */
  struct hkm_cached_block *oldest, *newest;
  unsigned units;
};

/* A cached block of units or units + 1, taken out of c, or NULL. */
void *hkm_tcache_take(struct hkm_tcache *c, unsigned units);
/* Keep block p (units long, 1 to HKM_TCACHE_MAX_UNITS) in c, which holds at most most
 * units. Returns the blocks that must go back: the oldest ones that made room, or p itself when it is
 * longer than the whole cache; NULL when none. */
struct hkm_cached_block *hkm_tcache_put(struct hkm_tcache *c, void *p, unsigned units, unsigned most);
/* Every block of c, as a chain; c is empty after. */
struct hkm_cached_block *hkm_tcache_drain(struct hkm_tcache *c);

#endif
