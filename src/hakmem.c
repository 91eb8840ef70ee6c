/* Routing by size, the rarer paths (large, aligned, realloc, calloc), and the native hak_* API.
 *
 * Semantics (the same for malloc and hak_alloc_at; also in hakmem(3)):
 *   request                         result
 *   malloc(0)                       a unique pointer to a 16-byte block, freeable
 *   size > 2^46 or overflow          NULL, errno = ENOMEM (calloc, reallocarray included)
 *   realloc(NULL, n)                malloc(n)
 *   realloc(p, 0)                   free(p), returns NULL (as glibc)
 *   realloc that cannot grow        NULL, errno = ENOMEM, p untouched
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
#include "whale.h"

const int hkm_tier_alloc_cat[HKM_TIER_COUNT] = {HKM_CAT_TINY_ALLOC, HKM_CAT_POOL_GET, HKM_CAT_L25_GET,
                                                 HKM_CAT_BIGCACHE_GET, HKM_CAT_WHALE_GET};
const int hkm_tier_free_cat[HKM_TIER_COUNT] = {HKM_CAT_TINY_FREE, HKM_CAT_POOL_PUT, HKM_CAT_L25_PUT,
                                                HKM_CAT_BIGCACHE_PUT, HKM_CAT_WHALE_PUT};

void hkm_invalid_pointer(const char *fn, const void *p) {
  hkm_warn("%s(): invalid pointer %p", fn, p);
  abort();
}

/* The fast paths' exits (alloc.h): profiling sends them to the timed copies; otherwise the thread
 * gets its heap and carries on. */
void *hkm_alloc_noheap(size_t n, const void *site) {
  if (hkm_prof_on()) return hkm_alloc_timed(n, site);
  struct hkm_heap *h = hkm_heap_get();
  if (!h) {
    errno = ENOMEM;
    return NULL;
  }
  return hkm_slab_alloc(h, hkm_size_class(n), site);
}

void *hkm_alloc_big_entry(size_t n, const void *site) {
  if (hkm_prof_on()) return hkm_alloc_timed(n, site);
  return hkm_alloc_large(n, site, 0);
}

void hkm_free_noheap(struct hkm_span *s, void *p) {
  if (hkm_prof_on()) {
    hkm_free_timed(p);
    return;
  }
  struct hkm_heap *h = hkm_heap_get();
  if (!h) {
    hkm_warn("out of memory for a thread heap");
    abort();
  }
  hkm_slab_free(h, s, (struct hkm_block *)p);
}

void hkm_free_other_entry(void *p) {
  if (hkm_prof_on()) {
    hkm_free_timed(p);
    return;
  }
  hkm_free_other(hkm_pagemap_get(p), p);
}

/* The same routing as hkm_alloc/hkm_free, with every step timed (see alloc.h). */
void *hkm_alloc_timed(size_t n, const void *site) {
  HKM_TIME_START(t);
  void *p;
  if (n <= HKM_L25_MAX) {
    struct hkm_heap *h = hkm_heap_get();
    if (h) {
      unsigned c = hkm_size_class(n);
      HKM_TIME_START(t1);
      p = hkm_slab_alloc(h, c, site);
      HKM_TIME_END_AT(hkm_tier_alloc_cat[hkm_classes[c].tier], t1);
    } else {
      errno = ENOMEM;
      p = NULL;
    }
  } else {
    p = hkm_alloc_large(n, site, 0);
  }
  HKM_TIME_END_SITE(HAK_ALLOC, t, site);
  return p;
}

void hkm_free_timed(void *p) {
  if (!p) return;
  HKM_TIME_START(t);
  struct hkm_span *s = hkm_slab_of(p);
  if (s) {
    int cat = hkm_tier_free_cat[s->tier]; /* s may be released by the free */
    HKM_TIME_START(t1);
    struct hkm_heap *h = hkm_heap_get();
    if (!h) {
      hkm_warn("out of memory for a thread heap");
      abort();
    }
    hkm_slab_free(h, s, (struct hkm_block *)p);
    HKM_TIME_END_AT(cat, t1);
    (void)cat;
  } else {
    hkm_free_other(hkm_pagemap_get(p), p);
  }
  HKM_TIME_END(HAK_FREE, t);
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

void *hkm_alloc_large(size_t n, const void *site, size_t align) {
  void *p;
  hkm_ensure_init();
  hkm_induced_drain(); /* attribute earlier faults before ranges change hands */
  size_t lead = lead_for(align);
  if (n > HKM_MAX_REQUEST)
    p = NULL;
  else if (align <= HKM_GRANULE && n > HKM_L25_MAX && n <= HKM_BIG_MAX)
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
  HKM_TIME_START(t);
  void *p;
  size_t m = n > align ? n : align;
  if (align <= HKM_GRANULE && m <= HKM_L25_MAX) {
    /* Slab bases are granule aligned, so a class whose size is a multiple of align hands out aligned
     * blocks; the power-of-two class at or above m always qualifies. */
    unsigned c = hkm_size_class(m);
    while (hkm_classes[c].bsize % align) c++;
    struct hkm_heap *h = hkm_heap_get();
    if (h) {
      HKM_TIME_START(t1);
      p = hkm_slab_alloc(h, c, site);
      HKM_TIME_END_AT(hkm_tier_alloc_cat[hkm_classes[c].tier], t1);
    } else {
      errno = ENOMEM;
      p = NULL;
    }
  } else {
    p = hkm_alloc_large(n, site, align);
  }
  HKM_TIME_END_SITE(HAK_ALLOC, t, site);
  return p;
}

void hkm_free_other(struct hkm_span *s, void *p) {
  if (!s) hkm_invalid_pointer("free", p);
  if (s->kind == HKM_KIND_FREE && (uintptr_t)p == s->base + s->lead) {
    hkm_warn("free(): double free of %p", p);
    abort();
  }
  if ((uintptr_t)p != s->base + s->lead || (s->kind != HKM_KIND_BIG && s->kind != HKM_KIND_WHALE))
    hkm_invalid_pointer("free", p);
  hkm_induced_drain(); /* the faults on this block, while it is still the block's */
  if (s->kind == HKM_KIND_BIG)
    hkm_bigcache_free(s);
  else
    hkm_whale_free(s);
}

static HKM_COLD __attribute__((noreturn)) void freed_pointer(const char *fn, const void *p) {
  hkm_warn("%s(): %p was already freed", fn, p);
  abort();
}

/* A freed slab block carries its free key (slab.h), the one word of the block this reads; a freed
 * large block's span says FREE. */
size_t hkm_usable_size(const void *p, const char *fn) {
  struct hkm_span *s = hkm_pagemap_get(p);
  if (!s) hkm_invalid_pointer(fn, p);
  if (s->kind == HKM_KIND_SLAB) {
    uint64_t off = (uintptr_t)p - s->base;
    if (hkm_block_index(off, s->inv) * s->bsize != off || off >= s->carved) hkm_invalid_pointer(fn, p);
    const struct hkm_block *b = p;
    if (hkm_unlikely(b->key == ((uintptr_t)p ^ hkm_secret)) && hkm_slab_block_freed(hkm_tls_heap_owned, s, b))
      freed_pointer(fn, p);
    return s->bsize;
  }
  if ((uintptr_t)p != s->base + s->lead) hkm_invalid_pointer(fn, p);
  if (s->kind == HKM_KIND_FREE) freed_pointer(fn, p);
  return s->usable;
}

void *hkm_realloc(void *p, size_t n, const void *site) {
  if (!p) return hkm_alloc(n, site);
  if (n == 0) {
    hkm_free(p);
    return NULL;
  }
  size_t old = hkm_usable_size(p, "realloc");
  /* Stay in place while the block is not more than twice what is asked for. */
  if (n <= old && n >= old / 2) return p;
  void *q = hkm_alloc(n, site);
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
      hkm_warn("hak_free_at(): size %zu is larger than the block at %p (%zu bytes)", size, ptr, usable);
      abort();
    }
  }
  hkm_free(ptr);
}

HKM_API const char *hak_version(void) { return PACKAGE_VERSION; }
