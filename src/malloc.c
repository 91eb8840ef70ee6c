/* The glibc malloc API, exported so that LD_PRELOAD or -lhakmem replaces glibc's allocator.
 * Each entry point is one call into alloc.h/hakmem.c; the caller's return address is the call site. */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "bigcache.h"
#include "hakmem.h"
#include "heap.h"
#include "os.h"
#include "pagemap.h"
#include "pages.h"
#include "reclaim.h"
#include "region.h"
#include "run_density.h"
#include "sitecache.h"
#include "trim.h"
#include "whale.h"

#define SITE() __builtin_return_address(0)

HKM_API void *malloc(size_t n) { return hkm_alloc(n, HKM_SITE_CALLER); }
HKM_API void free(void *p) { hkm_free(p); }
HKM_API void *calloc(size_t count, size_t size) { return hkm_calloc(count, size, SITE()); }
HKM_API void *realloc(void *p, size_t n) { return hkm_realloc(p, n, SITE()); }

HKM_API void *reallocarray(void *p, size_t count, size_t size) {
  size_t n;
  if (__builtin_mul_overflow(count, size, &n)) {
    errno = ENOMEM;
    return NULL;
  }
  return hkm_realloc(p, n, SITE());
}

HKM_API int posix_memalign(void **out, size_t align, size_t n) {
  if (!hkm_is_pow2(align) || align % sizeof(void *)) return EINVAL;
  int saved = errno; /* posix_memalign reports through its result, not errno */
  void *p = hkm_alloc_aligned(align, n, SITE());
  errno = saved;
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

HKM_API void *aligned_alloc(size_t align, size_t n) {
  if (!hkm_is_pow2(align)) {
    errno = EINVAL;
    return NULL;
  }
  return hkm_alloc_aligned(align, n, SITE());
}

HKM_API void *memalign(size_t align, size_t n) {
  if (align > HKM_MAX_REQUEST) {
    errno = ENOMEM;
    return NULL;
  }
  if (!hkm_is_pow2(align)) align = align ? (size_t)1 << (64 - __builtin_clzl(align)) : 1;
  return hkm_alloc_aligned(align, n, SITE());
}

HKM_API void *valloc(size_t n) { return hkm_alloc_aligned((size_t)sysconf(_SC_PAGESIZE), n, SITE()); }

HKM_API void *pvalloc(size_t n) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  if (n > HKM_MAX_REQUEST) {
    errno = ENOMEM;
    return NULL;
  }
  n = n ? (n + page - 1) & ~(page - 1) : page;
  return hkm_alloc_aligned(page, n, SITE());
}

HKM_API size_t malloc_usable_size(void *p) { return p ? hkm_usable_size(p, "malloc_usable_size") : 0; }

/* glibc-internal callers (and some programs) use these names. */
HKM_API void *__libc_malloc(size_t n) { return hkm_alloc(n, HKM_SITE_CALLER); }
HKM_API void __libc_free(void *p) { hkm_free(p); }
HKM_API void *__libc_calloc(size_t count, size_t size) { return hkm_calloc(count, size, SITE()); }
HKM_API void *__libc_realloc(void *p, size_t n) { return hkm_realloc(p, n, SITE()); }
HKM_API void *__libc_memalign(size_t align, size_t n) { return memalign(align, n); }
HKM_API void *__libc_valloc(size_t n) { return valloc(n); }
HKM_API void *__libc_pvalloc(size_t n) { return pvalloc(n); }

/* Tunables are glibc's business; hakmem accepts and ignores them (see hakmem(3)). */
HKM_API int mallopt(int param, int value) {
  (void)param;
  (void)value;
  return 1;
}

HKM_API int malloc_trim(size_t pad) {
  (void)pad;
  return hkm_trim();
}

struct totals {
  size_t mapped, region_hot, region_cold, big_bytes, whale_bytes, whale_blocks;
};

static void totals(struct totals *t) {
  struct hkm_os_stats os;
  struct hkm_region_stats r;
  struct hkm_bigcache_stats b;
  struct hkm_whale_stats w;
  struct hkm_sitecache_stats sc;
  hkm_os_stats(&os);
  hkm_region_stats(&r);
  hkm_bigcache_stats(&b);
  hkm_whale_stats(&w);
  hkm_sitecache_stats(&sc);
  t->mapped = os.mapped;
  t->region_hot = r.hot_bytes;
  t->region_cold = r.cold_bytes;
  t->big_bytes = b.bytes;
  t->whale_bytes = w.ring_bytes + sc.bytes; /* the whale mappings kept, in the ring or for their site */
  t->whale_blocks = w.ring_blocks + sc.blocks;
}

/* mallinfo2 in hakmem's terms: arena = bytes mapped, fordblks = bytes held in caches (free but
 * mapped), uordblks = the rest (in use, including free blocks inside partly used slabs). */
HKM_API struct mallinfo2 mallinfo2(void) {
  struct totals t;
  totals(&t);
  struct mallinfo2 mi;
  memset(&mi, 0, sizeof mi);
  mi.arena = t.mapped;
  mi.hblks = t.whale_blocks;
  mi.hblkhd = t.whale_bytes;
  mi.fordblks = t.region_hot + t.region_cold + t.big_bytes + t.whale_bytes;
  mi.uordblks = mi.arena > mi.fordblks ? mi.arena - mi.fordblks : 0;
  mi.keepcost = t.region_hot;
  return mi;
}

HKM_API struct mallinfo mallinfo(void) {
  struct mallinfo2 m2 = mallinfo2();
  struct mallinfo mi;
  memset(&mi, 0, sizeof mi);
  mi.arena = (int)m2.arena;
  mi.hblks = (int)m2.hblks;
  mi.hblkhd = (int)m2.hblkhd;
  mi.fordblks = (int)m2.fordblks;
  mi.uordblks = (int)m2.uordblks;
  mi.keepcost = (int)m2.keepcost;
  return mi;
}

HKM_API void hak_stats_print(FILE *out) {
  struct hkm_os_stats os;
  struct hkm_region_stats r;
  struct hkm_bigcache_stats b;
  struct hkm_whale_stats w;
  hkm_os_stats(&os);
  hkm_region_stats(&r);
  hkm_bigcache_stats(&b);
  hkm_whale_stats(&w);
  struct hkm_reclaim_stats rc;
  hkm_reclaim_stats(&rc);
  struct hkm_pagemap_stats pm;
  hkm_pagemap_stats(&pm);
  unsigned heaps = hkm_heap_live();
  fprintf(out, "hakmem %s statistics (pid %d, %u thread heap%s)\n", PACKAGE_VERSION, (int)getpid(), heaps,
          heaps == 1 ? "" : "s");
  fprintf(out, "  mapped           %12zu bytes (%zu mmap, %zu munmap, %zu madvise, %zu mremap calls)\n", os.mapped,
          os.mmaps, os.munmaps, os.madvises, os.mremaps);
  fprintf(out, "  arenas           %12zu bytes\n", r.arena_bytes);
  fprintf(out, "  region cache     %12zu bytes resident, %zu bytes address space only\n", r.hot_bytes, r.cold_bytes);
  size_t touched, sampled;
  hkm_run_density_stats(&touched, &sampled);
  if (sampled)
    fprintf(out, "  run density      %12zu of %zu sampled pages touched (%s)\n", touched, sampled,
            hkm_runs_sparse() ? "sparse: hot spans beyond 8 MiB dropped at once" : "dense");
  struct hkm_pages_stats pg;
  hkm_pages_stats(&pg);
  fprintf(out, "  page runs        %12zu bytes in %zu chunks, %zu in blocks (%zu freed, in this thread's cache)\n", pg.bytes,
          pg.chunks, pg.used_bytes, pg.cached_bytes);
  fprintf(out, "  bigcache         %12zu bytes in %zu blocks (%zu hits, %zu misses, %zu evictions)\n", b.bytes,
          b.blocks, b.hits, b.misses, b.evictions);
  fprintf(out, "  whale ring       %12zu bytes in %zu mappings of %zu slots (%zu hits, %zu misses, %zu evictions)\n",
          w.ring_bytes, w.ring_blocks, w.slots, w.hits, w.misses, w.evictions);
  struct hkm_sitecache_stats sc;
  hkm_sitecache_stats(&sc);
  if (sc.blocks || sc.hits)
    fprintf(out, "  site cache       %12zu bytes in %zu mappings, %zu resident (%zu hits, %zu timed out)\n", sc.bytes,
            sc.blocks, sc.resident, sc.hits, sc.expired);
  fprintf(out, "  reclaim          %12zu bytes in %zu ranges, %zu batches (backend %s, %zu fallbacks, %zu queued; keep delay %.1f ms)\n",
          rc.bytes, rc.ranges, rc.batches, rc.backend, rc.fallbacks, rc.queued, hkm_reclaim_keep_ns() / 1e6);
  fprintf(out, "  page map         %12zu leaves, %zu pages written, %zu long spans (%zu madvise calls dropped emptied pages; %s)\n",
          pm.leaves, pm.pages_written, pm.long_spans, pm.drops, pm.flat ? "one table" : "two levels");
  fprintf(out, "  refused mappings %12zu (%zu reliefs)\n", os.refused, os.reliefs);
}

HKM_API void malloc_stats(void) { hak_stats_print(stderr); }

HKM_API int malloc_info(int options, FILE *out) {
  if (options != 0) {
    errno = EINVAL;
    return -1;
  }
  struct totals t;
  totals(&t);
  fprintf(out,
          "<malloc version=\"hakmem-%s\">\n<total type=\"mmap\" size=\"%zu\"/>\n<total type=\"region_hot\" size=\"%zu\"/>\n"
          "<total type=\"region_cold\" size=\"%zu\"/>\n<total type=\"bigcache\" size=\"%zu\"/>\n"
          "<total type=\"whale_ring\" count=\"%zu\" size=\"%zu\"/>\n</malloc>\n",
          PACKAGE_VERSION, t.mapped, t.region_hot, t.region_cold, t.big_bytes, t.whale_blocks, t.whale_bytes);
  return 0;
}
