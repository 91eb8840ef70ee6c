/* Routing by size, the rarer paths (large, aligned, realloc, calloc), and the native hak_* API.
 *
 * Semantics (the same for malloc and hak_alloc_at; also in hakmem(3)):
 *   request                         result
 *   malloc(0)                       a unique pointer to a 16-byte block, freeable
 *   size > 2^46 or overflow          NULL, errno = ENOMEM (calloc, reallocarray included)
 *   realloc(NULL, n)                malloc(n)
 *   realloc(p, 0)                   free(p), returns NULL (as glibc)
 *   realloc that cannot grow        NULL, errno = ENOMEM, p untouched
 *   realloc growing a block of 32 KiB-1 MiB   at least twice the old size (up to 1 MiB)
 *   realloc growing a block of 64 KiB-2 MiB   in place when the address space after it is free
 *   realloc growing a block over 2 MiB       its pages moved by mremap, not copied (the address changes)
 *   posix_memalign bad alignment    EINVAL (not a power of two, or not a multiple of sizeof(void *))
 *   aligned_alloc(a, n)             C17: any n; a must be a power of two (else NULL, EINVAL)
 *   memalign(a, n)                  a rounded up to a power of two (as glibc)
 *   free/realloc/malloc_usable_size of a pointer hakmem did not hand out
 *                                   "hakmem: free(): invalid pointer 0x..." on stderr, abort()
 *   second free of a block          "hakmem: free(): double free of 0x...", abort()
 *   realloc/malloc_usable_size of a freed block
 *                                   "hakmem: realloc(): 0x... was already freed", abort()
 *   malloc_usable_size(p)           >= the request; all of it may be used */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bigcache.h"
#include "hakmem.h"
#include "induced.h"
#include "init.h"
#include "options.h"
#include "pages.h"
#include "prof_sites.h"
#include "run.h"
#include "whale.h"

const int hkm_tier_alloc_cat[HKM_TIER_COUNT] = {HKM_CAT_TINY_ALLOC, HKM_CAT_POOL_GET, HKM_CAT_L25_GET,
                                                 HKM_CAT_BIGCACHE_GET, HKM_CAT_WHALE_GET, HKM_CAT_PAGES_GET};
const int hkm_tier_free_cat[HKM_TIER_COUNT] = {HKM_CAT_TINY_FREE, HKM_CAT_POOL_PUT, HKM_CAT_L25_PUT,
                                                HKM_CAT_BIGCACHE_PUT, HKM_CAT_WHALE_PUT, HKM_CAT_PAGES_PUT};

void hkm_invalid_pointer(const char *fn, const void *p) {
  hkm_fatal("%s(): invalid pointer %p", fn, p);
  abort();
}

static HKM_NOINLINE void *alloc_first(size_t n, const void *site) {
  struct hkm_heap *h = hkm_heap_get();
  if (!h) {
    errno = ENOMEM;
    return NULL;
  }
  return hkm_slab_alloc(h, hkm_size_class(n), site);
}

/* The fast paths' exits (alloc.h): profiling sends them to the timed copies; otherwise the thread
 * gets its heap and carries on. While profiling, every call leaves through here, so the test comes
 * before anything else (the rest is out of line: it would give this function a stack frame). */
void *hkm_alloc_noheap(size_t n, const void *site) {
  if (hkm_prof_on()) return HKM_COUNTING ? hkm_alloc_counted(n, site) : hkm_alloc_timed(n, site);
  return alloc_first(n, site);
}

/* The fast paths' slow exits for slab sizes: the thread's cache of the class was empty or not the
 * block's owner's (a full one's exit needs no test: alloc.h), else the thread has no heap yet or profiling is on (the caches the fast paths
 * see are then not its heap's: heap.h), which alloc_timed.h's exits handle. */
void *hkm_alloc_empty_entry(size_t n, const void *site, struct hkm_cache *k, size_t off) {
  struct hkm_heap *h = hkm_tls_heap_owned;
  unsigned c = (unsigned)(off / sizeof(struct hkm_cache));
  if (hkm_likely(h && k == h->cache)) return hkm_slab_alloc_slow(h, c, site);
  return hkm_alloc_exit(n, c, site);
}

void hkm_free_remote_entry(struct hkm_span *s, void *p) {
  struct hkm_heap *h = hkm_tls_heap_owned;
  if (hkm_likely(h && hkm_tls_cache == h->cache)) {
    hkm_slab_free_remote(h, s, (struct hkm_block *)p);
    return;
  }
  hkm_free_exit(s, p);
}

void *hkm_alloc_big_entry(size_t n, const void *site) {
  if (hkm_prof_on()) return hkm_alloc_timed(n, site);
  return hkm_alloc_large(n, site, 0);
}

static HKM_NOINLINE void free_first(struct hkm_span *s, void *p) {
  struct hkm_heap *h = hkm_heap_get();
  if (!h) {
    hkm_fatal("out of memory for a thread heap");
    abort();
  }
  hkm_slab_free(h, s, (struct hkm_block *)p);
}

void hkm_free_noheap(struct hkm_span *s, void *p) {
  if (hkm_prof_on()) {
    if (HKM_COUNTING)
      hkm_free_counted(s, p);
    else
      hkm_free_timed_slab(s, p);
    return;
  }
  free_first(s, p);
}

void hkm_free_two(void *p) { hkm_free_at(hkm_pagemap_get_two(p), p); }

void hkm_free_other_entry(void *p) {
  if (!p) return;
  if (hkm_prof_on()) {
    hkm_free_timed(p);
    return;
  }
  hkm_free_other(hkm_pagemap_get(p), p);
}

/* A counted call outside the lean paths below: timed in full (with its tier step) when the sampler
 * picked it, else credited with the exact cycles measured inside it (and inside its step). */
struct counted {
  int timed;
  uint64_t acc, step_acc;
  struct hkm_prof_mark m, step;
};

HKM_INLINE void counted_begin(struct counted *k, int timed, unsigned slot, int cat) {
  k->timed = timed;
  k->acc = k->step_acc = hkm_prof_self.acc;
  if (hkm_unlikely(timed))
    k->m = hkm_prof_call_begin(slot, cat);
  else
    hkm_prof_counted_begin();
}

/* The step's category is known before its clock starts, and the clock stops right after it: what lies
 * in between is the same code the untimed calls run (prof.h, hkm_prof_nest_done). */
HKM_INLINE void counted_step_begin(struct counted *k, int cat) {
  __asm__ volatile("" : "+r"(cat)); /* computed here, not inside the interval */
  k->step_acc = hkm_prof_self.acc;
  if (hkm_unlikely(k->timed)) k->step = hkm_prof_nest_begin();
}

HKM_INLINE void counted_step_end(const struct counted *k, int cat) {
  if (hkm_unlikely(k->timed))
    hkm_prof_nest_done(cat, k->step, hkm_tsc_stop());
  else if (hkm_prof_self.acc != k->step_acc)
    hkm_prof_add_nested(cat, hkm_prof_self.acc - k->step_acc);
}

HKM_INLINE uint64_t counted_end(const struct counted *k, int cat) {
  if (hkm_unlikely(k->timed)) return hkm_prof_call_end(cat, k->m);
  hkm_prof_counted_end();
  if (hkm_prof_self.acc != k->acc) hkm_prof_add_nested(cat, hkm_prof_self.acc - k->acc);
  return 0;
}

/* The profiled allocation in full: timed ones, large ones, and a thread's first (alloc_timed.h has
 * the common case inline). A timed allocation's cycles also count for its call site. */
HKM_INLINE void *alloc_call(size_t n, const void *site, int timed, unsigned slot) {
  struct counted k;
  counted_begin(&k, timed, slot, HKM_CAT_HAK_ALLOC);
  void *p;
  if (n <= HKM_SMALL_MAX) {
    struct hkm_heap *h = hkm_heap_get();
    if (h) {
      unsigned c = hkm_size_class(n);
      int cat = HKM_SLAB_ALLOC_CAT(hkm_classes[c].tier);
      counted_step_begin(&k, cat);
      p = hkm_slab_alloc(h, c, site);
      counted_step_end(&k, cat);
    } else {
      errno = ENOMEM;
      p = NULL;
    }
  } else {
    p = hkm_alloc_large(n, site, 0);
  }
  uint64_t d = counted_end(&k, HKM_CAT_HAK_ALLOC);
  if (hkm_unlikely(k.timed)) hkm_prof_site_add(site, d);
  return p;
}

/* A timed slab allocation of a thread with a heap: one interval around the fast path's own work (size
 * class, cache, pop; the refill when the cache is empty), for both hak_alloc and the tier's step.
 * Timed as a call holding a step (alloc_call), a call that costs the program 10-20 cycles showed
 * 60-130: the interval held this copy's routing, the returns into and out of the profiler and the
 * step's own clock reads, none of which an untimed call runs (perf/bench/known-cost). The work is
 * done on the heap's own caches: with libhakmem.so's profiling the fast paths see empty ones. */
static HKM_NOINLINE void *alloc_timed_slab(struct hkm_heap *h, size_t n, const void *site, unsigned slot) {
  int cat = HKM_SLAB_ALLOC_CAT(hkm_class_tier(slot)); /* HKM_SLOT_ALLOC(c) is c (alloc_slots.h) */
  hkm_prof_call_prepare(slot);
  struct hkm_prof_mark m = hkm_prof_call_start();
  size_t off = hkm_alloc_off(h->cache, n); /* as hkm_alloc finds it */
  void *p = hkm_slab_pop(h->cache, off);
  if (hkm_unlikely(!p)) p = hkm_slab_alloc_slow(h, (unsigned)(off / sizeof(struct hkm_cache)), site);
  uint64_t end = hkm_tsc_stop();
  hkm_prof_site_add(site, hkm_prof_call_done(HKM_CAT_HAK_ALLOC, cat, m, end));
  return p;
}

/* Timed and untimed calls take separate copies, so that nothing inside a timed call's intervals tests
 * whether it is timed: a call timed among hundreds of untimed ones mispredicted that branch inside its
 * step, which timing every call never does. A thread's first call (which makes its heap) is timed
 * whole. */
static HKM_NOINLINE void *alloc_counted(size_t n, const void *site, int timed, unsigned slot) {
  struct hkm_heap *h = hkm_tls_heap_owned;
  if (timed && n <= HKM_SMALL_MAX && h) return alloc_timed_slab(h, n, site, slot);
  return timed ? alloc_call(n, site, 1, slot) : alloc_call(n, site, 0, slot);
}

/* The same routing as hkm_alloc, counted and sampled: the calls that do not end in alloc_timed.h's
 * inline exit (a thread's first, large blocks). */
void *hkm_alloc_timed(size_t n, const void *site) {
  unsigned slot = n <= HKM_SMALL_MAX ? HKM_SLOT_ALLOC(hkm_size_class(n)) : HKM_SLOT_ALLOC_OTHER;
  return alloc_counted(n, site, hkm_prof_slot_call(slot), slot);
}

/* In the counting build the fast path sends here every call of a thread that has no block yet and
 * every call before the profiler is armed (init.c), when the calls are not the program's. */
void *hkm_alloc_sampled(size_t n, unsigned c, const void *site) {
  if (HKM_COUNTING && !hkm_prof_enabled) return alloc_first(n, site);
  return alloc_counted(n, site, 1, HKM_SLOT_ALLOC(c));
}

void *hkm_alloc_counted(size_t n, const void *site) { return alloc_counted(n, site, 0, HKM_SLOT_ALLOC(hkm_size_class(n))); }

/* The profiled free in full: timed ones, blocks of no slab, and a thread without a heap. */
HKM_INLINE void free_call(struct hkm_span *s, void *p, int timed, unsigned slot) {
  struct counted k;
  counted_begin(&k, timed, slot, HKM_CAT_HAK_FREE);
  if (s) {
    int cat = HKM_SLAB_FREE_CAT(s->tier); /* s may be released by the free */
    struct hkm_heap *h = hkm_heap_get();
    if (!h) {
      hkm_fatal("out of memory for a thread heap");
      abort();
    }
    counted_step_begin(&k, cat);
    hkm_slab_free(h, s, (struct hkm_block *)p);
    counted_step_end(&k, cat);
  } else {
    hkm_free_other(hkm_pagemap_get(p), p);
  }
  counted_end(&k, HKM_CAT_HAK_FREE);
}

/* A timed free of a slab block by a thread with a heap: one interval, as alloc_timed_slab, around the
 * fast path's work from the block's lookup on. */
static HKM_NOINLINE void free_timed_slab(struct hkm_heap *h, struct hkm_span *s, void *p, unsigned slot) {
  int cat = HKM_SLAB_FREE_CAT(s->tier); /* s may be released by the free */
  hkm_prof_call_prepare(slot);
  struct hkm_prof_mark m = hkm_prof_call_start();
  hkm_slab_free(h, hkm_slab_of(p), (struct hkm_block *)p); /* the lookup again: s, as the fast path found it */
  uint64_t end = hkm_tsc_stop();
  hkm_prof_call_done(HKM_CAT_HAK_FREE, cat, m, end);
}

/* Two copies, as alloc_counted. */
static HKM_NOINLINE void free_counted(struct hkm_span *s, void *p, int timed, unsigned slot) {
  struct hkm_heap *h = hkm_tls_heap_owned;
  if (timed && s && h)
    free_timed_slab(h, s, p, slot);
  else if (timed)
    free_call(s, p, 1, slot);
  else
    free_call(s, p, 0, slot);
}

/* A slab block's free, s its checked descriptor (alloc.h's hkm_slab_of), counted and sampled. */
void hkm_free_timed_slab(struct hkm_span *s, void *p) {
  unsigned slot = HKM_SLOT_FREE(s->cls);
  free_counted(s, p, hkm_prof_slot_call(slot), slot);
}

void hkm_free_sampled(struct hkm_span *s, void *p) {
  if (HKM_COUNTING && !hkm_prof_enabled)
    free_first(s, p);
  else
    free_counted(s, p, 1, HKM_SLOT_FREE(s->cls));
}

void hkm_free_counted(struct hkm_span *s, void *p) { free_counted(s, p, 0, HKM_SLOT_FREE(s->cls)); }

void hkm_free_timed(void *p) {
  if (!p) return;
  struct hkm_span *s = hkm_slab_of(p);
  if (s)
    hkm_free_timed_slab(s, p);
  else
    free_counted(NULL, p, hkm_prof_slot_call(HKM_SLOT_FREE_OTHER), HKM_SLOT_FREE_OTHER);
}

/* Large blocks start LARGE_LEAD bytes into their first page, not on the page boundary. On this
 * machine a loop that writes and reads one byte per page runs 8-10% slower when those bytes lie in
 * the first or last ~256 bytes of the pages, whatever allocated them (perf/bench/RESULTS.md, "Where
 * large blocks start"); wl_vm, which does that on a 2 MiB block, was 8% slower than glibc, whose
 * heap block happened to start 672 bytes into a page. jemalloc varies the offset from block to block
 * instead ("cache-oblivious"); varied, wl_whale_evict ran 1.5x slower here, so it is fixed. Costs
 * one page of address space per block. */
#define LARGE_LEAD ((size_t)1024)
static size_t lead_for(size_t align) { return align <= LARGE_LEAD ? LARGE_LEAD : 0; }
/* Granules a large block of n bytes takes with its lead. */
static size_t granules(size_t n) { return (n + LARGE_LEAD + HKM_GRANULE - 1) >> HKM_GRANULE_SHIFT; }

void *hkm_alloc_large(size_t n, const void *site, size_t align) {
  void *p;
  hkm_ensure_init();
  hkm_induced_drain(); /* attribute earlier faults before ranges change hands */
  size_t lead = lead_for(align);
  if (n > HKM_MAX_REQUEST)
    p = NULL;
  else if (!align && n <= HKM_SLAB_MAX)
    p = hkm_pages_alloc(n, site);
  else if (align <= HKM_GRANULE && n <= HKM_L25_MAX)
    p = hkm_run_alloc(n + lead, lead, site);
  else if (align <= HKM_GRANULE && n <= HKM_BIG_MAX)
    p = hkm_bigcache_alloc(n + lead, lead, site);
  else
    p = hkm_whale_alloc(n + lead, align, lead, site);
  if (!p) errno = ENOMEM;
  return p;
}

void *hkm_alloc_aligned(size_t align, size_t n, const void *site) {
  if (align <= sizeof(struct hkm_block)) return hkm_alloc(n, site);
  if (n > HKM_MAX_REQUEST || align > HKM_MAX_REQUEST) {
    errno = ENOMEM;
    return NULL;
  }
  void *p;
  size_t m = n > align ? n : align;
  int slab = align <= HKM_GRANULE && m <= HKM_SLAB_MAX;
  unsigned c = 0;
  if (slab) {
    /* Slab bases are granule aligned, so a class whose size is a multiple of align hands out aligned
     * blocks; the power-of-two class at or above m always qualifies. */
    c = hkm_size_class(m);
    while (hkm_classes[c].bsize % align) c++;
  }
  struct counted k = {0, 0, 0, {0, 0}, {0, 0}};
  unsigned slot = slab ? HKM_SLOT_ALLOC(c) : HKM_SLOT_ALLOC_OTHER;
  if (hkm_prof_on()) counted_begin(&k, hkm_prof_slot_call(slot), slot, HKM_CAT_HAK_ALLOC);
  if (slab) {
    struct hkm_heap *h = hkm_heap_get();
    if (h) {
      int cat = HKM_SLAB_ALLOC_CAT(hkm_classes[c].tier);
      if (hkm_prof_on()) counted_step_begin(&k, cat);
      p = hkm_slab_alloc(h, c, site);
      if (hkm_prof_on()) counted_step_end(&k, cat);
    } else {
      errno = ENOMEM;
      p = NULL;
    }
  } else {
    p = hkm_alloc_large(n, site, align);
  }
  if (hkm_prof_on()) {
    uint64_t d = counted_end(&k, HKM_CAT_HAK_ALLOC);
    if (k.timed) hkm_prof_site_add(site, d);
  }
  return p;
}

/* p was a large block and is free again: the start of its span, which is free now, or, once that
 * span has merged with a free neighbour below it (region.c), a granule start or a large block's lead
 * past one inside the merged span. No block starts anywhere else in free memory; a pointer there that
 * hakmem never handed out is told a double free too. */
static int freed_large(const struct hkm_span *s, const void *p) {
  uintptr_t a = (uintptr_t)p, off;
  if (s->kind != HKM_KIND_FREE) return 0;
  if (a == s->base + s->lead) return 1;
  if (a < s->base || a - s->base >= s->bytes) return 0;
  off = (a - s->base) & (HKM_GRANULE - 1);
  return off == 0 || off == LARGE_LEAD;
}

static HKM_COLD __attribute__((noreturn)) void freed_pointer(const char *fn, const void *p) {
  hkm_fatal("%s(): %p was already freed", fn, p);
  abort();
}

void hkm_free_other(struct hkm_span *s, void *p) {
  if (!s) hkm_invalid_pointer("free", p);
  if (s->kind == HKM_KIND_PAGES) { /* the check is the free's: a page run's state is under its lock */
    int what = hkm_pages_free(s, p);
    if (what == HKM_PAGES_FREED) hkm_double_free(p);
    if (what != HKM_PAGES_LIVE) hkm_invalid_pointer("free", p);
    return;
  }
  if (freed_large(s, p)) hkm_double_free(p);
  if ((uintptr_t)p != s->base + s->lead ||
      (s->kind != HKM_KIND_RUN && s->kind != HKM_KIND_BIG && s->kind != HKM_KIND_WHALE))
    hkm_invalid_pointer("free", p);
  hkm_induced_drain(); /* the faults on this block, while it is still the block's */
  if (s->kind == HKM_KIND_RUN)
    hkm_run_free(s);
  else if (s->kind == HKM_KIND_BIG)
    hkm_bigcache_free(s);
  else
    hkm_whale_free(s);
}

/* A freed slab block carries its free key (slab.h), the one word of the block this reads; a freed
 * large block's span says FREE. */
size_t hkm_usable_size(const void *p, const char *fn) {
  struct hkm_span *s = hkm_pagemap_get(p);
  if (!s) hkm_invalid_pointer(fn, p);
  if (s->kind == HKM_KIND_SLAB) {
    if (!hkm_slab_block_ok(s, p)) hkm_invalid_pointer(fn, p);
    const struct hkm_block *b = p;
    if (hkm_unlikely(b->key == hkm_slab_key(s)) && hkm_slab_block_freed(hkm_tls_heap_owned, s, b))
      freed_pointer(fn, p);
    return s->bsize;
  }
  if (s->kind == HKM_KIND_PAGES) {
    size_t n = 0;
    int what = hkm_pages_usable(s, p, &n);
    if (what == HKM_PAGES_FREED) freed_pointer(fn, p);
    if (what != HKM_PAGES_LIVE) hkm_invalid_pointer(fn, p);
    return n;
  }
  if (freed_large(s, p)) freed_pointer(fn, p);
  if ((uintptr_t)p != s->base + s->lead) hkm_invalid_pointer(fn, p);
  return s->usable;
}

/* What a realloc from a block of old usable bytes to n allocates. A block of 32 KiB or more that has
 * to grow takes at least twice its old size: a buffer grown by small appends then moves through a
 * few classes instead of every one of them, leaving far fewer slabs with its pages resident
 * (wl_realloc, 16 buffers grown to 256 KiB: peak RSS 24.5 -> 11.2 MiB, glibc 10.1). Smaller blocks
 * sit next to each other in their slabs, where the spare bytes would be resident too. A run (run.h)
 * is whole granules less its lead: there, twice the whole granules old fills (a run of two granules
 * grows to four, 130,048 usable bytes to 261,120), as a run reused from the region cache brings all
 * its pages resident. */
static size_t realloc_target(size_t old, size_t n) {
  if (n <= old || old < HKM_POOL_MAX || n > HKM_L25_MAX) return n;
  size_t twice = 2 * old;
  if (twice > HKM_SLAB_MAX) twice = 2 * ((old + LARGE_LEAD) >> HKM_GRANULE_SHIFT) * HKM_GRANULE - LARGE_LEAD;
  return twice > n && twice <= HKM_L25_MAX ? twice : n;
}

/* Block p grown to n without a copy, at its new address; NULL when it must be copied. A run grows in
 * place to target bytes, else to n, and a BigCache block to n, when the span after it is free
 * (region.c); a Whale block's pages move to a longer mapping (whale.c). */
static void *grow_large(void *p, size_t target, size_t n) {
  struct hkm_span *s = hkm_pagemap_get(p);
  if (s->kind == HKM_KIND_RUN)
    return n <= HKM_L25_MAX && (hkm_run_grow(s, target + s->lead) || (target > n && hkm_run_grow(s, n + s->lead)))
               ? p : NULL;
  if (s->kind == HKM_KIND_BIG) return n <= HKM_BIG_MAX && hkm_bigcache_grow(s, n + s->lead) ? p : NULL;
  if (s->kind != HKM_KIND_WHALE || n > HKM_MAX_REQUEST) return NULL;
  return hkm_whale_grow(s, n + s->lead) ? (void *)(s->base + s->lead) : NULL;
}

void *hkm_realloc(void *p, size_t n, const void *site) {
  if (!p) return hkm_alloc(n, site);
  if (n == 0) {
    hkm_free(p);
    return NULL;
  }
  size_t old = hkm_usable_size(p, "realloc");
  /* Stay in place while the block is not more than twice what is asked for; a block of whole granules
   * (past the slabs), while a new one would take at least half as many granules: a run realloc_target
   * rounded up must not move back at the next append. A block over 1 MiB keeps a request of over 64
   * KiB up to four times smaller, as the whale ring hands out a mapping up to four times the request:
   * four threads resizing buffers among 1 B-8 MiB (wl_resize) spent 23% of their time in memmove
   * (glibc, which shrinks in place, 15%); 0.93x the time, 1.02x the peak. */
  if (n <= old && (n >= old / 2 || (old > HKM_SLAB_MAX && 2 * granules(n) >= granules(old)) ||
                   (old > HKM_L25_MAX && n > HKM_SLAB_MAX && n >= old / 4)))
    return p;
  size_t target = realloc_target(old, n);
  void *q = n > old ? grow_large(p, target, n) : NULL;
  if (q) return q;
  q = hkm_alloc(target, site);
  if (!q) return NULL;
  memcpy(q, p, n < old ? n : old);
  hkm_free(p);
  return q;
}

void *hkm_calloc(size_t count, size_t size, const void *site) {
  size_t n;
  if (__builtin_mul_overflow(count, size, &n)) {
    errno = ENOMEM;
    return NULL;
  }
  void *p = hkm_alloc(n, site);
  if (!p) return NULL;
  struct hkm_span *s = hkm_pagemap_get(p);
  /* Fresh and dropped pages read as zero already; writing them would only fault them in. */
  if (s->kind == HKM_KIND_SLAB || !s->zeroed) memset(p, 0, n);
  return p;
}

HKM_API void *hak_alloc_at(size_t size, hak_callsite_t site) { return hkm_alloc(size, site); }

HKM_API void hak_free_at(void *ptr, size_t size, hak_callsite_t site) {
  (void)site;
  if (ptr && size) {
    size_t usable = hkm_usable_size(ptr, "hak_free_at");
    if (size > usable) {
      hkm_fatal("hak_free_at(): size %zu is larger than the block at %p (%zu bytes)", size, ptr, usable);
      abort();
    }
  }
  hkm_free(ptr);
}

HKM_API const char *hak_version(void) { return PACKAGE_VERSION; }
