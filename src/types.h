/* The shapes every tier shares. Invariants are described once, here.
 *
 * Address space is handed out in spans: runs of 64 KiB granules, each aligned to a granule. The page
 * map sends every granule of a live span to the span's descriptor, so free() finds the owner of any
 * pointer in O(1) without a header in front of the block. Descriptors live out of band (meta.c) and
 * are type-stable: once created a descriptor is never unmapped, only recycled, so a racing reader of a
 * stale descriptor reads garbage values, never unmapped memory. */
#ifndef HKM_TYPES_H
#define HKM_TYPES_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

#define HKM_GRANULE_SHIFT 16
#define HKM_GRANULE ((size_t)1 << HKM_GRANULE_SHIFT)

/* n rounded up to a multiple of step, a power of two. */
static inline size_t hkm_round_up(size_t n, size_t step) { return (n + step - 1) & ~(step - 1); }

/* Tier boundaries (inclusive upper bounds, in bytes). */
#define HKM_TINY_MAX ((size_t)1024)
#define HKM_POOL_MAX ((size_t)32 * 1024)
#define HKM_L25_MAX ((size_t)1024 * 1024)
/* malloc requests up to here come from slabs; larger ones up to HKM_SLAB_MAX are page runs (pages.h).
 * Aligned requests (memalign) come from slabs up to HKM_SLAB_MAX. The bound is the 9/8 class of 16 KiB
 * (sizeclass.c): 16 KiB plus a header of up to 2 KiB is rounded up by at most an eighth there, where
 * a page run would take 20 KiB. */
#define HKM_SMALL_MAX ((size_t)18 * 1024)
/* L2.5 requests up to here come from slabs or page runs; larger ones are runs of whole granules
 * (run.h). */
#define HKM_SLAB_MAX ((size_t)64 * 1024)
#define HKM_BIG_MAX ((size_t)2 * 1024 * 1024)
/* Larger requests cannot be satisfied on any x86-64 machine; refusing early keeps the size arithmetic
 * below free of overflow. */
#define HKM_MAX_REQUEST ((size_t)1 << 46)

/* PAGES: page runs (pages.h), 18-64 KiB requests of the L2 and L2.5 sizes, in chunks of their own. */
enum hkm_tier { HKM_TIER_TINY, HKM_TIER_POOL, HKM_TIER_L25, HKM_TIER_BIG, HKM_TIER_WHALE, HKM_TIER_PAGES, HKM_TIER_COUNT };

/* What a span currently is. FREE spans sit in the region cache (free() on them is invalid). */
enum hkm_kind { HKM_KIND_FREE, HKM_KIND_SLAB, HKM_KIND_BIG, HKM_KIND_WHALE, HKM_KIND_RUN, HKM_KIND_PAGES };

/* Where a slab is, from its owning heap's point of view. */
enum hkm_slab_state {
  HKM_SLAB_CUR, HKM_SLAB_PARTIAL, HKM_SLAB_FULL,
  HKM_SLAB_ABANDONED, /* its thread exited (owner NULL) */
  HKM_SLAB_ORPHAN,    /* abandoned and on slab.c's orphan list, where any heap may take it over */
};

/* A free block: the link, and a key that marks it free so a second free of it is caught cheaply. */
struct hkm_block {
  struct hkm_block *next;
  uintptr_t key;
};

struct hkm_heap;
/* Owner of every span that is not a live or abandoned slab. Only abandoned slabs have a NULL owner, so
 * a late remote free that finds NULL may safely adopt the slab (slab.c). */
extern struct hkm_heap hkm_heap_nobody;

/* Span descriptor. The first cache line holds what the small-block fast paths touch.
 *
 * free() tests that p is the start of a block a slab has handed out with one multiplication:
 * (p - base) * mul < limit (mod 2^64). For off = q * bsize + r with 0 <= r < bsize, off * mul is
 * q * e + r * mul, with e = bsize * mul - 2^64 in [1, bsize]: a block start (r = 0) gives q * e,
 * below limit exactly when block q was carved; any other offset gives at least mul > 2^44, far above
 * any limit (a slab spans at most 4 MiB, so q * e and limit stay within 2^22, and nothing wraps). A
 * power of two would give e = 0, hence its extra one. Every span that is not a live slab has limit 0
 * and fails the test. */
struct hkm_span {
  /* slab fast path */
  struct hkm_cache *okc;               /* slabs: the owning heap's cache of the slab's class, what a free
                                          pushes on once the owner test passed (written by the owner
                                          with owner and otid, read only by it) */
  uint16_t used;                       /* blocks not on the free list (slab.c); a slab has at most 4096 */
  uint16_t coff;                       /* slabs: the class's cache offset in a heap (slab.h), also its
                                          profiler slot's (alloc_timed.h) */
  uint8_t kind;                        /* enum hkm_kind */
  uint8_t state;                       /* enum hkm_slab_state (slabs) */
  uint8_t cls;                         /* size class (slabs) */
  uint8_t tier;                        /* enum hkm_tier */
  uintptr_t base;                      /* first byte of the span */
  uintptr_t otid;                      /* slabs: the owning heap's tag (slab.h, hkm_slab_mine); 0 while
                                          nobody owns it and for other spans */
  uint64_t mul;                        /* slabs: ceil(2^64 / bsize), plus one for a power of two */
  uint64_t limit;                      /* slabs: blocks carved x (bsize * mul mod 2^64); 0 for other spans */
  _Atomic(struct hkm_heap *) owner;    /* owning heap; NULL = abandoned slab */
  /* everything else, from the next cache line on: remote is written by every free from another
   * thread, and on the first line it took that line from the owner's frees, which read the fields
   * above on each call */
  _Alignas(HKM_CACHELINE) _Atomic(struct hkm_block *) remote; /* blocks freed by other threads, taken
                                          whole by the owner (and their count in the top bits: slab.c) */
  struct hkm_span *next, *prev;        /* the list the span is on (heap class list, region, ring) */
  struct hkm_block *free;              /* slabs: owner-only free list */
  uint32_t bsize;                      /* block size (slabs) */
  uint32_t carved;                     /* bytes of the slab already cut into blocks (slabs) */
  size_t bytes;                        /* span length */
  size_t usable;                       /* bytes the user may use (big/whale) */
  uint32_t lead;                       /* big/whale: bytes from base to the block (hakmem.c: LARGE_LEAD) */
  const void *site;                    /* allocation call site (big/whale); slabs: site of the last carve */
  struct hkm_pages_chunk *chunk;       /* page-run chunks (pages.c): their pages' state */
  uint8_t zeroed;                      /* pages known to be zero (fresh or dropped), for calloc; slabs:
                                          its pages past the carved blocks are (slab.c, drop_tail) */
  uint8_t where;                       /* region cache: on its hot lists, in its cold set, or neither */
  uint8_t sizeidx;                     /* bigcache size index */
  uint8_t release;                     /* reclaim.c: what to do with it (enum hkm_release) */
  uint64_t stamp;                      /* whale ring, hot region spans: when freed (CLOCK_MONOTONIC ns) */
  struct hkm_span *older, *newer;      /* region cache: its hot spans in the order they came back */
  /* site policies (policy.c), Whale blocks only: how this block was backed and what it
   * cost, from its allocation to its free; set at every allocation, so recycled descriptors need no
   * reset. lflags' LF_ADVISED alone describes the range and outlives the block (policy.h). */
  uint64_t lborn;   /* TSC at allocation (sampled blocks) */
  uint64_t lreq;    /* bytes asked for, lead included */
  uint32_t lcpu_ns; /* CPU time the allocation took on its thread, its policy's system calls included
                       (sampled blocks) */
  uint32_t lres0;   /* pages resident when the block was handed out (sampled blocks) */
  uint16_t lslot;   /* evidence slot of the allocation site + 1 (site_stats.h); 0 = none */
  uint8_t lback;    /* enum hkm_backing the block got */
  uint8_t lflags;   /* policy.h LF_* */
};

#endif
