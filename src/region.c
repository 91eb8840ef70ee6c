/* Region cache and arenas (see region.h). One lock: spans move here only on slab refills and releases,
 * each of which serves many allocations. */
#include "config.h"

#include <pthread.h>
#include <sys/mman.h>

#include "induced.h"
#include "meta.h"
#include "options.h"
#include "os.h"
#include "pagemap.h"
#include "prof.h"
#include "reclaim.h"
#include "region.h"

#define MAX_GRAN (HKM_REGION_MAX_SPAN >> HKM_GRANULE_SHIFT)
#define ARENA_CHUNK ((size_t)64 << 20)

static pthread_mutex_t region_lock = PTHREAD_MUTEX_INITIALIZER;
/* Per length in granules: hot spans at the head, cold ones at the tail. Index 0 holds every span
 * longer than HKM_REGION_MAX_SPAN (former whale mappings, always cold), searched best-fit. */
static struct hkm_span *head[MAX_GRAN + 1], *tail[MAX_GRAN + 1];
static size_t hot_bytes, cold_bytes, arena_bytes;
static char *arena_cur, *arena_end;
/* Hot bytes kept however long they wait; beyond them (up to the mode's budget) spans are timed out by
 * the helper's decay, and without a helper (sync backend) the cache stays this small. */
#define NO_DECAY_BYTES ((size_t)8 << 20)

static size_t list_of(const struct hkm_span *s) {
  size_t n = s->bytes >> HKM_GRANULE_SHIFT;
  return n <= MAX_GRAN ? n : 0;
}

static void list_push(struct hkm_span *s, int at_head) {
  size_t n = list_of(s);
  s->prev = s->next = NULL;
  if (!head[n]) {
    head[n] = tail[n] = s;
  } else if (at_head) {
    s->next = head[n];
    head[n]->prev = s;
    head[n] = s;
  } else {
    s->prev = tail[n];
    tail[n]->next = s;
    tail[n] = s;
  }
}

static void list_unlink(struct hkm_span *s) {
  size_t n = list_of(s);
  if (s->prev) s->prev->next = s->next; else head[n] = s->next;
  if (s->next) s->next->prev = s->prev; else tail[n] = s->prev;
  s->prev = s->next = NULL;
  if (s->hot) hot_bytes -= s->bytes; else cold_bytes -= s->bytes;
}

/* Spans whose pages reclaim.c has dropped join the cold lists (their bytes were counted at put);
 * reclaim.c has set ->zeroed (not every drop leaves zeros). */
static void absorb_dropped(void) {
  for (struct hkm_span *s = hkm_reclaim_take_dropped(), *next; s; s = next) {
    next = s->next;
    s->hot = 0;
    list_push(s, 0);
  }
}

/* A new span descriptor over [base, base + bytes), entered in the page map. Called with the lock. */
static struct hkm_span *describe(uintptr_t base, size_t bytes, int zeroed) {
  struct hkm_span *s = hkm_meta_span_new();
  if (!s) return NULL;
  s->base = base;
  s->bytes = bytes;
  s->zeroed = (uint8_t)zeroed;
  if (hkm_pagemap_set(base, bytes, s) != 0) {
    hkm_meta_span_free(s);
    return NULL;
  }
  return s;
}

/* Cut the first bytes off span s (already unlinked); the rest goes back to its list. */
static struct hkm_span *split(struct hkm_span *s, size_t bytes) {
  struct hkm_span *rest = describe(s->base + bytes, s->bytes - bytes, !s->hot && s->zeroed);
  if (!rest) return NULL;
  rest->hot = s->hot;
  rest->stamp = s->stamp;
  s->bytes = bytes;
  if (rest->hot) hot_bytes += rest->bytes; else cold_bytes += rest->bytes;
  list_push(rest, rest->hot);
  return s;
}

/* Unlink s and cut it to bytes; NULL (s back in place) when the cut cannot be described. */
static struct hkm_span *take(struct hkm_span *s, size_t bytes) {
  if (!s) return NULL;
  list_unlink(s);
  if (s->bytes != bytes && !split(s, bytes)) {
    if (s->hot) hot_bytes += s->bytes; else cold_bytes += s->bytes;
    list_push(s, s->hot);
    return NULL;
  }
  return s;
}

static struct hkm_span *best_fit_big(size_t bytes) {
  struct hkm_span *best = NULL;
  for (struct hkm_span *s = head[0]; s; s = s->next)
    if (s->bytes >= bytes && (!best || s->bytes < best->bytes)) best = s;
  return best;
}

static struct hkm_span *carve(size_t bytes) {
  if ((size_t)(arena_end - arena_cur) < bytes) {
    char *a = hkm_os_map_aligned(ARENA_CHUNK, HKM_GRANULE);
    if (!a) return NULL;
    arena_cur = a; /* the old arena's tail was never touched: it costs address space only */
    arena_end = a + ARENA_CHUNK;
    arena_bytes += ARENA_CHUNK;
  }
  struct hkm_span *s = describe((uintptr_t)arena_cur, bytes, 1);
  if (s) arena_cur += bytes;
  return s;
}

struct hkm_span *hkm_region_get(size_t bytes) {
  HKM_TIME_START(t);
  size_t n = bytes >> HKM_GRANULE_SHIFT;
  struct hkm_span *s = NULL;
  pthread_mutex_lock(&region_lock);
  absorb_dropped();
  /* A span of the exact length first (hot ones sit at the head): free spans are never merged, so
   * cutting longer ones while exact ones wait cold fragments the cache until every request carves new
   * address space (600 short-lived threads: 1.1 GiB mapped, against 65 MiB). Then resident pages,
   * even in a longer span: refaulting a dropped span costs ~2 us a page, a split a descriptor. */
  if (n <= MAX_GRAN) s = take(head[n], bytes);
  for (size_t m = n + 1; m <= MAX_GRAN && !s; m++)
    if (head[m] && head[m]->hot) s = take(head[m], bytes);
  for (size_t m = n; m <= MAX_GRAN && !s; m++)
    if (head[m]) s = take(head[m], bytes);
  if (!s) s = take(best_fit_big(bytes), bytes);
  if (s) {
    if (s->hot) s->zeroed = 0; /* a cold span's flag says how its pages were dropped */
  } else
    s = carve(bytes);
  pthread_mutex_unlock(&region_lock);
  HKM_TIME_END(REGION_GET, t);
  return s;
}

struct hkm_span *hkm_region_get_big(size_t bytes) {
  HKM_TIME_START(t);
  pthread_mutex_lock(&region_lock);
  absorb_dropped();
  struct hkm_span *s = take(best_fit_big(bytes), bytes);
  pthread_mutex_unlock(&region_lock);
  if (s && s->hot) s->zeroed = 0;
  HKM_TIME_END(REGION_GET, t);
  return s;
}

/* The hot span that came back longest ago (each list keeps its hot spans newest first). */
static struct hkm_span *oldest_hot(void) {
  struct hkm_span *best = NULL;
  for (size_t n = 1; n <= MAX_GRAN; n++) {
    struct hkm_span *last = NULL;
    for (struct hkm_span *s = head[n]; s && s->hot; s = s->next) last = s;
    if (last && (!best || last->stamp < best->stamp)) best = last;
  }
  return best;
}

/* Where a span that loses its pages goes: the cold lists while address space may be kept, else away. */
static int cold_or_unmap(struct hkm_span *s) {
  if (cold_bytes + s->bytes <= hkm_cfg.region_cap_bytes) {
    cold_bytes += s->bytes; /* reserved now; it joins the cold lists once its pages are really gone */
    return HKM_RELEASE_DROP;
  }
  return HKM_RELEASE_UNMAP;
}

#define MAX_EVICT 8

void hkm_region_put(struct hkm_span *s) {
  hkm_induced_drain(); /* faults still in the ring belong to what the span was until now */
  HKM_TIME_START(t);
  struct hkm_span *gone[MAX_EVICT + 1];
  int how[MAX_EVICT + 1];
  unsigned ngone = 0;
  s->kind = HKM_KIND_FREE;
  /* Beyond NO_DECAY_BYTES the helper must be there to time spans out. Asked before the lock (it may
   * start the helper, which allocates) and only when needed, so a small program gets no thread. */
  size_t budget = hkm_cfg.region_hot_bytes;
  if (budget > NO_DECAY_BYTES &&
      (__atomic_load_n(&hot_bytes, __ATOMIC_RELAXED) + s->bytes <= NO_DECAY_BYTES || !hkm_reclaim_can_decay()))
    budget = NO_DECAY_BYTES;
  if (budget > hkm_cfg.region_cap_bytes) budget = hkm_cfg.region_cap_bytes; /* the cap counts every span kept */
  s->stamp = hkm_reclaim_now_ns();
  pthread_mutex_lock(&region_lock);
  absorb_dropped();
  if (s->bytes <= HKM_REGION_MAX_SPAN && s->bytes <= budget) {
    /* Over the budget the spans that waited longest lose their pages, not the newcomer: a span
     * freed just now is the likeliest to be wanted again (a class whose slab emptied, a buffer freed
     * in a loop). */
    while (hot_bytes + s->bytes > budget && ngone < MAX_EVICT) {
      struct hkm_span *v = oldest_hot();
      if (!v) break;
      list_unlink(v);
      v->hot = 0;
      how[ngone] = cold_or_unmap(v);
      gone[ngone++] = v;
    }
  }
  if (s->bytes <= HKM_REGION_MAX_SPAN && hot_bytes + s->bytes <= budget) {
    s->hot = 1;
    hot_bytes += s->bytes;
    list_push(s, 1);
  } else {
    how[ngone] = cold_or_unmap(s);
    gone[ngone++] = s;
  }
  int decays = hot_bytes > NO_DECAY_BYTES;
  pthread_mutex_unlock(&region_lock);
  if (decays) hkm_reclaim_arm_decay();
  for (unsigned i = 0; i < ngone; i++) hkm_reclaim_submit(gone[i], how[i]);
  HKM_TIME_END(REGION_PUT, t);
}

/* Called by the reclaim helper: above NO_DECAY_BYTES, hot spans nobody took within
 * HAKMEM_RECLAIM_DELAY_MS lose their pages, so the mode's budget bounds a burst and an idle program
 * keeps NO_DECAY_BYTES at most. */
static int decay(uint64_t now) {
  uint64_t delay = (uint64_t)hkm_cfg.reclaim_delay_ms * 1000000u;
  struct hkm_span *gone[MAX_EVICT];
  int how[MAX_EVICT], left;
  unsigned ngone;
  do {
    ngone = 0;
    pthread_mutex_lock(&region_lock);
    absorb_dropped();
    struct hkm_span *v;
    while (ngone < MAX_EVICT && hot_bytes > NO_DECAY_BYTES && (v = oldest_hot()) != NULL && v->stamp + delay <= now) {
      list_unlink(v);
      v->hot = 0;
      how[ngone] = cold_or_unmap(v);
      gone[ngone++] = v;
    }
    left = hot_bytes > NO_DECAY_BYTES;
    /* Queued before the lock goes, so a malloc_trim that takes it next finds them in the queue it
     * drains (the helper only queues here: no system call under the lock). */
    for (unsigned i = 0; i < ngone; i++) hkm_reclaim_submit(gone[i], how[i]);
    pthread_mutex_unlock(&region_lock);
  } while (ngone == MAX_EVICT);
  return left;
}

void hkm_region_init(void) { hkm_reclaim_add_decay(decay); }

int hkm_region_trim(void) {
  int dropped = 0;
  pthread_mutex_lock(&region_lock);
  absorb_dropped();
  for (size_t n = 1; n <= MAX_GRAN; n++)
    for (struct hkm_span *s = head[n]; s && s->hot; s = s->next) {
      s->zeroed = hkm_os_madvise((void *)s->base, s->bytes, MADV_DONTNEED) == 0;
      s->hot = 0;
      hot_bytes -= s->bytes;
      cold_bytes += s->bytes;
      dropped = 1;
    }
  pthread_mutex_unlock(&region_lock);
  hkm_reclaim_drain(); /* after the hot spans: what the decays queued meanwhile goes too */
  return dropped;
}

void hkm_region_stats(struct hkm_region_stats *out) {
  pthread_mutex_lock(&region_lock);
  absorb_dropped();
  out->hot_bytes = hot_bytes;
  out->cold_bytes = cold_bytes;
  out->arena_bytes = arena_bytes;
  pthread_mutex_unlock(&region_lock);
}

void hkm_region_fork_prepare(void) { pthread_mutex_lock(&region_lock); }
void hkm_region_fork_parent(void) { pthread_mutex_unlock(&region_lock); }
void hkm_region_fork_child(void) { pthread_mutex_init(&region_lock, NULL); }
