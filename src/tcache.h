/* A thread's cache of the page runs it freed (pages.h), kept whole and by length in pages, for the
 * thread's next requests of the same length. A page run's free costs its arena's lock and the chunk's
 * bitmaps and run lists on the way back and again on the way out (wl_mid, 2-64 KiB blocks: 200 cycles
 * per free, 160 per malloc, where mimalloc's pages of one size take tens). A cache (a thread-local
 * struct hkm_tcache, pages.c) holds up to the mode's budget and lets its oldest runs go to make room,
 * so what it keeps follows the lengths the thread asks for now; its thread gives the rest back when it
 * exits and on malloc_trim. A run here is still in use as far as its chunk knows: pages.c marks it
 * cached in the chunk, so that a second free is caught.
 *
 * The cache writes nothing into the runs it holds. Its first version linked them through their first
 * words, by length and by age, both ways: a put or a take wrote the cold first lines of up to four
 * other runs, 1.5 M of the allocator's 1.6 M first-level write misses in wl_mid (cachegrind). Now a run
 * is a slot of a ring of HKM_TCACHE_SLOTS, in the order the runs came, with a bit mask of the slots
 * per length: the newest run of a length is the highest bit of its mask counted from the ring's head.
 * (The same cache in front of the region cache's runs of 64 KiB-1 MiB was tried and dropped:
 * perf/bench/RESULTS.md, "Tried and dropped: the same cache in front of the runs of 64 KiB-1 MiB".) */
#ifndef HKM_TCACHE_H
#define HKM_TCACHE_H

#include <stdint.h>
#include "compiler.h"

/* The longest run in units (pages): 64 KiB. */
#define HKM_TCACHE_MAX_UNITS 16
/* Runs a cache holds at most, whatever its budget: the fast preset's 1 MiB of the shortest runs (5
 * pages) is 51. */
#define HKM_TCACHE_SLOTS 64

struct hkm_tcache {
  void *run[HKM_TCACHE_SLOTS];
  uint64_t by_len[HKM_TCACHE_MAX_UNITS + 2]; /* the slots holding runs of each length; the last stays empty */
  uint64_t used;                             /* the slots holding a run */
  uint8_t len[HKM_TCACHE_SLOTS];             /* each slot's run's length */
  unsigned head;                             /* the next run's slot: the oldest position of the ring */
  unsigned units;                            /* pages held */
};

_Static_assert(HKM_TCACHE_SLOTS == 64, "a slot is a bit of a 64-bit mask");

/* Mask m turned so that bit 0 is the ring's oldest position (the head) and bit 63 its newest. */
HKM_INLINE uint64_t hkm_tcache_by_age(const struct hkm_tcache *c, uint64_t m) {
  unsigned h = c->head;
  return h ? (m >> h) | (m << (64 - h)) : m;
}

/* The run in slot (aged_bit + head) mod 64 (its length in *units), taken out of c. */
HKM_INLINE void *hkm_tcache_take_aged(struct hkm_tcache *c, unsigned aged_bit, unsigned *units) {
  unsigned i = (aged_bit + c->head) & 63;
  uint64_t bit = (uint64_t)1 << i;
  unsigned u = c->len[i];
  c->used &= ~bit;
  c->by_len[u] &= ~bit;
  c->units -= u;
  *units = u;
  return c->run[i];
}

/* A cached run of units or units + 1 pages (its length in *got), taken out of c, or NULL. */
HKM_INLINE void *hkm_tcache_take(struct hkm_tcache *c, unsigned units, unsigned *got) {
  uint64_t m = c->by_len[units];
  if (!m && !(m = c->by_len[units + 1])) return NULL;
  return hkm_tcache_take_aged(c, 63 - (unsigned)__builtin_clzll(hkm_tcache_by_age(c, m)), got);
}

/* Whether c, which holds at most most pages, has room for a run of units pages as it is. */
HKM_INLINE int hkm_tcache_room(const struct hkm_tcache *c, unsigned units, unsigned most) {
  return c->units + units <= most && !(c->used & ((uint64_t)1 << c->head));
}

/* Keep run p (units long, 1 to HKM_TCACHE_MAX_UNITS) in c, which has room for it. */
HKM_INLINE void hkm_tcache_put(struct hkm_tcache *c, void *p, unsigned units) {
  unsigned i = c->head;
  uint64_t bit = (uint64_t)1 << i;
  c->run[i] = p;
  c->len[i] = (uint8_t)units;
  c->used |= bit;
  c->by_len[units] |= bit;
  c->units += units;
  c->head = (i + 1) & 63;
}

/* The oldest run of c (its length in *units), taken out, or NULL when c is empty. */
HKM_INLINE void *hkm_tcache_oldest(struct hkm_tcache *c, unsigned *units) {
  if (!c->used) return NULL;
  return hkm_tcache_take_aged(c, (unsigned)__builtin_ctzll(hkm_tcache_by_age(c, c->used)), units);
}

#endif
