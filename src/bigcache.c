/* BigCache (see bigcache.h). A direct-mapped table of call sites, each keeping its last few freed
 * blocks; a byte budget (mode preset) bounds what all sites keep together, and beyond NO_DECAY_BYTES
 * the helper's decay gives back blocks nobody took within the keep delay (reclaim.h). One lock: a 1-2
 * MiB allocation costs far more than the lock, and is rare next to small ones. */
#include "config.h"

#include <pthread.h>

#include "bigcache.h"
#include "options.h"
#include "prof.h"
#include "reclaim.h"
#include "region.h"

#define SIZE_STEP ((size_t)128 << 10)
#define SITES 64
/* Four threads resizing buffers among 1 B-8 MiB from one call site (wl_resize) missed in 1,396 of
 * 6,748 requests with 4 blocks a site and 8 MiB in all, each miss faulting in a fresh block: 16 a
 * site and 32 MiB for the delay (perf/bench/RESULTS.md, "BigCache for the delay"). */
#define PER_SITE 16
/* Kept however long they wait; beyond them, up to the mode's budget, blocks are timed out by the
 * helper's decay, and without a helper (sync backend) the cache stays this small. */
#define NO_DECAY_BYTES ((size_t)8 << 20)

struct site_slot {
  const void *site;
  unsigned n;
  struct hkm_span *blk[PER_SITE]; /* oldest first */
};

static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
static HKM_COLD_BSS struct site_slot slots[SITES];
static size_t cached_bytes, cached_blocks, hits, misses, evictions;
static unsigned clock_hand;

static struct site_slot *slot_of(const void *site) {
  uintptr_t h = (uintptr_t)site;
  h ^= h >> 17;
  h *= 0x9E3779B97F4A7C15ull;
  return &slots[h >> 58];
}

static struct hkm_span *take(struct site_slot *sl, unsigned i) {
  struct hkm_span *s = sl->blk[i];
  for (unsigned j = i; j + 1 < sl->n; j++) sl->blk[j] = sl->blk[j + 1];
  sl->n--;
  cached_bytes -= s->bytes;
  cached_blocks--;
  return s;
}

void *hkm_bigcache_alloc(size_t n, size_t lead, const void *site) {
  HKM_TIME_START(t);
  size_t idx = (n + SIZE_STEP - 1) / SIZE_STEP; /* 9..17 for (1 MiB, 2 MiB] and a lead */
  struct hkm_span *s = NULL;
  pthread_mutex_lock(&big_lock);
  struct site_slot *sl = slot_of(site);
  if (sl->site == site) {
    unsigned best = PER_SITE;
    for (unsigned i = sl->n; i-- > 0;) { /* newest first: its pages are the warmest */
      unsigned got = sl->blk[i]->sizeidx;
      if (got == idx || got == idx + 1) {
        best = i;
        break;
      }
      /* a larger one (bigcache.h): wl_grow peaked at 81.2 MiB instead of 88.1 (glibc 81.5) */
      if (got > idx && got <= 2 * idx && (best == PER_SITE || got < sl->blk[best]->sizeidx)) best = i;
    }
    if (best != PER_SITE) s = take(sl, best);
  }
  if (s) hits++; else misses++;
  pthread_mutex_unlock(&big_lock);
  if (s) {
    s->zeroed = 0;
  } else {
    s = hkm_region_get(idx * SIZE_STEP);
    if (!s) {
      HKM_TIME_END(BIGCACHE_GET, t);
      return NULL;
    }
    s->sizeidx = (uint8_t)idx;
  }
  void *p = hkm_span_block(s, lead, site, HKM_TIER_BIG, HKM_KIND_BIG);
  HKM_TIME_END(BIGCACHE_GET, t);
  return p;
}

/* A buffer grown by appends through 1-2 MiB was copied at every 128 KiB step, each block before it
 * left in its site's slots (wl_grow: 41 BigCache misses, 5 now). */
int hkm_bigcache_grow(struct hkm_span *s, size_t n) {
  size_t idx = (n + SIZE_STEP - 1) / SIZE_STEP;
  if (!hkm_region_extend(s, idx * SIZE_STEP)) return 0;
  s->sizeidx = (uint8_t)idx;
  return 1;
}

/* Budget exceeded: evict from the sites in turn, one block each, until back under it. */
static unsigned evict_scan(struct hkm_span **victims, unsigned nv, unsigned max, size_t budget) {
  HKM_TIME_START(t);
  for (unsigned tries = 0; cached_bytes > budget && nv < max && tries < SITES; tries++) {
    struct site_slot *sl = &slots[clock_hand++ % SITES];
    if (sl->n) {
      victims[nv++] = take(sl, 0);
      evictions++;
      tries = 0;
    }
  }
  HKM_TIME_END(BIGCACHE_EVICT_SCAN, t);
  return nv;
}

void hkm_bigcache_free(struct hkm_span *s) {
  HKM_TIME_START(t);
  s->kind = HKM_KIND_FREE;
  if (!hkm_cfg.bigcache || s->bytes > hkm_cfg.bigcache_bytes) {
    hkm_region_put(s);
    HKM_TIME_END(BIGCACHE_PUT, t);
    return;
  }
  struct hkm_span *victims[PER_SITE + 8];
  unsigned nv = 0;
  size_t budget =
      hkm_reclaim_budget(hkm_cfg.bigcache_bytes, NO_DECAY_BYTES, __atomic_load_n(&cached_bytes, __ATOMIC_RELAXED) + s->bytes);
  s->stamp = hkm_reclaim_now_ns();
  pthread_mutex_lock(&big_lock);
  struct site_slot *sl = slot_of(s->site);
  if (sl->site != s->site) { /* another site owned the slot: its blocks go */
    while (sl->n) victims[nv++] = take(sl, 0);
    sl->site = s->site;
  }
  if (sl->n == PER_SITE) victims[nv++] = take(sl, 0);
  sl->blk[sl->n++] = s;
  cached_bytes += s->bytes;
  cached_blocks++;
  nv = evict_scan(victims, nv, sizeof victims / sizeof victims[0], budget);
  int decays = cached_bytes > NO_DECAY_BYTES;
  pthread_mutex_unlock(&big_lock);
  if (decays) hkm_reclaim_arm_decay();
  for (unsigned i = 0; i < nv; i++) hkm_region_put(victims[i]);
  HKM_TIME_END(BIGCACHE_PUT, t);
}

/* Called by the reclaim helper: above NO_DECAY_BYTES, blocks nobody took within the keep delay
 * (reclaim.h) go, the longest unused first (each site's oldest is its first). */
static int decay(uint64_t now) {
  uint64_t delay = hkm_reclaim_keep_ns();
  struct hkm_span *victims[8];
  unsigned nv;
  int left;
  do {
    nv = 0;
    pthread_mutex_lock(&big_lock);
    while (nv < sizeof victims / sizeof victims[0] && cached_bytes > NO_DECAY_BYTES) {
      struct site_slot *old = NULL;
      for (unsigned i = 0; i < SITES; i++)
        if (slots[i].n && (!old || slots[i].blk[0]->stamp < old->blk[0]->stamp)) old = &slots[i];
      if (!old || old->blk[0]->stamp + delay > now) break;
      victims[nv++] = take(old, 0);
      evictions++;
    }
    left = cached_bytes > NO_DECAY_BYTES;
    pthread_mutex_unlock(&big_lock);
    for (unsigned i = 0; i < nv; i++) hkm_region_put(victims[i]);
  } while (nv == sizeof victims / sizeof victims[0]);
  return left;
}

void hkm_bigcache_init(void) { hkm_reclaim_add_decay(decay); }

int hkm_bigcache_flush(void) {
  int any = 0;
  for (;;) {
    struct hkm_span *s = NULL;
    pthread_mutex_lock(&big_lock);
    for (unsigned i = 0; i < SITES && !s; i++)
      if (slots[i].n) s = take(&slots[i], 0);
    pthread_mutex_unlock(&big_lock);
    if (!s) return any;
    hkm_region_put(s);
    any = 1;
  }
}

void hkm_bigcache_stats(struct hkm_bigcache_stats *out) {
  pthread_mutex_lock(&big_lock);
  out->blocks = cached_blocks;
  out->bytes = cached_bytes;
  out->hits = hits;
  out->misses = misses;
  out->evictions = evictions;
  pthread_mutex_unlock(&big_lock);
}

void hkm_bigcache_fork_prepare(void) { pthread_mutex_lock(&big_lock); }
void hkm_bigcache_fork_parent(void) { pthread_mutex_unlock(&big_lock); }
void hkm_bigcache_fork_child(void) { pthread_mutex_init(&big_lock, NULL); }
