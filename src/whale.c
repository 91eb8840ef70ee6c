/* Whale mappings and their ring (see whale.h). */
#include "config.h"

#include <pthread.h>

#include "induced.h"
#include "options.h"
#include "os.h"
#include "pagemap.h"
#include "policy.h"
#include "prof.h"
#include "reclaim.h"
#include "region.h"
#include "sitecache.h"
#include "whale.h"

#define MAX_SLOTS 64
/* Without a helper thread nothing can release the ring while the program sleeps: keep it small. */
#define NO_DECAY_BYTES ((size_t)16 << 20)

static pthread_mutex_t whale_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hkm_span *ring[MAX_SLOTS]; /* oldest first */
static unsigned ring_n;
static size_t ring_bytes, hits, misses, evictions;

/* The ring's size adapts, between the mode's least (one slot in balanced) and HAKMEM_WHALE_SLOTS.
 * One slot serves a program that frees a mapping and asks for one of about its size next
 * (wl_whale_evict: 9 misses in 10,000); more only hold freed pages resident. A program with several
 * mappings in flight loses every one that falls out to the region cache, which drops its pages, and
 * faults them in again at its next request: four threads reallocating 24 blocks each among 1 B-8
 * MiB ran 4.4x glibc's time, 7.2 M page faults against 0.8 M. So the ring remembers the classes of
 * the mappings it let go ("ghosts", as many as it has slots): a miss that one of them would have
 * served within the keep delay (reclaim.h) adds a slot; a mapping the decay takes, idle, removes one. */
static unsigned slots;

static unsigned least_slots(void) {
  return hkm_cfg.whale_slots_least < hkm_cfg.whale_slots ? hkm_cfg.whale_slots_least : hkm_cfg.whale_slots;
}

/* A mapping the ring let go: its size, when it was freed and when let go. */
struct let_go {
  size_t bytes;
  uint64_t freed, gone;
};

static struct let_go ghost[MAX_SLOTS]; /* oldest first */
static unsigned ghost_n;

/* The mappings the decay let go (oldest first), so that a miss one of them would have served tells
 * the keep delay (reclaim.h) how long the program left it alone; one nobody asks for within
 * HKM_KEEP_MAX_NS was rightly let go. */
#define GONE_MAX 16
static struct let_go gone[GONE_MAX];
static unsigned gone_n;

/* Whether a mapping of have bytes serves a request of want: best fit up to four times the size
 * (measured on whale_evict: 2x left 28 misses in 3000, 4x 10). */
static int serves(size_t have, size_t want) { return have >= want && have / 4 <= want; }

static void let_go_drop(struct let_go *a, unsigned *n, unsigned i) {
  for (unsigned j = i; j + 1 < *n; j++) a[j] = a[j + 1];
  (*n)--;
}

/* s let go at now, appended to a (which has room). */
static void let_go_add(struct let_go *a, unsigned *n, const struct hkm_span *s, uint64_t now) {
  a[*n] = (struct let_go){s->bytes, s->stamp, now};
  (*n)++;
}

static void ghost_add(const struct hkm_span *s, uint64_t now) {
  if (!slots) return;
  while (ghost_n >= slots) let_go_drop(ghost, &ghost_n, 0);
  let_go_add(ghost, &ghost_n, s, now);
}

static void gone_expire(uint64_t now) {
  while (gone_n && gone[0].gone + HKM_KEEP_MAX_NS <= now) {
    let_go_drop(gone, &gone_n, 0);
    hkm_reclaim_keep_idle();
  }
}

static void gone_add(const struct hkm_span *s, uint64_t now) {
  if (gone_n == GONE_MAX) let_go_drop(gone, &gone_n, 0);
  let_go_add(gone, &gone_n, s, now);
}

/* A miss for bytes: had a mapping the decay let go served it, the keep delay grows to the time it lay
 * freed; had one the ring let go for want of a slot within the keep delay, the ring does. */
static void ghost_check(size_t bytes) {
  if (!ghost_n && !gone_n) return;
  uint64_t now = hkm_reclaim_now_ns(), keep = hkm_reclaim_keep_ns();
  gone_expire(now);
  for (unsigned i = gone_n; i-- > 0;) {
    if (serves(gone[i].bytes, bytes)) {
      hkm_reclaim_keep_missed(now - gone[i].freed);
      let_go_drop(gone, &gone_n, i);
      return;
    }
  }
  if (slots >= hkm_cfg.whale_slots) return;
  for (unsigned i = ghost_n; i-- > 0;) {
    if (ghost[i].gone + keep <= now) break; /* older ones too */
    if (serves(ghost[i].bytes, bytes)) {
      let_go_drop(ghost, &ghost_n, i);
      slots++;
      return;
    }
  }
}

static struct hkm_span *ring_take(unsigned i) {
  struct hkm_span *s = ring[i];
  for (unsigned j = i; j + 1 < ring_n; j++) ring[j] = ring[j + 1];
  ring_n--;
  ring_bytes -= s->bytes;
  return s;
}

/* Mappings come in four sizes per power of two (2, 2.5, 3, 3.5, 4, 5, ... MiB), so a freed mapping
 * serves every later request of its class. With exact sizes the ring kept holding mappings a little
 * too small for the next request: whale_evict (96 sizes) made a fresh mapping, every page of it
 * faulting, at 17 of 10,000 requests and the helper gave back 13 unused ones (33.4k page faults
 * against mimalloc's 16.3k; now 9 and 16.7k). Costs address space only (up to a quarter): pages past
 * the request are not touched. */
static size_t whale_class(size_t n) {
  if (n <= HKM_GRANULE) return HKM_GRANULE;
  size_t step = ((size_t)1 << (63 - __builtin_clzll((unsigned long long)n))) / 4;
  return hkm_round_up(n, step < HKM_GRANULE ? HKM_GRANULE : step);
}

/* Site rules (policy.c): a mapping leaving Whale loses its THP advice; a freed block whose site keeps
 * its own goes to the site cache. */
static void to_region(struct hkm_span *s) {
  hkm_policy_leave(s);
  hkm_region_put(s);
}

static int keep_for_site(struct hkm_span *s) {
  struct hkm_keep_ticket k;
  hkm_policy_free(s, &k);
  return k.ms && hkm_sitecache_put(s, &k);
}

/* pk: the site's rule for this block (site rules on), else NULL. */
static void *whale_alloc_once(size_t n, size_t align, size_t lead, const void *site, const struct hkm_pick *pk) {
  HKM_TIME_START(t);
  if (align < HKM_GRANULE) align = HKM_GRANULE;
  size_t bytes = whale_class(n);
  struct hkm_span *s = NULL;
  if (pk && pk->rule.keep == HKM_KEEP_OWN && !pk->cold_only) s = hkm_sitecache_take(pk->slot, bytes, align);
  pthread_mutex_lock(&whale_lock);
  /* A resident mapping is far cheaper than a fresh one, whose every page faults on first touch (~2 us
   * a page here). */
  unsigned best = MAX_SLOTS;
  for (unsigned i = 0; i < ring_n; i++) {
    struct hkm_span *r = ring[i];
    if (serves(r->bytes, bytes) && (r->base & (align - 1)) == 0 &&
        (best == MAX_SLOTS || r->bytes < ring[best]->bytes) && (!pk || hkm_policy_may_take(pk, site, r->site)))
      best = i;
  }
  if (best != MAX_SLOTS && !s) s = ring_take(best);
  if (s) {
    hits++;
  } else {
    misses++;
    ghost_check(bytes);
  }
  pthread_mutex_unlock(&whale_lock);
  int hot = s != NULL;
  if (s) {
    s->zeroed = 0;
  } else if (align == HKM_GRANULE && (s = hkm_region_get_big(bytes)) != NULL) {
    /* address space kept by the region cache: no mmap; s->zeroed says whether its pages read as zero */
  } else {
    void *p = hkm_os_map_aligned(bytes, pk ? hkm_policy_align(pk, align) : align);
    if (!p) {
      /* The step's extra address space must not turn a request that fits (RLIMIT_AS, overcommit)
       * into ENOMEM. */
      size_t exact = hkm_round_up(n, HKM_GRANULE);
      if (exact < bytes && (p = hkm_os_map_aligned(exact, align)) != NULL) bytes = exact;
    }
    if (!p || (s = hkm_region_describe(p, bytes)) == NULL) goto out;
  }
  hkm_span_block(s, lead, site, HKM_TIER_WHALE, HKM_KIND_WHALE);
  if (pk) hkm_policy_apply(s, pk, n, hot);
out:
  HKM_TIME_END(WHALE_GET, t);
  return s ? (void *)(s->base + lead) : NULL;
}

/* A mapping the kernel refused (RLIMIT_AS) is retried once after hkm_os_relieve has given back what
 * hakmem holds: this ring, the release queue, the region cache's address space. */
void *hkm_whale_alloc(size_t n, size_t align, size_t lead, const void *site) {
  struct hkm_pick pick, *pk = NULL;
  if (hkm_unlikely(hkm_policy_on)) {
    hkm_policy_pick(&pick, site, HKM_TIER_WHALE);
    pk = &pick;
  }
  void *p = whale_alloc_once(n, align, lead, site, pk);
  if (hkm_unlikely(!p) && hkm_os_relieve()) p = whale_alloc_once(n, align, lead, site, pk);
  return p;
}

/* A buffer grown by appends to 16-64 MiB (wl_grow) was copied to a new mapping at every class: 1.42 s
 * and a 137.8 MiB peak, where glibc, whose mapped chunks grow by mremap(2), took 0.42 s and 81.5 MiB
 * (jemalloc 1.44 s, 169 MiB; mimalloc 2.70 s, 189 MiB). The pages move to a fresh mapping instead
 * (0.35 s, 89.5 MiB), as aligned as the block was, and the block keeps its descriptor. An aligned
 * block (no lead) is left to the copy: the alignment asked for is not recorded. */
int hkm_whale_grow(struct hkm_span *s, size_t n) {
  if (!s->lead) return 0;
  hkm_induced_drain(); /* the faults on its pages so far, at the addresses they had */
  HKM_TIME_START(t);
  size_t bytes = whale_class(n);
  /* as aligned as the block was, up to a huge page (a site rule may have placed it for THP) */
  size_t align = (size_t)(s->base & (~s->base + 1));
  void *to = hkm_os_map_aligned(bytes, align < HKM_GRANULE ? HKM_GRANULE : align > HKM_HUGE_PAGE ? HKM_HUGE_PAGE : align);
  if (!to || hkm_pagemap_reserve((uintptr_t)to) != 0 || hkm_pagemap_reserve((uintptr_t)to + bytes - 1) != 0) {
    if (to) hkm_os_unmap(to, bytes);
    HKM_TIME_END(WHALE_GROW, t);
    return 0;
  }
  /* Out of the map before the old range is unmapped: a mapping another thread makes there next must
   * not lose its entries to a late forget. */
  hkm_pagemap_forget(s);
  int moved = hkm_os_move((void *)s->base, s->bytes, to, bytes) == 0;
  if (moved) {
    s->base = (uintptr_t)to;
    s->bytes = bytes;
    s->usable = bytes - s->lead;
  } else {
    hkm_os_unmap(to, bytes);
  }
  hkm_pagemap_enter(s); /* where it is now; cannot fail: its leaves exist */
  HKM_TIME_END(WHALE_GROW, t);
  return moved;
}

void hkm_whale_free(struct hkm_span *s) {
  HKM_TIME_START(t);
  s->kind = HKM_KIND_FREE;
  if (hkm_unlikely(hkm_policy_on) && keep_for_site(s)) {
    HKM_TIME_END(WHALE_PUT, t);
    return;
  }
  if (!hkm_cfg.whale_slots || s->bytes > hkm_cfg.whale_cache_bytes) {
    to_region(s);
    HKM_TIME_END(WHALE_PUT, t);
    return;
  }
  struct hkm_span *victims[MAX_SLOTS + 1];
  unsigned nv = 0;
  size_t cap = hkm_cfg.whale_cache_bytes;
  int decays = hkm_reclaim_can_decay();
  if (!decays && cap > NO_DECAY_BYTES) cap = NO_DECAY_BYTES;
  s->stamp = hkm_reclaim_now_ns();
  pthread_mutex_lock(&whale_lock);
  ring[ring_n++] = s;
  ring_bytes += s->bytes;
  while (ring_n > slots || ring_bytes > cap) {
    int for_a_slot = ring_n > slots; /* another slot would have kept it; more bytes are not the ring's to take */
    victims[nv++] = ring_take(0);
    if (for_a_slot) ghost_add(victims[nv - 1], s->stamp);
    evictions++;
  }
  pthread_mutex_unlock(&whale_lock);
  if (decays) hkm_reclaim_arm_decay();
  for (unsigned i = 0; i < nv; i++) to_region(victims[i]);
  HKM_TIME_END(WHALE_PUT, t);
}

/* Called by the reclaim helper: mappings nobody took within the keep delay go back. */
static int decay(uint64_t now) {
  uint64_t keep = hkm_reclaim_keep_ns();
  struct hkm_span *victims[MAX_SLOTS];
  unsigned nv = 0;
  pthread_mutex_lock(&whale_lock);
  gone_expire(now);
  while (ring_n && ring[0]->stamp + keep <= now) {
    victims[nv++] = ring_take(0);
    gone_add(victims[nv - 1], now);
  }
  unsigned least = least_slots();
  slots = slots > least + nv ? slots - nv : least; /* they idled: the ring was larger than the reuse */
  int left = ring_n > 0;
  /* Put back before the lock goes: a malloc_trim that empties the ring next then finds them in the
   * region cache it trims, not on their way there. */
  for (unsigned i = 0; i < nv; i++) to_region(victims[i]);
  pthread_mutex_unlock(&whale_lock);
  return left;
}

void hkm_whale_init(void) {
  slots = least_slots();
  hkm_reclaim_add_decay(decay);
}

int hkm_whale_flush(void) {
  struct hkm_span *victims[MAX_SLOTS];
  unsigned nv = 0;
  pthread_mutex_lock(&whale_lock);
  while (ring_n) victims[nv++] = ring_take(0);
  pthread_mutex_unlock(&whale_lock);
  for (unsigned i = 0; i < nv; i++) to_region(victims[i]);
  return nv > 0;
}

void hkm_whale_stats(struct hkm_whale_stats *out) {
  pthread_mutex_lock(&whale_lock);
  out->ring_blocks = ring_n;
  out->slots = slots;
  out->ring_bytes = ring_bytes;
  out->hits = hits;
  out->misses = misses;
  out->evictions = evictions;
  pthread_mutex_unlock(&whale_lock);
}

void hkm_whale_fork_prepare(void) { pthread_mutex_lock(&whale_lock); }
void hkm_whale_fork_parent(void) { pthread_mutex_unlock(&whale_lock); }
void hkm_whale_fork_child(void) { pthread_mutex_init(&whale_lock, NULL); }
