/* Size classes of the slab tiers (Tiny, L2 pool, L2.5 up to HKM_SLAB_MAX), all in one table.
 *
 * Classes step by 16 bytes up to 128, then four per doubling (five in the pool tier, at 33/32, 9/8,
 * 11/8, 13/8 and 2 times the doubling's base: sizeclass.c says why), so the worst rounding loss is
 * 25%.
 * (16-byte steps all the way to 1 KiB lose less to rounding but cost more memory than they save: each
 * class holds partly used slabs and cached blocks of its own; wl_server's peak RSS went from 23 to
 * 30 MiB, wl_prodcons's from 4.6 to 6.7.) Every power of two is a class, which lets aligned requests
 * pick a class whose blocks are naturally aligned (slab bases are 64 KiB aligned). */
#ifndef HKM_SIZECLASS_H
#define HKM_SIZECLASS_H

#include <stddef.h>
#include <stdint.h>
#include "compiler.h"
#include "types.h"

#define HKM_TINY_CLASSES 20 /* 8 up to 128 bytes, 12 more up to 1 KiB */
#define HKM_POOL_CLASSES_END 45 /* classes below this one are Tiny or L2 pool (up to HKM_POOL_MAX): five per doubling */
#define HKM_NCLASSES 49     /* and four on L2.5's doubling up to HKM_SLAB_MAX */

struct hkm_class {
  uint32_t bsize;      /* block size */
  uint32_t slab_bytes; /* span length of one slab of this class */
  uint64_t mul;        /* the slab's free-path multiplier (types.h, struct hkm_span's mul) */
  uint64_t step;       /* bsize * mul mod 2^64: what one carved block adds to a slab's limit */
  uint16_t cache;      /* free blocks a thread may keep in its cache (slab.h) */
  uint16_t batch;      /* blocks a refill moves into the cache at once */
  uint8_t tier;        /* HKM_TIER_TINY, _POOL or _L25 */
};

extern struct hkm_class hkm_classes[HKM_NCLASSES];
/* Lookup tables above Tiny, indexed by the size rounded up to the tier's step. */
extern uint8_t hkm_cls_pool[HKM_POOL_MAX / 32 + 1];
extern uint8_t hkm_cls_l25[HKM_SLAB_MAX / 4096 + 1];

/* The class of a Tiny request, n <= HKM_TINY_MAX (0 gets the smallest class), by arithmetic: the
 * fast paths read it from the table that follows the cache array they load (slab.h); the slow paths
 * and the profiler compute it, so that the library keeps one copy of the table, not a global one too
 * (its 2 KiB pushed the library's .bss onto a fourth page: perf/bench/RESULTS.md, "The page map's
 * own pages, the clock, and the .bss"). */
HKM_INLINE unsigned hkm_tiny_class(size_t n) {
  if (n <= 128) return (unsigned)((n - (n != 0)) >> 4); /* 16-byte steps */
  unsigned b = 63u - (unsigned)__builtin_clzll((unsigned long long)(n - 1)); /* 7, 8 or 9: the doubling */
  return 8u + (b - 7u) * 4u + (unsigned)((n - 1 - ((size_t)1 << b)) >> (b - 2u));
}

/* Class of a request of n <= HKM_SLAB_MAX bytes (0 gets the smallest class). */
HKM_INLINE unsigned hkm_size_class(size_t n) {
  if (hkm_likely(n <= HKM_TINY_MAX)) return hkm_tiny_class(n);
  if (n <= HKM_POOL_MAX) return hkm_cls_pool[(n + 31) >> 5];
  return hkm_cls_l25[(n + 4095) >> 12];
}

/* Class c's tier from its index alone (classes go by size): what hkm_classes[c].tier holds, without
 * reading the table. The timed allocations use it: every table line a timed call reads is one the
 * program's own data loses in L1 when every call is timed (the class table and the global copy of
 * the Tiny table were 19 lines that the untimed path never reads: perf/bench/RESULTS.md, issue 12). */
HKM_INLINE int hkm_class_tier(unsigned c) {
  return c < HKM_TINY_CLASSES ? HKM_TIER_TINY : c < HKM_POOL_CLASSES_END ? HKM_TIER_POOL : HKM_TIER_L25;
}

/* Fill the tables; idempotent, allocation-free. */
void hkm_sizeclass_init(void);
/* A Tiny table: 16 x class (a heap's cache offset, slab.h) for each size 0..HKM_TINY_MAX, indexed by
 * the size itself so that malloc finds its cache with one load and no arithmetic (two instructions
 * fewer than indexing by (n - 1) >> 4, for 2 KiB of table instead of 128 bytes). */
void hkm_sizeclass_tiny_table(uint16_t off[HKM_TINY_MAX + 1]);

#endif
