/* The slow side of slabs: cache refills and overflows, remote returns, adoption, release. See slab.h
 * for the caches and for ownership.
 *
 * A slab's used count is its carved blocks that are not on its own free list: the program's, those in
 * any thread's cache, and those on its remote list until the owner collects them. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <stdlib.h>

#include "clock.h"
#include "options.h"
#include "os.h"
#include "pagemap.h"
#include "prof.h"
#include "region.h"
#include "slab.h"

struct hkm_span hkm_slab_sentinel = {.kind = HKM_KIND_SLAB, .state = HKM_SLAB_CUR};
HKM_COLD_BSS struct hkm_heap hkm_heap_nobody;
struct hkm_cache_view hkm_none_view;
_Static_assert(sizeof(struct hkm_cache) == 16, "a class's cache offset is 16 x class");

/* In .data: read on every refill and release, profiled or not, and as constants (where the compiler
 * puts arrays nothing writes) they would map the library's read-only segment in (options.c, hkm_cfg). */
static int refill_cat[3] HKM_DATA = {HKM_CAT_TINY_REFILL, HKM_CAT_POOL_REFILL, HKM_CAT_L25_REFILL};
static int release_cat[3] HKM_DATA = {HKM_CAT_TINY_RELEASE, HKM_CAT_POOL_RELEASE, HKM_CAT_L25_RELEASE};

/* Doubly linked class lists (partial, full). */
static void list_push(struct hkm_span **head, struct hkm_span *s) {
  s->prev = NULL;
  s->next = *head;
  if (*head) (*head)->prev = s;
  *head = s;
}

static void list_unlink(struct hkm_span **head, struct hkm_span *s) {
  if (s->prev) s->prev->next = s->next; else *head = s->next;
  if (s->next) s->next->prev = s->prev;
  s->prev = s->next = NULL;
}

/* Who holds a heap's lists lock (slab.h). */
#define LISTS_OWNER 1u
#define LISTS_COLLECTOR 2u

static HKM_NOINLINE int lists_lock_wait(struct hkm_heap *h) {
  for (;;) {
    uint32_t v = 0;
    if (atomic_compare_exchange_weak_explicit(&h->lists, &v, LISTS_OWNER, memory_order_acquire, memory_order_relaxed))
      return 1;
    if (v == LISTS_OWNER) return 0;
    if (v) sched_yield();
  }
}

/* The lists lock as the owner takes it: 1 when the caller took it, 0 when it already held it (an
 * allocation made from inside a slow path, e.g. by the thread start that region_put may ask for).
 * Another thread holds it only while it moves blocks between lists, so the owner just waits. */
HKM_INLINE int lists_lock(struct hkm_heap *h) {
  uint32_t v = 0;
  if (hkm_likely(atomic_compare_exchange_strong_explicit(&h->lists, &v, LISTS_OWNER, memory_order_acquire,
                                                         memory_order_relaxed)))
    return 1;
  return lists_lock_wait(h);
}

static void lists_unlock(struct hkm_heap *h, int took) {
  if (took) atomic_store_explicit(&h->lists, 0, memory_order_release);
}

/* The remote list's head word holds the first block's address and, in the top 16 bits, how many
 * blocks the list holds (a slab has at most 4096), so that the owner takes the list whole without
 * walking it: its blocks were just written by other threads' CPUs. */
#define REMOTE_COUNT_SHIFT 48
#define REMOTE_ADDR(w) ((struct hkm_block *)((uintptr_t)(w) & (((uintptr_t)1 << REMOTE_COUNT_SHIFT) - 1)))
#define REMOTE_COUNT(w) ((uint32_t)((uintptr_t)(w) >> REMOTE_COUNT_SHIFT))

/* Move blocks other threads returned onto the owner's free list. Owner only. */
static int collect_remote(struct hkm_span *s) {
  /* Looked at first: the exchange is a locked instruction, which waits for the program's stores, and
   * most slabs have no remote frees (3.8% of a single-threaded run's samples, on the exchange). */
  if (!atomic_load_explicit(&s->remote, memory_order_relaxed)) return 0;
  struct hkm_block *w = atomic_exchange_explicit(&s->remote, NULL, memory_order_acquire);
  if (!w) return 0;
  struct hkm_block *b = REMOTE_ADDR(w);
  if (s->free) { /* rarely: the callers that find the free list empty need no tail */
    struct hkm_block *t = b;
    while (t->next) t = t->next;
    t->next = s->free;
  }
  s->free = b;
  s->used -= REMOTE_COUNT(w);
  return 1;
}

/* Put the chain head..tail (n blocks of slab s) on h's empty cache of class c. */
static void to_cache(struct hkm_heap *h, unsigned c, struct hkm_span *s, struct hkm_block *head, struct hkm_block *tail,
                     uint32_t n) {
  tail->next = h->cache[c].head;
  h->cache[c].head = head;
  h->cache[c].room -= (int32_t)n;
  s->used += n;
}

/* Move blocks from s's free list (not empty) into h's cache of class c (empty, with all its room):
 * the whole list when it fits, without walking it (its length is the carved blocks not in use), else
 * the class's batch. */
static void take_free(struct hkm_heap *h, unsigned c, struct hkm_span *s) {
  uint32_t all = s->carved / s->bsize - s->used;
  if (all <= (uint32_t)h->cache[c].room) {
    h->cache[c].head = s->free;
    h->cache[c].room -= (int32_t)all;
    s->free = NULL;
    s->used += all;
    return;
  }
  struct hkm_block *tail = s->free;
  uint32_t n = 1;
  while (n < hkm_classes[c].batch && tail->next) {
    tail = tail->next;
    n++;
  }
  struct hkm_block *head = s->free;
  s->free = tail->next;
  to_cache(h, c, s, head, tail, n);
}

static int carvable(const struct hkm_span *s) { return s->bytes - s->carved >= s->bsize; }

/* Cut up to a batch of fresh blocks off s's tail (carvable) into h's cache of class c, no further
 * than the page the first of them ends in: writing the links of a batch's blocks made its pages
 * resident before the program asked for them, so a class used for a few blocks held two pages of the
 * slab, not one (4-10 pages of each small workload's process; the same instructions per call). */
static void carve(struct hkm_heap *h, unsigned c, struct hkm_span *s, const void *site) {
  const struct hkm_class *k = &hkm_classes[c];
  size_t page_end = hkm_round_up(s->carved + s->bsize, HKM_PAGE); /* slabs start on a granule */
  uint32_t left = (uint32_t)(((page_end < s->bytes ? page_end : s->bytes) - s->carved) / s->bsize);
  uint32_t n = k->batch < left ? k->batch : left;
  char *first = (char *)s->base + s->carved;
  for (uint32_t i = 0; i + 1 < n; i++)
    ((struct hkm_block *)(first + (size_t)i * s->bsize))->next = (struct hkm_block *)(first + (size_t)(i + 1) * s->bsize);
  s->carved += n * s->bsize;
  s->limit += n * k->step;
  /* Fresh blocks are where the program takes its first-touch page faults: remember who asked (an
   * approximation of per-block sites, which a headerless slab cannot keep). */
  s->site = site;
  to_cache(h, c, s, (struct hkm_block *)first, (struct hkm_block *)(first + (size_t)(n - 1) * s->bsize), n);
}

static void release(struct hkm_span *s) {
  s->otid = 0;
  atomic_store_explicit(&s->owner, &hkm_heap_nobody, memory_order_release);
  s->free = NULL;
  s->limit = 0; /* no block of it can be freed any more */
  hkm_region_put(s);
}

/* A slab a free emptied goes back: the tier's release, timed on every call (prof.h) since it is rare
 * and costly next to the sampled free it runs in. */
static void release_freed(struct hkm_span *s) {
  HKM_TIME_START(t);
  int cat = release_cat[s->tier]; /* s is the region cache's once put */
  release(s);
  HKM_TIME_END_AT(cat, t);
}

static struct hkm_span *new_slab(struct hkm_heap *h, unsigned c) {
  const struct hkm_class *k = &hkm_classes[c];
  struct hkm_span *s = hkm_region_get(k->slab_bytes);
  if (!s) return NULL;
  s->free = NULL;
  s->used = 0;
  s->carved = 0;
  s->limit = 0;
  s->lead = 0; /* blocks start at multiples of bsize; a big block's lead must not outlive it */
  s->cls = (uint8_t)c;
  s->coff = (uint16_t)(c * sizeof(struct hkm_cache));
  s->okc = &h->cache[c];
  s->otid = h->tid;
  s->tier = k->tier;
  s->bsize = k->bsize;
  s->mul = k->mul;
  atomic_store_explicit(&s->remote, NULL, memory_order_relaxed);
  atomic_store_explicit(&s->owner, h, memory_order_release);
  s->kind = HKM_KIND_SLAB;
  return s;
}

/* Collect remote frees on full slabs after other threads said some arrived. */
static void scan_full(struct hkm_class_state *cs) {
  if (!atomic_load_explicit(&cs->remote_pending, memory_order_relaxed)) return;
  atomic_store_explicit(&cs->remote_pending, 0, memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  struct hkm_span *s = cs->full;
  while (s) {
    struct hkm_span *next = s->next;
    if (collect_remote(s)) {
      list_unlink(&cs->full, s);
      if (s->used == 0) {
        release(s);
      } else {
        s->state = HKM_SLAB_PARTIAL;
        list_push(&cs->partial, s);
      }
    }
    s = next;
  }
}

/* Abandoned slabs that still hold blocks, per class, for any heap that needs a slab of the class (a
 * thread that replaces one that exited takes its slabs over). A slab is on its list exactly while its
 * state is ORPHAN; both change only under the lock. */
static pthread_mutex_t orphan_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hkm_span *orphans[HKM_NCLASSES];

/* An orphan of class c taken over by heap h, or NULL. An orphan whose owner CAS we lose went to the
 * heap that won it. */
static struct hkm_span *take_orphan(struct hkm_heap *h, unsigned c) {
  for (;;) {
    pthread_mutex_lock(&orphan_lock);
    struct hkm_span *s = orphans[c];
    if (s) {
      list_unlink(&orphans[c], s);
      s->state = HKM_SLAB_ABANDONED;
    }
    pthread_mutex_unlock(&orphan_lock);
    if (!s) return NULL;
    struct hkm_heap *expect = NULL;
    if (!atomic_compare_exchange_strong(&s->owner, &expect, h)) continue;
    s->okc = &h->cache[c];
    s->otid = h->tid;
    collect_remote(s);
    if (s->used == 0) {
      release(s);
      continue;
    }
    return s;
  }
}

/* Cache k of class c in cache mode, with all its room: an empty cache's (hkm_slab_free_slow says what
 * room and direct mean). */
HKM_INLINE void cache_mode(struct hkm_cache *k, unsigned c) {
  k->room = hkm_classes[c].cache;
  k->direct = 0;
}

/* Move blocks already freed into h's empty cache of class c (with all its room): the current slab's,
 * else a partial slab's. 1, or 0 when the class has none. */
HKM_INLINE int take_freed(struct hkm_heap *h, unsigned c) {
  struct hkm_class_state *cs = &h->cls[c];
  struct hkm_span *s = cs->cur;
  if (s != &hkm_slab_sentinel && (s->free || collect_remote(s))) {
    take_free(h, c, s);
    return 1;
  }
  if (!cs->partial) scan_full(cs);
  struct hkm_span *p = cs->partial;
  if (!p) return 0;
  take_free(h, c, p);
  if (!p->free) {
    list_unlink(&cs->partial, p);
    p->state = HKM_SLAB_FULL;
    list_push(&cs->full, p);
  }
  return 1;
}

/* A block already freed, and so already resident, of a larger class, or NULL: of a class at most
 * twice the smallest request of class c (so that realloc, which moves a block more than twice what
 * it holds, keeps it in place while it grows), and that hands out blocks at least as aligned as c's
 * (memalign chose c for that). Each class keeps resident the most of it that was live at once: a
 * workload whose blocks spread over many classes kept the sum of those highs, far above the most
 * live at once over them all (wl_mid: 2-64 KiB blocks, 17 MiB live, 26 MiB in slabs). Taking a
 * neighbour's free block before a new slab lets the classes share their highs, as a best-fit heap's
 * sizes do: wl_mid peaked at 26.4 MiB instead of 28.5 (glibc 20.8). Up to the next four classes
 * instead (twice the class, four times the request above 64 KiB), wl_large peaked at 43.1 MiB instead
 * of 47.3, but wl_realloc at 11.4 instead of 10.8 and slower (a realloc that grew a block still
 * under half its size moved it). */
static struct hkm_block *borrow(struct hkm_heap *h, unsigned c) {
  uint32_t align = hkm_classes[c].bsize & -hkm_classes[c].bsize;
  uint32_t most = 2 * hkm_classes[c - 1].bsize; /* a pool or L2.5 class is never the first */
  for (unsigned c2 = c + 1; c2 < HKM_NCLASSES && hkm_classes[c2].bsize <= most; c2++) {
    if ((hkm_classes[c2].bsize & -hkm_classes[c2].bsize) < align) continue;
    struct hkm_block *b = hkm_slab_pop(h->cache, c2 * sizeof(struct hkm_cache));
    if (b) return b;
    cache_mode(&h->cache[c2], c2); /* empty */
    if (take_freed(h, c2)) return hkm_slab_pop(h->cache, c2 * sizeof(struct hkm_cache));
  }
  return NULL;
}

/* The cache of class c is empty. Blocks already freed come first: the current slab's, then a partial
 * slab's; only then fresh blocks, from the current slab, else (pool and L2.5) a free block of a larger
 * class, else fresh blocks from an orphan or a new slab. */
static void collect_deferred(struct hkm_heap *h);

static void *refill(struct hkm_heap *h, unsigned c, const void *site) {
  HKM_TIME_START(t);
  struct hkm_class_state *cs = &h->cls[c];
  cache_mode(&h->cache[c], c); /* empty */
  for (;;) {
    if (take_freed(h, c)) break;
    struct hkm_span *s = cs->cur;
    if (s != &hkm_slab_sentinel && carvable(s)) {
      carve(h, c, s, site);
      break;
    }
    if (hkm_classes[c].tier != HKM_TIER_TINY) {
      struct hkm_block *b = borrow(h, c);
      if (b) {
        HKM_TIME_END_AT(refill_cat[hkm_classes[c].tier], t);
        return b;
      }
    }
    if (s != &hkm_slab_sentinel) {
      s->state = HKM_SLAB_FULL;
      list_push(&cs->full, s);
    }
    if ((s = take_orphan(h, c)) == NULL && (collect_deferred(h), s = new_slab(h, c)) == NULL) {
      cs->cur = &hkm_slab_sentinel;
      errno = ENOMEM;
      HKM_TIME_END_AT(refill_cat[hkm_classes[c].tier], t);
      return NULL;
    }
    s->state = HKM_SLAB_CUR;
    cs->cur = s;
  }
  struct hkm_block *b = hkm_slab_pop(h->cache, c * sizeof(struct hkm_cache));
  HKM_TIME_END_AT(refill_cat[hkm_classes[c].tier], t);
  return b;
}

void *hkm_slab_alloc_slow(struct hkm_heap *h, unsigned c, const void *site) {
  int took = lists_lock(h);
  void *p = refill(h, c, site);
  lists_unlock(h, took);
  return p;
}

static unsigned keep_heaps = 1; /* heaps sharing hkm_cfg.slab_keep_bytes */

void hkm_slab_share_keep(unsigned live_heaps) {
  __atomic_store_n(&keep_heaps, live_heaps ? live_heaps : 1, __ATOMIC_RELAXED);
}

static int empty_l25(const struct hkm_span *p, const struct hkm_span *s) {
  return p && p != s && p != &hkm_slab_sentinel && p->tier == HKM_TIER_L25 && !p->used;
}

/* Whether the heap may keep s, an empty L2.5 slab (its class's current slab, or its only partial one):
 * its 1-4 MiB are resident, and a class with a block or two live (the common case for blocks this big)
 * would otherwise release and refill a slab every few frees, refaulting it whenever the region cache
 * had to drop it meanwhile (wl_large: 2,695 slab releases and 667k page faults in 60k frees; kept, 390
 * and 94k). The empty L2.5 slabs a heap keeps stay within its share of the mode's budget (32 MiB
 * balanced, 64 fast, none minimal; a single thread's share fits one empty slab for each L2.5 class). */
static int keep_empty(struct hkm_heap *h, const struct hkm_span *s) {
  size_t kept = s->bytes;
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    if (empty_l25(h->cls[c].partial, s)) kept += h->cls[c].partial->bytes;
    if (empty_l25(h->cls[c].cur, s)) kept += h->cls[c].cur->bytes;
  }
  return kept <= hkm_cfg.slab_keep_bytes / __atomic_load_n(&keep_heaps, __ATOMIC_RELAXED);
}

/* The owner got n blocks back on s's free list: a full slab has blocks again, an empty one may go. */
static void returned(struct hkm_heap *h, struct hkm_span *s) {
  struct hkm_class_state *cs = &h->cls[s->cls];
  if (s->state == HKM_SLAB_FULL) {
    list_unlink(&cs->full, s);
    s->state = HKM_SLAB_PARTIAL;
    list_push(&cs->partial, s);
  }
  if (s->used == 0 && s->state == HKM_SLAB_PARTIAL &&
      (s->tier != HKM_TIER_L25 || cs->partial != s || s->next || !keep_empty(h, s))) {
    list_unlink(&cs->partial, s);
    release_freed(s);
  } else if (s->used == 0 && s == cs->cur && s->tier == HKM_TIER_L25 && !keep_empty(h, s)) {
    cs->cur = &hkm_slab_sentinel; /* the next allocation of the class refills */
    release_freed(s);
  }
}

/* Take an abandoned slab into heap h (we just won the owner CAS). */
static void adopt(struct hkm_heap *h, struct hkm_span *s) {
  s->okc = &h->cache[s->cls];
  s->otid = h->tid;
  pthread_mutex_lock(&orphan_lock);
  if (s->state == HKM_SLAB_ORPHAN) list_unlink(&orphans[s->cls], s);
  s->state = HKM_SLAB_ABANDONED;
  pthread_mutex_unlock(&orphan_lock);
  collect_remote(s);
  if (s->used == 0) {
    release(s);
    return;
  }
  struct hkm_class_state *cs = &h->cls[s->cls];
  if (s->free) {
    s->state = HKM_SLAB_PARTIAL;
    list_push(&cs->partial, s);
  } else {
    s->state = HKM_SLAB_FULL;
    list_push(&cs->full, s);
  }
}

/* Collect the remote frees on every slab of h's class c, under h's lists lock; the Tiny and pool slabs
 * that emptied are unlinked and returned as a chain, for the caller to release once it has let go of
 * the lock (so that nobody holds a lists lock while it waits for another lock or allocates). L2.5
 * slabs stay: whether an empty one is kept is their owner's decision (keep_empty). */
static struct hkm_span *collect_class(struct hkm_heap *h, unsigned c) {
  struct hkm_class_state *cs = &h->cls[c];
  struct hkm_span *gone = NULL;
  atomic_store_explicit(&cs->remote_pending, 0, memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  for (struct hkm_span *s = cs->full, *next; s; s = next) {
    next = s->next;
    if (!collect_remote(s)) continue;
    list_unlink(&cs->full, s);
    s->state = HKM_SLAB_PARTIAL;
    list_push(&cs->partial, s);
  }
  for (struct hkm_span *s = cs->partial, *next; s; s = next) {
    next = s->next;
    collect_remote(s);
    if (s->used || s->tier == HKM_TIER_L25) continue;
    list_unlink(&cs->partial, s);
    s->next = gone;
    gone = s;
  }
  struct hkm_span *s = cs->cur;
  if (s != &hkm_slab_sentinel && collect_remote(s) && s->used == 0 && s->tier != HKM_TIER_L25) {
    cs->cur = &hkm_slab_sentinel; /* the owner's next allocation of the class refills */
    s->next = gone;
    gone = s;
  }
  return gone;
}

/* Per class, the heap whose remote frees a thread last found too recent to collect (collect_for); a
 * thread about to take a new slab asks again (collect_deferred): the frees of an owner that stopped
 * allocating may all come within milliseconds, and nothing frees to its slabs afterwards. */
static _Atomic(struct hkm_heap *) deferred[HKM_NCLASSES];
static _Atomic uint64_t deferred_mask; /* bit c: deferred[c] may be set */
_Static_assert(HKM_NCLASSES <= 64, "a bit per class");

/* How long an owner must have left a class alone before another thread collects for it. */
#define COLLECT_IDLE_NS 10000000

/* Written only when it changes: every thread that frees to other heaps' slabs comes here. */
static void defer(struct hkm_heap *o, unsigned c) {
  if (atomic_load_explicit(&deferred[c], memory_order_relaxed) == o) return;
  atomic_store_explicit(&deferred[c], o, memory_order_relaxed);
  if (!(atomic_load_explicit(&deferred_mask, memory_order_relaxed) >> c & 1))
    atomic_fetch_or_explicit(&deferred_mask, (uint64_t)1 << c, memory_order_relaxed);
}

static uint64_t coarse_ns(void) { return hkm_clock_ns(CLOCK_MONOTONIC_COARSE); }

/* Other threads gave back every block of one of o's slabs of class c that o had not got back: collect
 * the class's remote frees for o's thread, and release its slabs that emptied, when it has left the
 * class alone for a while (a thread that keeps running but no longer allocates: wl_server's main
 * thread, which filled the tables and waits, held 5.4 MiB of its blocks, freed by the workers, for the
 * whole run; a thread between starting its successor and exiting). Left alone: not in a slow path and
 * the same head of its cache of the class (which nearly every allocation or free of it changes) for
 * COLLECT_IDLE_NS. A thread still allocating collects when it needs blocks; collecting for one that
 * another thread had only kept off its CPU (wl_prodcons) released its slabs as they emptied, which it
 * then took again: +0.3 MiB at the peak. */
static HKM_NOINLINE void collect_for(struct hkm_heap *o, unsigned c) {
  struct hkm_class_state *cs = &o->cls[c];
  /* a racy hint, never followed */
  struct hkm_block *head = __atomic_load_n(&o->cache[c].head, __ATOMIC_RELAXED);
  uint64_t now = coarse_ns();
  if (atomic_load_explicit(&cs->seen_head, memory_order_relaxed) != head) {
    atomic_store_explicit(&cs->seen_head, head, memory_order_relaxed);
    atomic_store_explicit(&cs->seen_ns, now, memory_order_relaxed);
    defer(o, c);
    return;
  }
  uint32_t v = 0;
  if (now - atomic_load_explicit(&cs->seen_ns, memory_order_relaxed) < COLLECT_IDLE_NS ||
      !atomic_compare_exchange_strong_explicit(&o->lists, &v, LISTS_COLLECTOR, memory_order_acquire,
                                               memory_order_relaxed)) {
    defer(o, c);
    return;
  }
  if (atomic_load_explicit(&deferred[c], memory_order_relaxed) == o)
    atomic_store_explicit(&deferred[c], NULL, memory_order_relaxed);
  struct hkm_span *gone = collect_class(o, c);
  atomic_store_explicit(&o->lists, 0, memory_order_release);
  while (gone) {
    struct hkm_span *next = gone->next;
    gone->next = NULL;
    release_freed(gone);
    gone = next;
  }
}

/* Heap h is about to take a new slab: first the collections put off (deferred), whose slabs may now go
 * back to the region for it. */
static void collect_deferred(struct hkm_heap *h) {
  for (uint64_t m = atomic_load_explicit(&deferred_mask, memory_order_relaxed); m; m &= m - 1) {
    unsigned c = (unsigned)__builtin_ctzll(m);
    struct hkm_heap *o = atomic_load_explicit(&deferred[c], memory_order_relaxed);
    if (!o) {
      atomic_fetch_and_explicit(&deferred_mask, ~((uint64_t)1 << c), memory_order_relaxed);
      if (atomic_load_explicit(&deferred[c], memory_order_relaxed)) /* set meanwhile: keep its bit */
        atomic_fetch_or_explicit(&deferred_mask, (uint64_t)1 << c, memory_order_relaxed);
    } else if (o != h) {
      collect_for(o, c);
    }
  }
}

/* Blocks first..last (n of them, linked) of slab s go back to it from heap h, its owner, whose lists
 * lock the caller holds. */
static void give_back_own(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *first, struct hkm_block *last,
                          uint32_t n) {
  last->next = s->free;
  s->free = first;
  s->used -= n;
  if (s->used == 0 || s->state == HKM_SLAB_FULL) returned(h, s);
}

/* Blocks first..last (n of them, linked) of slab s go back to it from heap h, not its owner: onto its
 * remote list. In two copies, timed or not (prof.h, after hkm_prof_start_sampled). */
HKM_INLINE void remote_push(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *first, struct hkm_block *last,
                            uint32_t n, int timed) {
  HKM_TIME_START_COPY(timed, t);
  struct hkm_block *old = atomic_load_explicit(&s->remote, memory_order_relaxed), *w;
  do {
    last->next = REMOTE_ADDR(old);
    w = (struct hkm_block *)((uintptr_t)first | ((uintptr_t)(REMOTE_COUNT(old) + n) << REMOTE_COUNT_SHIFT));
  } while (!atomic_compare_exchange_weak_explicit(&s->remote, &old, w, memory_order_seq_cst, memory_order_relaxed));
  /* Dekker with abandon_slab(): it stores owner = NULL then reads remote; we wrote remote, now read
   * owner. One of us sees the other, so no block is left behind on an ownerless slab. */
  struct hkm_heap *o = atomic_load_explicit(&s->owner, memory_order_seq_cst);
  if (o == NULL && atomic_compare_exchange_strong(&s->owner, &o, h)) {
    int took = lists_lock(h);
    adopt(h, s);
    lists_unlock(h, took);
  } else if (o) {
    /* Only the block that finds the list empty says so: the owner empties the list when it looks
     * (scan_full zeroes the counter before it takes the lists), and one atomic add less on the
     * owner's line per remote free ran wl_prodcons 20% and wl_larson 5% faster (RESULTS). */
    if (!REMOTE_COUNT(old)) atomic_fetch_add_explicit(&o->cls[s->cls].remote_pending, 1, memory_order_relaxed);
    /* s->used is the owner's, read as a hint: every block of s it has not got back is on the list now */
    if (hkm_unlikely(REMOTE_COUNT(w) == __atomic_load_n(&s->used, __ATOMIC_RELAXED))) collect_for(o, s->cls);
  }
  HKM_TIME_END_COPY(timed, REMOTE_FREE, t);
}

/* Not cold: GCC optimizes a cold function for size, and its figures would be of slower code. */
static HKM_NOINLINE void remote_push_timed(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *first,
                                           struct hkm_block *last, uint32_t n) {
  remote_push(h, s, first, last, n, 1);
}

/* give_back_own's work when s is another heap's or nobody's. */
static void give_back_remote(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *first, struct hkm_block *last,
                             uint32_t n) {
  if (HKM_SAMPLED_TIMED()) {
    remote_push_timed(h, s, first, last, n);
    return;
  }
  remote_push(h, s, first, last, n, 0);
}

static void give_back_run(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *first, struct hkm_block *last,
                          uint32_t n) {
  if (atomic_load_explicit(&s->owner, memory_order_relaxed) == h)
    give_back_own(h, s, first, last, n);
  else
    give_back_remote(h, s, first, last, n);
}

/* Give a chain of free blocks (of any slabs) back to their slabs, a run of neighbours of one slab at
 * a time. */
static void give_back(struct hkm_heap *h, struct hkm_block *b) {
  struct hkm_span *s = b ? hkm_pagemap_get(b) : NULL;
  while (b) {
    struct hkm_block *last = b, *next;
    struct hkm_span *ns = NULL;
    uint32_t n = 1;
    while ((next = last->next) != NULL && (ns = hkm_pagemap_get(next)) == s) {
      last = next;
      n++;
    }
    give_back_run(h, s, b, last, n);
    b = next;
    s = ns;
  }
}

/* Give h's cache of class c back to the slabs; the class is back in cache mode. */
static void empty_cache(struct hkm_heap *h, unsigned c) {
  struct hkm_cache *k = &h->cache[c];
  struct hkm_block *b = k->head;
  k->head = NULL;
  cache_mode(k, c);
  if (b) give_back(h, b);
}

/* Blocks a class's cache holds in direct mode before they go back together. */
#define DIRECT_BATCH 16

/* The cache of b's class had no room. In cache mode that means it is full: the first time since the
 * cache last ran empty, it keeps its most recently freed half and the rest goes back; the second
 * time everything goes back, and the class turns to direct mode, where the thread's own blocks go
 * back to their slabs DIRECT_BATCH at a time until the cache is refilled. A thread that frees much
 * more than it allocates (a data structure torn down) so leaves no more than a batch of cached blocks
 * holding nearly empty slabs. One block at a time, each under the lists lock's atomic exchange, that
 * path took 21% of wl_espresso's frees and 3% of its samples (perf record -e cpu-clock). */
static void overflow(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b) {
  unsigned c = s->cls;
  struct hkm_cache *k = &h->cache[c];
  uintptr_t key = hkm_slab_key(s);
  if (hkm_unlikely(b->key == key)) hkm_double_free(b);
  b->key = key;
  b->next = k->head;
  k->head = b;
  uint32_t keep = k->direct == 0 ? hkm_classes[c].batch : 0;
  if (keep >= hkm_classes[c].cache) keep = 0;
  struct hkm_block *rest = k->head, *tail;
  if (keep) {
    tail = rest;
    for (uint32_t n = 1; n < keep; n++) tail = tail->next;
    rest = tail->next;
    tail->next = NULL;
    k->room = (int32_t)(hkm_classes[c].cache - keep);
    k->direct = 1;
  } else {
    k->head = NULL;
    k->room = DIRECT_BATCH < hkm_classes[c].cache ? DIRECT_BATCH : (int32_t)hkm_classes[c].cache;
    k->direct = 2;
  }
  give_back(h, rest);
}

void hkm_slab_free_slow(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b) {
  int took = lists_lock(h);
  overflow(h, s, b);
  lists_unlock(h, took);
}

static HKM_NOINLINE HKM_COLD void free_own(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b) {
  int took = lists_lock(h);
  give_back_own(h, s, b, b, 1);
  lists_unlock(h, took);
}

void hkm_slab_free_remote(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b) {
  uintptr_t key = hkm_slab_key(s);
  if (hkm_unlikely(b->key == key)) hkm_double_free(b);
  b->key = key;
  /* s becomes h's only by h's own thread, this one */
  if (hkm_unlikely(atomic_load_explicit(&s->owner, memory_order_relaxed) == h))
    free_own(h, s, b);
  else
    give_back_remote(h, s, b, b, 1);
}

HKM_COLD void hkm_double_free(const void *p) {
  hkm_fatal("free(): double free of %p", p);
  abort();
}

/* A slab its thread gives up keeps resident only the pages its carved blocks are on. One cut from a
 * span the region cache had kept resident holds pages earlier lives wrote past those blocks, which
 * nothing needs until another heap adopts the slab and carves on, maybe never: with threads that come
 * and go, every slab span ended up wholly resident (40 rounds of wl_mstress's threads: 4.2 MiB of
 * slabs resident, 2 MiB of it carved; its peak 4.6 -> 3.9 MiB, glibc 3.8). Dropped while the slab is
 * still ours, so that no adopter carves there meanwhile. */
static void drop_tail(struct hkm_span *s) {
  size_t at = hkm_round_up(s->carved, HKM_PAGE);
  if (s->zeroed || at >= s->bytes) return;
  hkm_os_dontneed((char *)s->base + at, s->bytes - at);
  s->zeroed = 1;
}

static void abandon_slab(struct hkm_heap *h, struct hkm_span *s) {
  for (;;) {
    collect_remote(s);
    if (s->used == 0) {
      release(s);
      return;
    }
    drop_tail(s);
    s->state = HKM_SLAB_ABANDONED;
    s->otid = 0;
    atomic_store_explicit(&s->owner, NULL, memory_order_seq_cst);
    if (atomic_load_explicit(&s->remote, memory_order_seq_cst)) {
      struct hkm_heap *expect = NULL;
      if (atomic_compare_exchange_strong(&s->owner, &expect, h)) continue; /* ours again: collect it */
      return; /* another thread adopted it */
    }
    /* Listed only while nobody owns it: an adopter that won it meanwhile unlinks it under the lock. */
    pthread_mutex_lock(&orphan_lock);
    if (atomic_load_explicit(&s->owner, memory_order_relaxed) == NULL) {
      s->state = HKM_SLAB_ORPHAN;
      list_push(&orphans[s->cls], s);
    }
    pthread_mutex_unlock(&orphan_lock);
    return;
  }
}

static void empty_caches(struct hkm_heap *h) {
  for (unsigned c = 0; c < HKM_NCLASSES; c++) empty_cache(h, c);
}

/* malloc_trim: the cache goes back to the slabs, then the empty slabs the heap keeps (one per L2.5
 * class, see returned) go. */
static int trim(struct hkm_heap *h) {
  int any = 0;
  empty_caches(h);
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    struct hkm_class_state *cs = &h->cls[c];
    for (struct hkm_span *s = cs->partial, *next; s; s = next) {
      next = s->next;
      collect_remote(s);
      if (s->used) continue;
      list_unlink(&cs->partial, s);
      release(s);
      any = 1;
    }
    struct hkm_span *s = cs->cur;
    if (s != &hkm_slab_sentinel && (collect_remote(s), !s->used)) {
      cs->cur = &hkm_slab_sentinel;
      release(s);
      any = 1;
    }
  }
  return any;
}

int hkm_slab_trim(struct hkm_heap *h) {
  int took = lists_lock(h);
  int any = trim(h);
  lists_unlock(h, took);
  return any;
}

void hkm_slab_abandon_all(struct hkm_heap *h) {
  int took = lists_lock(h);
  empty_caches(h);
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    struct hkm_class_state *cs = &h->cls[c];
    if (cs->cur != &hkm_slab_sentinel) abandon_slab(h, cs->cur);
    cs->cur = &hkm_slab_sentinel;
    struct hkm_span *s;
    while ((s = cs->partial) != NULL) {
      list_unlink(&cs->partial, s);
      abandon_slab(h, s);
    }
    while ((s = cs->full) != NULL) {
      list_unlink(&cs->full, s);
      abandon_slab(h, s);
    }
  }
  lists_unlock(h, took);
}

void hkm_slab_init(void) { hkm_sizeclass_tiny_table(hkm_none_view.tiny_off); }

void hkm_slab_shadow_reset(struct hkm_cache_view *v) {
  memcpy(v->tiny_off, hkm_none_view.tiny_off, sizeof v->tiny_off);
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    v->cache[c].head = NULL;
    v->cache[c].room = 0;
  }
}

void hkm_slab_heap_init(struct hkm_heap *h) {
  int took = lists_lock(h); /* a thread may still be collecting for the heap's last owner */
  memcpy(h->cache_tiny, hkm_none_view.tiny_off, sizeof h->cache_tiny);
  if (h->shadow) hkm_slab_shadow_reset(h->shadow);
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    h->cache[c].head = NULL;
    cache_mode(&h->cache[c], c);
    h->cls[c].cur = &hkm_slab_sentinel;
    h->cls[c].partial = h->cls[c].full = NULL;
    atomic_store_explicit(&h->cls[c].remote_pending, 0, memory_order_relaxed);
  }
  lists_unlock(h, took);
}

static void retag(struct hkm_heap *h, uintptr_t tid) {
  h->tid = tid;
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    struct hkm_class_state *cs = &h->cls[c];
    if (cs->cur != &hkm_slab_sentinel) cs->cur->otid = tid;
    for (struct hkm_span *s = cs->partial; s; s = s->next) s->otid = tid;
    for (struct hkm_span *s = cs->full; s; s = s->next) s->otid = tid;
  }
}

void hkm_slab_retag(struct hkm_heap *h, uintptr_t tid) {
  int took = lists_lock(h);
  retag(h, tid);
  lists_unlock(h, took);
}

void hkm_slab_fork_child_untag(struct hkm_heap *h) { retag(h, 0); }

void hkm_slab_fork_prepare(void) { pthread_mutex_lock(&orphan_lock); }
void hkm_slab_fork_parent(void) { pthread_mutex_unlock(&orphan_lock); }
void hkm_slab_fork_child(void) { pthread_mutex_init(&orphan_lock, NULL); }

/* Whether block b of slab s, whose key says "free", is free: its owner (h) finds it in its cache or on
 * the slab's lists; another thread cannot walk them safely and trusts the key. For realloc and
 * malloc_usable_size, which must not act on a freed block (hakmem.c). */
static int block_freed(struct hkm_heap *h, struct hkm_span *s, const struct hkm_block *b) {
  for (struct hkm_block *f = h->cache[s->cls].head; f; f = f->next)
    if (f == b) return 1;
  for (struct hkm_block *f = s->free; f; f = f->next)
    if (f == b) return 1;
  for (struct hkm_block *f = REMOTE_ADDR(atomic_load(&s->remote)); f; f = f->next)
    if (f == b) return 1;
  return 0;
}

int hkm_slab_block_freed(struct hkm_heap *h, struct hkm_span *s, const struct hkm_block *b) {
  if (!h || atomic_load_explicit(&s->owner, memory_order_relaxed) != h) return 1;
  int took = lists_lock(h);
  int freed = block_freed(h, s, b);
  lists_unlock(h, took);
  return freed;
}

void hkm_slab_lists_hold(struct hkm_heap *h) {
  if (h) lists_lock(h);
}

void hkm_slab_lists_let_go(struct hkm_heap *h) {
  if (h) atomic_store_explicit(&h->lists, 0, memory_order_relaxed);
}
