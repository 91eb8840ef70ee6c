/* Region cache and arenas (see region.h). One lock: spans move here only on slab refills and releases,
 * each of which serves many allocations. */
#include "config.h"

#include <sys/mman.h>

#include "induced.h"
#include "lock.h"
#include "meta.h"
#include "options.h"
#include "os.h"
#include "pagemap.h"
#include "prof.h"
#include "reclaim.h"
#include "region.h"
#include "run_density.h"

_Static_assert(HKM_REGION_MAX_SPAN == HKM_PM_FULL_SPAN, "slabs need every granule in the page map");

#define MAX_GRAN (HKM_REGION_MAX_SPAN >> HKM_GRANULE_SHIFT)
#define ARENA_CHUNK ((size_t)64 << 20)
/* Cold spans longer than MAX_GRAN granules, by floor(log2(granules)): 2^46 bytes at most. */
#define BIG_BINS 32

enum { IN_NONE, IN_HOT, IN_COLD }; /* s->where */

static struct hkm_lock region_lock = HKM_LOCK_INIT;
/* Hot spans by length in granules, each list by address, lowest first; bit n-1 of hot_map: hot[n] is
 * not empty. The same spans in the order they came back, oldest first, for the evictions. */
static struct hkm_span *hot_head[MAX_GRAN + 1], *hot_tail[MAX_GRAN + 1];
static uint64_t hot_map;
static struct hkm_span *hot_oldest, *hot_newest;
/* Cold spans, never two neighbours (they merge): by exact length up to MAX_GRAN, in power-of-two bins
 * beyond; each list unordered. */
static struct hkm_span *cold_small[MAX_GRAN + 1], *cold_big[BIG_BINS];
static uint64_t cold_small_map, cold_big_map;
/* cold_bytes: the cold set, plus spans on their way there (reserved at submit, see cold_or_unmap). */
static size_t hot_bytes, cold_bytes, arena_bytes;
/* Hot bytes kept however long they wait; beyond them (up to the mode's budget) spans are timed out by
 * the helper's decay, and without a helper (sync backend) the cache stays this small. */
#define NO_DECAY_BYTES ((size_t)8 << 20)

static size_t gran(const struct hkm_span *s) { return s->bytes >> HKM_GRANULE_SHIFT; }

/* A cut's rest keeps its stamp but goes last in the age order: it waits as if it came back when it
 * was cut, and the evictions stay O(1). */
static void hot_push(struct hkm_span *s) {
  size_t n = gran(s);
  struct hkm_span *before = NULL, *at = hot_head[n];
  while (at && at->base < s->base) {
    before = at;
    at = at->next;
  }
  s->where = IN_HOT;
  s->prev = before;
  s->next = at;
  if (at) at->prev = s; else hot_tail[n] = s;
  if (before) before->next = s; else hot_head[n] = s;
  hot_map |= (uint64_t)1 << (n - 1);
  s->newer = NULL;
  s->older = hot_newest;
  if (hot_newest) hot_newest->newer = s; else hot_oldest = s;
  hot_newest = s;
  hot_bytes += s->bytes;
}

static void hot_unlink(struct hkm_span *s) {
  size_t n = gran(s);
  if (s->prev) s->prev->next = s->next; else hot_head[n] = s->next;
  if (s->next) s->next->prev = s->prev; else hot_tail[n] = s->prev;
  if (!hot_head[n]) hot_map &= ~((uint64_t)1 << (n - 1));
  if (s->older) s->older->newer = s->newer; else hot_oldest = s->newer;
  if (s->newer) s->newer->older = s->older; else hot_newest = s->older;
  s->prev = s->next = s->older = s->newer = NULL;
  s->where = IN_NONE;
  hot_bytes -= s->bytes;
}

/* The list a cold span of n granules goes on, its bitmap and bit. */
static struct hkm_span **cold_list(size_t n, uint64_t **map, unsigned *bit) {
  if (n <= MAX_GRAN) {
    *map = &cold_small_map;
    *bit = (unsigned)(n - 1);
    return &cold_small[n];
  }
  *map = &cold_big_map;
  *bit = (unsigned)(63 - __builtin_clzll((unsigned long long)n) - 6);
  return &cold_big[*bit];
}

static void cold_link(struct hkm_span *s) {
  uint64_t *map;
  unsigned bit;
  struct hkm_span **head = cold_list(gran(s), &map, &bit);
  s->where = IN_COLD;
  s->prev = NULL;
  s->next = *head;
  if (*head) (*head)->prev = s;
  *head = s;
  *map |= (uint64_t)1 << bit;
  cold_bytes += s->bytes;
}

static void cold_unlink(struct hkm_span *s) {
  uint64_t *map;
  unsigned bit;
  struct hkm_span **head = cold_list(gran(s), &map, &bit);
  if (s->prev) s->prev->next = s->next; else *head = s->next;
  if (s->next) s->next->prev = s->prev;
  if (!*head) *map &= ~((uint64_t)1 << bit);
  s->prev = s->next = NULL;
  s->where = IN_NONE;
  cold_bytes -= s->bytes;
}

/* a absorbs b, its neighbour above; both out of every list. The page map already has leaves for a's
 * first and b's last granule, so entering the merged span cannot fail. */
static void merge(struct hkm_span *a, struct hkm_span *b) {
  if (a->bytes + b->bytes <= HKM_PM_FULL_SPAN) { /* every granule in the map before and after */
    hkm_pagemap_repoint(b, a);
    a->bytes += b->bytes;
  } else {
    hkm_pagemap_forget(a);
    hkm_pagemap_forget(b);
    a->bytes += b->bytes;
    hkm_pagemap_enter(a);
  }
  a->zeroed = a->zeroed && b->zeroed;
  hkm_meta_span_free(b);
}

/* s's neighbours in the cache set where (IN_HOT or IN_COLD), which the page map finds from the granules
 * either side of s (each span has its first and last granule there); NULL when that side's span is
 * elsewhere or not adjacent. */
static struct hkm_span *left_in(const struct hkm_span *s, int where) {
  struct hkm_span *l = s->base >= HKM_GRANULE ? hkm_pagemap_get((const void *)(s->base - 1)) : NULL;
  return l && l->where == where && l->base + l->bytes == s->base ? l : NULL;
}

static struct hkm_span *right_in(const struct hkm_span *s, int where) {
  struct hkm_span *r = hkm_pagemap_get((const void *)(s->base + s->bytes));
  return r && r->where == where && r->base == s->base + s->bytes ? r : NULL;
}

/* Span s, whose pages are gone, joins the cold set, merged with its cold neighbours. */
static void cold_add(struct hkm_span *s) {
  struct hkm_span *l = left_in(s, IN_COLD);
  if (l) {
    cold_unlink(l);
    merge(l, s);
    s = l;
  }
  struct hkm_span *r = right_in(s, IN_COLD);
  if (r) {
    cold_unlink(r);
    merge(s, r);
  }
  cold_link(s);
}

/* Span s, freed just now with its pages resident, joins the hot lists merged with its hot neighbours
 * (up to HKM_REGION_MAX_SPAN), stamped now. Unmerged, hot spans only ever got shorter: a freed 1 MiB
 * block cut into 256 KiB pieces could not serve a 1 MiB request again, which then took cold pages and
 * faulted them in while the pieces sat resident (wl_large, run.c's blocks of 64 KiB-1 MiB: 64 MiB
 * peak RSS unmerged, 31 MiB merged; glibc 32). */
static void hot_add(struct hkm_span *s) {
  struct hkm_span *l = left_in(s, IN_HOT);
  if (l && l->bytes + s->bytes <= HKM_REGION_MAX_SPAN) {
    hot_unlink(l);
    l->stamp = s->stamp;
    merge(l, s);
    s = l;
  }
  struct hkm_span *r = right_in(s, IN_HOT);
  if (r && r->bytes + s->bytes <= HKM_REGION_MAX_SPAN) {
    hot_unlink(r);
    merge(s, r);
  }
  hot_push(s);
}

/* Spans whose pages reclaim.c has dropped join the cold set (their bytes were reserved at put);
 * reclaim.c has set ->zeroed (not every drop leaves zeros). */
static void absorb_dropped(void) {
  for (struct hkm_span *s = hkm_reclaim_take_dropped(), *next; s; s = next) {
    next = s->next;
    cold_bytes -= s->bytes;
    cold_add(s);
  }
}

/* Cut span s (out of every list) to its first bytes; the rest, under a new descriptor, goes back to
 * the hot lists or the cold set as s came from. NULL (s unchanged) when the rest cannot be described. */
static struct hkm_span *cut(struct hkm_span *s, size_t bytes, int where) {
  uintptr_t at = s->base + bytes;
  struct hkm_span *rest = hkm_meta_span_new();
  if (!rest || hkm_pagemap_reserve(at - 1) != 0 || hkm_pagemap_reserve(at) != 0) {
    if (rest) hkm_meta_span_free(rest);
    return NULL;
  }
  rest->base = at;
  rest->bytes = s->bytes - bytes;
  rest->zeroed = s->zeroed;
  rest->stamp = s->stamp;
  if (s->bytes <= HKM_PM_FULL_SPAN) { /* every granule in the map: the rest's change hands */
    hkm_pagemap_repoint(rest, rest);
    s->bytes = bytes;
  } else {
    hkm_pagemap_forget(s);
    s->bytes = bytes;
    hkm_pagemap_enter(s); /* cannot fail: leaves reserved */
    hkm_pagemap_enter(rest);
  }
  if (where == IN_HOT) hot_push(rest); else cold_link(rest); /* its neighbours are s's: nothing to merge */
  return s;
}

static struct hkm_span *take_hot(struct hkm_span *s, size_t bytes) {
  hot_unlink(s);
  if (s->bytes != bytes && !cut(s, bytes, IN_HOT)) {
    hot_push(s);
    return NULL;
  }
  s->zeroed = 0;
  return s;
}

/* The smallest cold span of at least bytes: exact lengths first, then the bins of longer ones. */
static struct hkm_span *cold_fit(size_t bytes) {
  size_t n = bytes >> HKM_GRANULE_SHIFT;
  if (n <= MAX_GRAN) {
    uint64_t m = cold_small_map >> (n - 1);
    if (m) return cold_small[n + (size_t)__builtin_ctzll(m)];
  }
  unsigned b = n <= MAX_GRAN ? 0 : (unsigned)(63 - __builtin_clzll((unsigned long long)n) - 6);
  for (uint64_t m = cold_big_map >> b; m; m &= m - 1) {
    struct hkm_span *best = NULL;
    for (struct hkm_span *s = cold_big[b + (unsigned)__builtin_ctzll(m)]; s; s = s->next)
      if (s->bytes >= bytes && (!best || s->bytes < best->bytes)) best = s;
    if (best) return best;
  }
  return NULL;
}

static struct hkm_span *take_cold(size_t bytes) {
  struct hkm_span *s = cold_fit(bytes);
  if (!s) return NULL;
  cold_unlink(s);
  if (s->bytes != bytes && !cut(s, bytes, IN_COLD)) {
    cold_link(s);
    return NULL;
  }
  return s;
}

/* Resident pages first: the lowest hot span of the exact length, else the lowest longer one, cut;
 * then the best-fitting cold span. Lowest by address, as in an address-ordered first fit: requests
 * pack at the low end and what is freed above merges into longer spans. Taking the newest span of
 * the shortest length that fits (best fit, LIFO), and a cold span of the exact length before a longer
 * hot one, wl_churn (blocks of 16-512 KiB replaced at random) held 7-11 MiB of hot spans beside its
 * live blocks at its peak: 21.2 MiB against 19.8 now (glibc 13.9); wl_large peaks 1-5% higher
 * (perf/bench/RESULTS.md, "Hot spans lowest first"). */
static struct hkm_span *take_cached(size_t bytes) {
  size_t n = bytes >> HKM_GRANULE_SHIFT;
  if (hot_head[n]) return take_hot(hot_head[n], bytes);
  struct hkm_span *low = NULL;
  for (uint64_t m = n < MAX_GRAN ? hot_map >> n << n : 0; m; m &= m - 1) { /* the lists longer than n */
    struct hkm_span *h = hot_head[1 + __builtin_ctzll(m)];
    if (!low || h->base < low->base) low = h;
  }
  struct hkm_span *s = low ? take_hot(low, bytes) : NULL;
  return s ? s : take_cold(bytes);
}

struct hkm_span *hkm_region_describe(void *p, size_t bytes) {
  struct hkm_span *s = hkm_meta_span_new();
  if (s) {
    s->base = (uintptr_t)p;
    s->bytes = bytes;
    s->zeroed = 1;
  }
  if (!s || hkm_pagemap_enter(s) != 0) {
    if (s) hkm_meta_span_free(s);
    hkm_os_unmap(p, bytes);
    return NULL;
  }
  return s;
}

/* A new arena (64 MiB, or the span's own length when the kernel refuses that much) joins the cold set
 * and the span comes from there. The mapping is made without the lock: it may take a while, and a
 * refused one sends hkm_region_get to hkm_os_relieve, which takes the lock. */
static struct hkm_span *grow(size_t bytes) {
  size_t len = ARENA_CHUNK;
  void *a = hkm_os_map_aligned(len, HKM_GRANULE);
  if (!a) a = hkm_os_map_aligned(len = bytes, HKM_GRANULE);
  struct hkm_span *c = a ? hkm_region_describe(a, len) : NULL;
  if (!c) return NULL;
  hkm_lock(&region_lock);
  absorb_dropped();
  arena_bytes += len;
  cold_add(c);
  struct hkm_span *s = take_cached(bytes);
  hkm_unlock(&region_lock);
  return s;
}

/* The longest hot span of at least least bytes and shorter than bytes, whole; NULL when a hot span of
 * bytes or more is there to be cut (take_cached's choice) or none fits. */
static struct hkm_span *take_shorter(size_t bytes, size_t least) {
  size_t n = bytes >> HKM_GRANULE_SHIFT;
  if (n > MAX_GRAN || hot_map >> (n - 1)) return NULL;
  for (size_t k = n - 1; k >= least >> HKM_GRANULE_SHIFT && k >= 1; k--)
    if (hot_head[k]) return take_hot(hot_head[k], k << HKM_GRANULE_SHIFT);
  return NULL;
}

static struct hkm_span *get_once(size_t bytes, size_t least) {
  hkm_lock(&region_lock);
  absorb_dropped();
  struct hkm_span *s = least < bytes ? take_shorter(bytes, least) : NULL;
  if (!s) s = take_cached(bytes);
  hkm_unlock(&region_lock);
  return s ? s : grow(bytes);
}

struct hkm_span *hkm_region_get_upto(size_t bytes, size_t least) {
  HKM_TIME_START(t);
  struct hkm_span *s = get_once(bytes, least);
  if (hkm_unlikely(!s) && hkm_os_relieve()) s = get_once(bytes, least);
  HKM_TIME_END(REGION_GET, t);
  return s;
}

struct hkm_span *hkm_region_get(size_t bytes) { return hkm_region_get_upto(bytes, bytes); }

/* A block grown by realloc moved to a new run and copied itself there, though the span after it was
 * often free: a run cut from a longer hot span leaves the rest right behind it. CPython building a
 * JSON document (wl_python) copied 55 MB so, in 56 rounds of a buffer grown from 64 KiB to 1 MiB;
 * glibc grows it in place at its heap's top. */
int hkm_region_extend(struct hkm_span *s, size_t bytes) {
  if (bytes > HKM_REGION_MAX_SPAN || bytes <= s->bytes) return bytes == s->bytes;
  hkm_induced_drain(); /* faults still in the ring belong to what the span taken was until now */
  HKM_TIME_START(t);
  size_t more = bytes - s->bytes;
  int where = IN_HOT, grown = 0;
  hkm_lock(&region_lock);
  absorb_dropped();
  struct hkm_span *r = right_in(s, IN_HOT);
  /* Into cold pages only when a move would find no resident span either: a first touch costs ~2 us
   * a page here, a copy of a cached page 0.05 (perf/bench/RESULTS.md, "runs grown in place"), and a
   * doubling growth faults in as many pages as it keeps. */
  if (!r && !(hot_map >> ((bytes >> HKM_GRANULE_SHIFT) - 1))) r = right_in(s, where = IN_COLD);
  if (r && r->bytes >= more) {
    if (where == IN_HOT) hot_unlink(r); else cold_unlink(r);
    if (r->bytes == more || cut(r, more, where)) {
      merge(s, r);
      s->usable = s->bytes - s->lead;
      grown = 1;
    } else if (where == IN_HOT) {
      hot_push(r);
    } else {
      cold_link(r);
    }
  }
  hkm_unlock(&region_lock);
  HKM_TIME_END(REGION_GROW, t);
  return grown;
}

/* The hot span highest in memory: under the lowest-first choice (take_cached), the last one a request
 * would take. */
static struct hkm_span *highest_hot(void) {
  struct hkm_span *hi = NULL;
  for (uint64_t m = hot_map; m; m &= m - 1) {
    struct hkm_span *t = hot_tail[1 + __builtin_ctzll(m)];
    if (!hi || t->base > hi->base) hi = t;
  }
  return hi;
}

/* The hot span that came back longest ago. */
static struct hkm_span *oldest_hot(void) { return hot_oldest; }

/* Where a span that loses its pages goes: the cold set while address space may be kept, else away. */
static int cold_or_unmap(struct hkm_span *s) {
  if (cold_bytes + s->bytes <= hkm_cfg.region_cap_bytes) {
    cold_bytes += s->bytes; /* reserved now; it joins the cold set once its pages are really gone */
    return HKM_RELEASE_DROP;
  }
  return HKM_RELEASE_UNMAP;
}

#define MAX_EVICT 8

/* Hot span v loses its pages: off the hot lists and into gone[*n], how[*n] saying where it goes
 * (submitted once the lock is let go). */
static void evict(struct hkm_span *v, struct hkm_span **gone, int *how, unsigned *n) {
  hot_unlink(v);
  how[*n] = cold_or_unmap(v);
  gone[(*n)++] = v;
}

/* Hot spans a Whale request leaves resident, and how many it drops at most. */
#define BIG_KEEP_BYTES ((size_t)1 << 20)
#define BIG_MAX_EVICT 64

/* A Whale request the ring could not serve faults in megabytes of fresh pages: the hot spans nobody
 * took meanwhile (below NO_DECAY_BYTES they wait for ever) would add to the peak it raises. CPython
 * building and parsing a JSON document (wl_python) kept 6.4 MiB of them at its peak, under the 14
 * MiB string: dropped, its peak 167.7 -> 161.8 MiB (glibc 160.0). Only those that waited out the
 * delay go at once; the younger ones are what the program is reusing (four threads resizing buffers
 * among 1 B-8 MiB, wl_resize, had them dropped at each of some 300 such requests: 1.17-1.35 M page
 * faults, now 0.69-0.85 M and 0.82x the time), and the decay takes them down to BIG_KEEP_BYTES once
 * they have waited as long. Without a helper to time them out (sync backend) all go at once. */
static int big_floor; /* a Whale request came since the hot spans were last at BIG_KEEP_BYTES */

static size_t hot_floor(void) { return big_floor ? BIG_KEEP_BYTES : NO_DECAY_BYTES; }

struct hkm_span *hkm_region_get_big(size_t bytes) {
  HKM_TIME_START(t);
  struct hkm_span *gone[BIG_MAX_EVICT], *v;
  int how[BIG_MAX_EVICT];
  unsigned ngone = 0;
  /* Asked before the lock (it may start the helper, which allocates), and only when there are spans to
   * time out: a helper started at a program's first Whale request wakes at its first release and
   * takes ranges one at a time that would otherwise have gone out together (test_reclaim_coalesce:
   * 11-23 munmap calls for 32 neighbouring ranges under load). Read again under the lock: without the
   * helper, all go at once. */
  int decays = __atomic_load_n(&hot_bytes, __ATOMIC_RELAXED) > BIG_KEEP_BYTES && hkm_reclaim_can_decay();
  uint64_t now = hkm_reclaim_now_ns(), delay = hkm_reclaim_keep_ns();
  hkm_lock(&region_lock);
  absorb_dropped();
  while (ngone < BIG_MAX_EVICT && hot_bytes > BIG_KEEP_BYTES && (v = oldest_hot()) != NULL &&
         (!decays || v->stamp + delay <= now))
    evict(v, gone, how, &ngone);
  int later = hot_bytes > BIG_KEEP_BYTES;
  if (later) big_floor = 1;
  struct hkm_span *s = take_cold(bytes);
  hkm_unlock(&region_lock);
  if (later && decays) hkm_reclaim_arm_decay();
  for (unsigned i = 0; i < ngone; i++) hkm_reclaim_submit(gone[i], how[i]);
  HKM_TIME_END(REGION_GET, t);
  return s;
}

void hkm_region_put(struct hkm_span *s) {
  hkm_induced_drain(); /* faults still in the ring belong to what the span was until now */
  HKM_TIME_START(t);
  struct hkm_span *gone[MAX_EVICT + 1];
  int how[MAX_EVICT + 1];
  unsigned ngone = 0;
  s->kind = HKM_KIND_FREE;
  size_t budget =
      hkm_reclaim_budget(hkm_cfg.region_hot_bytes, NO_DECAY_BYTES, __atomic_load_n(&hot_bytes, __ATOMIC_RELAXED) + s->bytes);
  if (budget > hkm_cfg.region_cap_bytes) budget = hkm_cfg.region_cap_bytes; /* the cap counts every span kept */
  s->stamp = hkm_reclaim_now_ns();
  hkm_lock(&region_lock);
  absorb_dropped();
  if (s->bytes <= HKM_REGION_MAX_SPAN && s->bytes <= budget) {
    /* Over the budget the spans that waited longest lose their pages, not the newcomer: a span
     * freed just now is the likeliest to be wanted again (a class whose slab emptied, a buffer freed
     * in a loop). */
    struct hkm_span *v;
    while (hot_bytes + s->bytes > budget && ngone < MAX_EVICT && (v = oldest_hot()) != NULL)
      evict(v, gone, how, &ngone);
  }
  if (s->bytes <= HKM_REGION_MAX_SPAN && hot_bytes + s->bytes <= budget) {
    hot_add(s);
  } else {
    how[ngone] = cold_or_unmap(s);
    gone[ngone++] = s;
  }
  /* Sparse runs (run_density.h): beyond the floor, the spans no request is about to take lose their
   * pages now instead of after the delay. wl_churn (two pages of each 16-512 KiB block touched) peaked
   * at 16.3-17.0 MiB instead of 19.6-20.4 (glibc 13.9) for 0.30-0.33 s instead of 0.20-0.25 (glibc
   * 0.52); the floor at 4 MiB: 14.3-17.3 MiB for 0.72-0.82 s, at 12 MiB no gain. */
  if (hkm_runs_sparse()) {
    struct hkm_span *v;
    while (hot_bytes > NO_DECAY_BYTES && ngone <= MAX_EVICT && (v = highest_hot()) != NULL) evict(v, gone, how, &ngone);
  }
  int decays = hot_bytes > hot_floor();
  hkm_unlock(&region_lock);
  if (decays) hkm_reclaim_arm_decay();
  for (unsigned i = 0; i < ngone; i++) hkm_reclaim_submit(gone[i], how[i]);
  HKM_TIME_END(REGION_PUT, t);
}

/* Called by the reclaim helper: above NO_DECAY_BYTES (BIG_KEEP_BYTES after a Whale request), hot
 * spans nobody took within the keep delay (reclaim.h) lose their pages, so the mode's budget bounds a
 * burst and an idle program keeps NO_DECAY_BYTES at most. */
static int decay(uint64_t now) {
  uint64_t delay = hkm_reclaim_keep_ns();
  struct hkm_span *gone[MAX_EVICT];
  int how[MAX_EVICT], left;
  unsigned ngone;
  do {
    ngone = 0;
    hkm_lock(&region_lock);
    absorb_dropped();
    struct hkm_span *v;
    while (ngone < MAX_EVICT && hot_bytes > hot_floor() && (v = oldest_hot()) != NULL && v->stamp + delay <= now)
      evict(v, gone, how, &ngone);
    left = hot_bytes > hot_floor();
    if (!left) big_floor = 0;
    /* Queued before the lock goes, so a malloc_trim that takes it next finds them in the queue it
     * drains (the helper only queues here: no system call under the lock). */
    for (unsigned i = 0; i < ngone; i++) hkm_reclaim_submit(gone[i], how[i]);
    hkm_unlock(&region_lock);
  } while (ngone == MAX_EVICT);
  return left;
}

void hkm_region_init(void) { hkm_reclaim_add_decay(decay); }

int hkm_region_trim(void) {
  int dropped = 0;
  hkm_lock(&region_lock);
  absorb_dropped();
  while (hot_map) {
    struct hkm_span *s = hot_head[1 + __builtin_ctzll(hot_map)];
    hot_unlink(s);
    s->zeroed = hkm_os_madvise((void *)s->base, s->bytes, MADV_DONTNEED) == 0;
    cold_add(s);
    dropped = 1;
  }
  hkm_unlock(&region_lock);
  hkm_reclaim_drain(); /* after the hot spans: what the decays queued meanwhile goes too */
  hkm_pagemap_trim(1);
  return dropped;
}

int hkm_region_flush(void) {
  hkm_reclaim_drain(); /* waits for a batch the helper holds: ranges to unmap still count */
  int any = hkm_region_trim();
  struct hkm_span *all = NULL;
  hkm_lock(&region_lock);
  absorb_dropped();
  for (;;) {
    struct hkm_span *s = cold_small_map ? cold_small[1 + __builtin_ctzll(cold_small_map)]
                         : cold_big_map ? cold_big[__builtin_ctzll(cold_big_map)] : NULL;
    if (!s) break;
    cold_unlink(s);
    hkm_pagemap_forget(s);
    s->next = all;
    all = s;
  }
  hkm_unlock(&region_lock);
  for (struct hkm_span *s = all, *next; s; s = next) {
    next = s->next;
    hkm_os_unmap((void *)s->base, s->bytes);
    hkm_meta_span_free(s);
    any = 1;
  }
  hkm_pagemap_trim(1);
  return any;
}

void hkm_region_stats(struct hkm_region_stats *out) {
  hkm_lock(&region_lock);
  absorb_dropped();
  out->hot_bytes = hot_bytes;
  out->cold_bytes = cold_bytes;
  out->arena_bytes = arena_bytes;
  hkm_unlock(&region_lock);
}

void hkm_region_fork_prepare(void) { hkm_lock(&region_lock); }
void hkm_region_fork_parent(void) { hkm_unlock(&region_lock); }
void hkm_region_fork_child(void) { hkm_lock_reset(&region_lock); }
