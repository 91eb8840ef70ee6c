/* Page runs (see pages.h). */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "heap.h"
#include "lock.h"
#include "meta.h"
#include "options.h"
#include "os.h"
#include "pagemap.h"
#include "pages.h"
#include "prof.h"
#include "region.h"
#include "tcache.h"

#define CHUNK ((size_t)1 << 20)
/* A chunk may be as short as this when the region cache holds resident spans of that length and none
 * of CHUNK: its pages past the span are marked used for good, so no run reaches them. At wl_mid's
 * peak the cache held resident spans of 4 and 12 granules (a 1 MiB span cut for a pool slab) that
 * no request took while new chunks faulted in fresh pages: 25.9 -> 24.9 MiB (glibc 20.8). Not below
 * 256 KiB: a chunk that short holds four blocks of 64 KiB. */
#define LEAST_CHUNK ((size_t)4 * HKM_GRANULE)
#define NPAGES ((unsigned)(CHUNK / HKM_PAGE))
#define WORDS (NPAGES / 64)
#define MAXRUN ((unsigned)(HKM_SLAB_MAX / HKM_PAGE))
/* List L (1..MAXRUN) holds the chunks with a free run of exactly L pages, list NLISTS those with a
 * longer one; bit L-1 of a chunk's lens and of list_map stand for list L. */
#define NLISTS (MAXRUN + 1)

_Static_assert(NPAGES % 64 == 0 && CHUNK <= HKM_REGION_MAX_SPAN && NLISTS <= 32, "chunk shape");

struct hkm_pages_chunk {
  struct hkm_span *span;
  uint64_t used[WORDS];  /* pages in a block */
  uint64_t start[WORDS]; /* pages a block starts on */
  /* a block's length in pages, at its first page (a scan of both bitmaps cost more), with LEN_CACHED
   * while a thread's cache holds it */
  uint8_t len[NPAGES];
  /* The first pages of the free runs (each as long as it can be: two are never adjacent), by list:
   * the allocation takes one of the list it wants without a scan, and the free finds its neighbours
   * from the used bits. */
  uint64_t runs[NLISTS][WORDS];
  uint8_t nruns[NLISTS]; /* runs on each list (at most NPAGES / 2) */
  uint32_t lens;         /* the lists it is on: those of its runs */
  uint32_t nused;        /* pages in blocks */
  /* Of those, about how many are in threads' caches (tcache.h): a chunk whose blocks are all cached
   * would stay, and the free pages beside them resident, while the threads holding them idle
   * (hkm_pages_free). Changed outside the lock by a plain load and store, not a locked add: two
   * threads changing it at once may lose one change, which keep() sets right by counting the marks
   * before it acts on the figure. */
  _Atomic uint32_t cached;
  struct hkm_pages_chunk *next[NLISTS], *prev[NLISTS];
  struct hkm_pages_chunk *all_next, *all_prev; /* every chunk of its arena with a block, for trim */
  struct hkm_arena *arena;
};

/* Chunks and their lists, each under its own lock; a thread takes its runs from one arena (threads
 * are dealt to them in turn), and a free goes to its chunk's. One lock for all made two threads that
 * allocate and free these sizes 7 times slower than one (perf/bench/RESULTS.md, "Page runs for
 * 18-64 KiB"). */
#define NARENAS 8 /* at most: one per CPU the process may run on (dealt_over) */
struct hkm_arena {
  _Alignas(64) struct hkm_lock lock; /* a line of its own: two threads' arenas must not share one */
  struct hkm_pages_chunk *heads[NLISTS], *all;
  uint32_t list_map;
};

/* The arenas, made at the first page run in metadata memory (.bss has no room: src/sizeclass.h);
 * pages_lock guards making them, the unused chunk descriptors and spare: one empty chunk kept back for
 * any arena, so that a program whose last block of these sizes comes and goes does not take a chunk
 * from the region cache each time (where a slab may have cut the last one up in the meantime, and the
 * next chunk touches fresh pages: wl_espresso 2.4 -> 3.1 MiB). */
static struct hkm_lock pages_lock = HKM_LOCK_INIT;
static struct hkm_arena *_Atomic arenas;
static struct hkm_pages_chunk *unused_meta, *spare;
static unsigned arenas_dealt, dealt_over = 1;
static __thread unsigned my_arena; /* 1 + the thread's arena, 0 before its first page run */

/* The first page at or after from whose bit in w is set (or clear, with flip = ~0); NPAGES if none. */
static unsigned next_bit(const uint64_t *w, unsigned from, uint64_t flip) {
  for (unsigned k = from / 64; k < WORDS; k++) {
    uint64_t m = w[k] ^ flip;
    if (k == from / 64) m &= ~(uint64_t)0 << (from % 64);
    if (m) return k * 64 + (unsigned)__builtin_ctzll(m);
  }
  return NPAGES;
}

static unsigned next_used(const struct hkm_pages_chunk *c, unsigned from) { return next_bit(c->used, from, 0); }
static unsigned next_free(const struct hkm_pages_chunk *c, unsigned from) { return next_bit(c->used, from, ~(uint64_t)0); }

/* Set (on = 1) or clear pages i..i+n-1 of w: at most two words for a block. */
static void mark(uint64_t *w, unsigned i, unsigned n, int on) {
  while (n) {
    unsigned b = i % 64, m = 64 - b < n ? 64 - b : n;
    uint64_t bits = (m == 64 ? ~(uint64_t)0 : ((uint64_t)1 << m) - 1) << b;
    if (on) w[i / 64] |= bits; else w[i / 64] &= ~bits;
    i += m;
    n -= m;
  }
}

/* A relaxed atomic read, which costs nothing over a plain one: hkm_pages_free reads a live block's
 * bits without the lock (block_page), while others change the word's other bits under it. */
static int bit_at(const uint64_t *w, unsigned i) { return (int)((__atomic_load_n(&w[i / 64], __ATOMIC_RELAXED) >> (i % 64)) & 1); }

/* The pages of chunk c's span (NPAGES but for a shorter span: LEAST_CHUNK). */
static unsigned chunk_pages(const struct hkm_pages_chunk *c) { return (unsigned)(c->span->bytes / HKM_PAGE); }

static unsigned list_of(unsigned len) { return len > MAXRUN ? NLISTS : len; }

/* The last page before from (exclusive) whose used bit is set; -1 if none. */
static int prev_used(const struct hkm_pages_chunk *c, unsigned from) {
  for (int k = (int)(from / 64); k >= 0; k--) {
    uint64_t m = c->used[k];
    if ((unsigned)k == from / 64) m &= ((uint64_t)1 << (from % 64)) - 1;
    if (m) return k * 64 + 63 - __builtin_clzll(m);
  }
  return -1;
}

/* The free run of len pages at page i joins (on = 1) or leaves its list; *lens follows. */
static void run_mark(struct hkm_pages_chunk *c, unsigned i, unsigned len, int on, uint32_t *lens) {
  unsigned l = list_of(len) - 1;
  uint64_t bit = (uint64_t)1 << (i % 64);
  if (on) {
    c->runs[l][i / 64] |= bit;
    if (!c->nruns[l]++) *lens |= (uint32_t)1 << l;
  } else {
    c->runs[l][i / 64] &= ~bit;
    if (!--c->nruns[l]) *lens &= ~((uint32_t)1 << l);
  }
}

static void relink(struct hkm_pages_chunk *c, uint32_t lens) {
  struct hkm_arena *a = c->arena;
  for (uint32_t d = c->lens ^ lens; d; d &= d - 1) {
    unsigned b = (unsigned)__builtin_ctz(d);
    if (lens & ((uint32_t)1 << b)) {
      c->prev[b] = NULL;
      c->next[b] = a->heads[b];
      if (a->heads[b]) a->heads[b]->prev[b] = c;
      a->heads[b] = c;
      a->list_map |= (uint32_t)1 << b;
    } else {
      if (c->prev[b]) c->prev[b]->next[b] = c->next[b]; else a->heads[b] = c->next[b];
      if (c->next[b]) c->next[b]->prev[b] = c->prev[b];
      if (!a->heads[b]) a->list_map &= ~((uint32_t)1 << b);
    }
  }
  c->lens = lens;
}

static void all_link(struct hkm_pages_chunk *c) {
  c->all_prev = NULL;
  c->all_next = c->arena->all;
  if (c->arena->all) c->arena->all->all_prev = c;
  c->arena->all = c;
}

static void all_unlink(struct hkm_pages_chunk *c) {
  if (c->all_prev) c->all_prev->all_next = c->all_next; else c->arena->all = c->all_next;
  if (c->all_next) c->all_next->all_prev = c->all_prev;
}

/* Descriptor c joins the unused ones. */
static void unused_push(struct hkm_pages_chunk *c) {
  hkm_lock(&pages_lock);
  c->all_next = unused_meta;
  unused_meta = c;
  hkm_unlock(&pages_lock);
}

/* A chunk with no block, its whole length one free run on no list; NULL when out of memory. Called
 * without the lock: the region cache may call back into trimming (hkm_os_relieve). */
static struct hkm_pages_chunk *new_chunk(struct hkm_arena *a) {
  hkm_lock(&pages_lock);
  struct hkm_pages_chunk *c = spare;
  if (c) {
    spare = NULL;
    hkm_unlock(&pages_lock);
    c->arena = a;
    return c;
  }
  c = unused_meta;
  if (c) unused_meta = c->all_next;
  hkm_unlock(&pages_lock);
  if (!c && !(c = hkm_meta_alloc(sizeof *c))) return NULL;
  struct hkm_span *s = hkm_region_get_upto(CHUNK, LEAST_CHUNK);
  if (!s) {
    unused_push(c);
    return NULL;
  }
  *c = (struct hkm_pages_chunk){.span = s, .arena = a};
  mark(c->used, chunk_pages(c), NPAGES - chunk_pages(c), 1);
  s->kind = HKM_KIND_PAGES;
  s->tier = HKM_TIER_PAGES;
  s->zeroed = 0; /* calloc clears page runs: whether a page was used before is not kept */
  s->chunk = c;
  return c;
}

/* An empty chunk c (out of every list) goes back to the region cache, its descriptor to the unused
 * ones. Called without the lock (the region cache may start the release helper, which allocates). */
static void give_back(struct hkm_pages_chunk *c) {
  struct hkm_span *s = c->span;
  s->chunk = NULL;
  hkm_region_put(s);
  unused_push(c);
}

/* An empty chunk c (out of every list) is kept back, or goes back when one already is. Without its
 * arena's lock. */
static void keep_or_give_back(struct hkm_pages_chunk *c) {
  hkm_lock(&pages_lock);
  int kept = !spare;
  if (kept) spare = c;
  hkm_unlock(&pages_lock);
  if (!kept) give_back(c);
}

/* The calling thread's arena; NULL when the arenas cannot be made. */
static struct hkm_arena *thread_arena(void) {
  struct hkm_arena *all_arenas = atomic_load_explicit(&arenas, memory_order_acquire);
  if (hkm_likely(my_arena && all_arenas)) return &all_arenas[my_arena - 1];
  if (!all_arenas) {
    hkm_lock(&pages_lock);
    all_arenas = atomic_load_explicit(&arenas, memory_order_relaxed);
    if (!all_arenas && (all_arenas = hkm_meta_alloc(NARENAS * sizeof *all_arenas)) != NULL) {
      for (unsigned i = 0; i < NARENAS; i++) hkm_lock_reset(&all_arenas[i].lock);
      /* More arenas than CPUs only split the free runs: mstress's rare blocks of these sizes, one per
       * thread of many, each took a chunk of its own arena. The raw call: sysconf is in a window of
       * libc a process on glibc's malloc does not map (text_trim.h). */
      uint64_t cpus[16] = {0};
      long got = syscall(SYS_sched_getaffinity, 0, sizeof cpus, cpus);
      unsigned n = 0;
      for (long w = 0; got > 0 && w < got / 8; w++) /* no popcount builtin: without -mpopcnt it is a */
        for (uint64_t m = cpus[w]; m; m &= m - 1) n++; /* libgcc call, linked into the cold text */
      dealt_over = n < 1 ? 1 : n > NARENAS ? NARENAS : n;
      atomic_store_explicit(&arenas, all_arenas, memory_order_release);
    }
    hkm_unlock(&pages_lock);
    if (!all_arenas) return NULL;
  }
  if (!my_arena) my_arena = 1 + __atomic_fetch_add(&arenas_dealt, 1, __ATOMIC_RELAXED) % dealt_over;
  return &all_arenas[my_arena - 1];
}

/* The runs the calling thread freed (tcache.h), in pages. */
static HKM_TLS struct hkm_tcache freed_runs;
_Static_assert(MAXRUN <= HKM_TCACHE_MAX_UNITS, "a run's pages fit the thread cache's lengths");

/* A run in a thread's cache is marked so in its chunk, in its length byte, for a second free (any
 * thread's), realloc and malloc_usable_size to find; only the thread that keeps or takes the run
 * writes the byte outside the lock, a plain byte store. The first version marked the run in its own
 * second word (its chunk span's address plus one), which memory a run is handed out with may already
 * hold: four threads freeing each other's 16-66 KiB blocks aborted with a false double free in 1 run
 * of 10, and so did the same with no cache at all, where nothing writes the mark (perf/bench/
 * RESULTS.md, "Fixed: a false double free of a page run"). */
#define LEN_CACHED 0x80u
_Static_assert(MAXRUN < LEN_CACHED, "a run's length leaves the mark's bit free");

static unsigned run_len(const struct hkm_pages_chunk *c, unsigned i) {
  return __atomic_load_n(&c->len[i], __ATOMIC_RELAXED) & ~LEN_CACHED;
}
static int run_cached(const struct hkm_pages_chunk *c, unsigned i) {
  return (__atomic_load_n(&c->len[i], __ATOMIC_RELAXED) & LEN_CACHED) != 0;
}
/* The byte of run p (first page) of chunk span s, with or without the mark. */
static void run_mark_cached(const struct hkm_span *s, const void *p, int cached) {
  unsigned i = (unsigned)(((uintptr_t)p - s->base) / HKM_PAGE);
  struct hkm_pages_chunk *c = s->chunk;
  __atomic_store_n(&c->len[i], (uint8_t)(run_len(c, i) | (cached ? LEN_CACHED : 0)), __ATOMIC_RELAXED);
}

/* A change of c->cached without a locked instruction, which waits for every store before it: in wl_mid,
 * whose program writes a page of each block it gets, the two locked adds a cached free and malloc made
 * took 12% of the time (perf/bench/RESULTS.md, "Kept: no locked add on a cached free or malloc"). */
static void cached_add(struct hkm_pages_chunk *c, int32_t d) {
  atomic_store_explicit(&c->cached, atomic_load_explicit(&c->cached, memory_order_relaxed) + (uint32_t)d,
                        memory_order_relaxed);
}

/* Run r (units pages of chunk span s) out of a thread's cache: its mark cleared, its pages no longer
 * counted as cached in the chunk. */
static void uncache(struct hkm_span *s, void *r, unsigned units) {
  run_mark_cached(s, r, 0);
  cached_add(s->chunk, -(int32_t)units);
}

/* Whether the calling thread keeps the runs it frees: a thread with a heap (made here when it has none
 * yet), whose exit empties the cache (heap.c). */
static int caching(void) { return hkm_cfg.pages_cache_bytes >= HKM_PAGE && hkm_heap_get(); }

void *hkm_pages_alloc(size_t n, const void *site) {
  unsigned k = (unsigned)((n + HKM_PAGE - 1) / HKM_PAGE);
  HKM_TIME_START_SAMPLED(t);
  if (caching()) {
    unsigned got;
    void *p = hkm_tcache_take(&freed_runs, k, &got);
    if (p) {
      struct hkm_span *s = hkm_pagemap_get(p);
      uncache(s, p, got);
      s->site = site;
      HKM_TIME_END_SAMPLED(PAGES_GET, t);
      return p;
    }
  }
  struct hkm_arena *a = thread_arena();
  if (!a) {
    HKM_TIME_END_SAMPLED(PAGES_GET, t);
    return NULL;
  }
  struct hkm_pages_chunk *fresh = NULL, *c;
  unsigned l;
  hkm_lock(&a->lock);
  for (;;) {
    uint32_t m = a->list_map >> (k - 1);
    if (m) {
      l = k + (unsigned)__builtin_ctz(m); /* the shortest run that fits, over the arena's chunks */
      c = a->heads[l - 1];
      break;
    }
    if (fresh) { /* a chunk of one free run, linked here so that the search above finds it */
      c = fresh;
      fresh = NULL;
      all_link(c);
      uint32_t lens = 0;
      run_mark(c, 0, chunk_pages(c), 1, &lens);
      relink(c, lens);
      continue;
    }
    hkm_unlock(&a->lock);
    fresh = new_chunk(a);
    if (!fresh) {
      HKM_TIME_END_SAMPLED(PAGES_GET, t);
      return NULL;
    }
    hkm_lock(&a->lock); /* another thread may have freed a run meanwhile: search again */
  }
  unsigned i = next_bit(c->runs[l - 1], 0, 0), len = next_used(c, i) - i;
  uint32_t lens = c->lens;
  run_mark(c, i, len, 0, &lens);
  if (len > k) run_mark(c, i + k, len - k, 1, &lens);
  mark(c->used, i, k, 1);
  mark(c->start, i, 1, 1);
  __atomic_store_n(&c->len[i], (uint8_t)k, __ATOMIC_RELAXED);
  c->nused += k;
  c->span->site = site;
  relink(c, lens);
  void *p = (void *)(c->span->base + (uintptr_t)i * HKM_PAGE);
  hkm_unlock(&a->lock);
  if (fresh) keep_or_give_back(fresh); /* not needed after all: another thread freed a run meanwhile */
  HKM_TIME_END_SAMPLED(PAGES_GET, t);
  return p;
}

/* Whether p is a live block of chunk span s (HKM_PAGES_LIVE, its first page in *i). Under the lock, or
 * without it by a caller that is freeing p: the bits of a live block change only when it is freed. */
HKM_INLINE int block_page(const struct hkm_span *s, const void *p, unsigned *i) {
  uintptr_t off = (uintptr_t)p - s->base;
  if (off >= s->bytes || off % HKM_PAGE) return HKM_PAGES_INVALID;
  *i = (unsigned)(off / HKM_PAGE);
  if (!bit_at(s->chunk->used, *i)) return HKM_PAGES_FREED; /* a freed block's pages are free */
  return bit_at(s->chunk->start, *i) ? HKM_PAGES_LIVE : HKM_PAGES_INVALID;
}

/* The arena of span s's chunk, locked; NULL when s is no chunk. The chunk is stable while p is a live
 * block of it: only a free of its last block gives it up. */
static struct hkm_arena *lock_chunk(const struct hkm_span *s) {
  if (!s->chunk || s->kind != HKM_KIND_PAGES) return NULL;
  struct hkm_arena *a = s->chunk->arena;
  hkm_lock(&a->lock);
  return a;
}

/* Free p, a block of chunk span s, into its chunk: HKM_PAGES_LIVE when it was a live block. */
static int free_run(struct hkm_span *s, void *p) {
  struct hkm_arena *ar = lock_chunk(s);
  if (!ar) return HKM_PAGES_INVALID;
  struct hkm_pages_chunk *c = s->chunk, *empty = NULL;
  unsigned i;
  int what = block_page(s, p, &i);
  if (what != HKM_PAGES_LIVE) {
    hkm_unlock(&ar->lock);
    return what;
  }
  unsigned k = run_len(c, i);
  mark(c->used, i, k, 0);
  mark(c->start, i, 1, 0);
  c->nused -= k;
  /* the free run it makes, with its free neighbours */
  uint32_t lens = c->lens;
  unsigned a = i, b = i + k;
  if (a && !bit_at(c->used, a - 1)) {
    a = (unsigned)(prev_used(c, a - 1) + 1);
    run_mark(c, a, i - a, 0, &lens);
  }
  if (b < NPAGES && !bit_at(c->used, b)) {
    unsigned e = next_used(c, b);
    run_mark(c, b, e - b, 0, &lens);
    b = e;
  }
  run_mark(c, a, b - a, 1, &lens);
  if (c->nused) {
    relink(c, lens);
  } else { /* empty: kept back, or to the region cache, whose hot spans keep its pages for any tier */
    atomic_store_explicit(&c->cached, 0, memory_order_relaxed); /* whatever changes it lost */
    run_mark(c, 0, chunk_pages(c), 0, &lens);
    relink(c, 0);
    all_unlink(c);
    empty = c;
  }
  hkm_unlock(&ar->lock);
  if (empty) keep_or_give_back(empty);
  return HKM_PAGES_LIVE;
}

/* The calling thread's oldest cached run back to its chunk; 0 when the cache is empty. */
static int free_oldest(void) {
  unsigned units;
  void *r = hkm_tcache_oldest(&freed_runs, &units);
  if (!r) return 0;
  struct hkm_span *s = hkm_pagemap_get(r);
  uncache(s, r, units);
  free_run(s, r);
  return 1;
}

/* The calling thread's whole cache back to the chunks; 1 when it held any run. */
static int give_back_cached(void) {
  int any = 0;
  while (free_oldest()) any = 1;
  return any;
}

/* The pages of chunk span s's blocks that threads' caches hold, counted from their marks under the
 * arena's lock (the marks are only ever changed by the thread caching or taking a run); c->cached is
 * set to it and *nused to the pages in blocks. */
static uint32_t recount_cached(struct hkm_span *s, uint32_t *nused) {
  struct hkm_arena *ar = lock_chunk(s);
  struct hkm_pages_chunk *c = s->chunk;
  uint32_t n = 0;
  for (unsigned i = next_bit(c->start, 0, 0); i < NPAGES; i = next_bit(c->start, i + 1, 0)) {
    uint8_t l = __atomic_load_n(&c->len[i], __ATOMIC_RELAXED);
    if (l & LEN_CACHED) n += l & ~LEN_CACHED;
  }
  atomic_store_explicit(&c->cached, n, memory_order_relaxed);
  *nused = c->nused;
  hkm_unlock(&ar->lock);
  return n;
}

/* Keep run p (k pages of chunk span s) in the calling thread's cache. Not when every page in use in
 * its chunk would then be in caches: the chunk could not go back while the threads holding them
 * idle, with the free pages beside them resident (2,000 runs of 20-64 KiB freed at random, then 300
 * ms idle: 21.4 MiB resident against 11.2 before the cache). Then p goes to its chunk, and so does
 * the rest of this thread's cache, which may be what holds the chunk. The counts are read without
 * the lock, and counted again under it before a count that says "all cached" is acted on: a wrong
 * guess costs a cache emptied early, or (a change lost, c->cached) a chunk held until its runs leave
 * the caches. */
static void keep(struct hkm_span *s, void *p, unsigned k) {
  struct hkm_pages_chunk *c = s->chunk;
  unsigned most = (unsigned)(hkm_cfg.pages_cache_bytes / HKM_PAGE);
  if (k > most) { /* longer than the whole cache */
    free_run(s, p);
    return;
  }
  uint32_t nused = __atomic_load_n(&c->nused, __ATOMIC_RELAXED);
  uint32_t held = atomic_load_explicit(&c->cached, memory_order_relaxed) + k;
  if (held >= nused) held = recount_cached(s, &nused) + k;
  if (held < nused) {
    cached_add(c, (int32_t)k);
    run_mark_cached(s, p, 1);
    while (!hkm_tcache_room(&freed_runs, k, most)) free_oldest();
    hkm_tcache_put(&freed_runs, p, k);
    return;
  }
  free_run(s, p);
  give_back_cached();
}

int hkm_pages_free(struct hkm_span *s, void *p) {
  HKM_TIME_START_SAMPLED(t);
  if (!s->chunk || s->kind != HKM_KIND_PAGES) return HKM_PAGES_INVALID;
  unsigned i;
  int what = HKM_PAGES_LIVE;
  if (block_page(s, p, &i) == HKM_PAGES_LIVE) { /* read without the lock: free_run reads it again under it */
    /* a run in a cache, this thread's or another's, is live by its chunk's bitmaps but marked cached */
    if (run_cached(s->chunk, i)) return HKM_PAGES_FREED;
    if (caching()) {
      keep(s, p, run_len(s->chunk, i));
    } else {
      what = free_run(s, p);
    }
  } else {
    what = free_run(s, p); /* says what p is, under the lock */
  }
  HKM_TIME_END_SAMPLED(PAGES_PUT, t);
  return what;
}

void hkm_pages_thread_exit(void) { give_back_cached(); }

int hkm_pages_usable(struct hkm_span *s, const void *p, size_t *n) {
  struct hkm_arena *ar = lock_chunk(s);
  if (!ar) return HKM_PAGES_INVALID;
  unsigned i;
  int what = block_page(s, p, &i);
  if (what == HKM_PAGES_LIVE && run_cached(s->chunk, i)) what = HKM_PAGES_FREED;
  if (what == HKM_PAGES_LIVE) *n = (size_t)run_len(s->chunk, i) * HKM_PAGE;
  hkm_unlock(&ar->lock);
  return what;
}

int hkm_pages_trim(void) {
  struct hkm_arena *all_arenas = atomic_load_explicit(&arenas, memory_order_acquire);
  int any = give_back_cached(); /* the caller's: others belong to running threads */
  for (unsigned x = 0; all_arenas && x < NARENAS; x++) {
    struct hkm_arena *a = &all_arenas[x];
    hkm_lock(&a->lock);
    for (struct hkm_pages_chunk *c = a->all; c; c = c->all_next)
      for (unsigned i = next_free(c, 0); i < NPAGES;) {
        unsigned j = next_used(c, i);
        any |= hkm_os_madvise((void *)(c->span->base + (uintptr_t)i * HKM_PAGE), (size_t)(j - i) * HKM_PAGE,
                              MADV_DONTNEED) == 0;
        i = next_free(c, j);
      }
    hkm_unlock(&a->lock);
  }
  hkm_lock(&pages_lock);
  struct hkm_pages_chunk *c = spare;
  spare = NULL;
  hkm_unlock(&pages_lock);
  if (c) {
    give_back(c);
    any = 1;
  }
  return any;
}

void hkm_pages_stats(struct hkm_pages_stats *out) {
  *out = (struct hkm_pages_stats){0, 0, 0, (size_t)freed_runs.units * HKM_PAGE};
  struct hkm_arena *all_arenas = atomic_load_explicit(&arenas, memory_order_acquire);
  for (unsigned x = 0; all_arenas && x < NARENAS; x++) {
    struct hkm_arena *a = &all_arenas[x];
    hkm_lock(&a->lock);
    for (const struct hkm_pages_chunk *c = a->all; c; c = c->all_next) {
      out->chunks++;
      out->bytes += c->span->bytes;
      out->used_bytes += (size_t)c->nused * HKM_PAGE;
    }
    hkm_unlock(&a->lock);
  }
  hkm_lock(&pages_lock);
  if (spare) {
    out->chunks++;
    out->bytes += spare->span->bytes;
  }
  hkm_unlock(&pages_lock);
}

/* pages_lock first: thread_arena takes it, then makes the arenas. */
void hkm_pages_fork_prepare(void) {
  hkm_lock(&pages_lock);
  struct hkm_arena *all_arenas = atomic_load_explicit(&arenas, memory_order_relaxed);
  for (unsigned x = 0; all_arenas && x < NARENAS; x++) hkm_lock(&all_arenas[x].lock);
}

void hkm_pages_fork_parent(void) {
  struct hkm_arena *all_arenas = atomic_load_explicit(&arenas, memory_order_relaxed);
  for (unsigned x = 0; all_arenas && x < NARENAS; x++) hkm_unlock(&all_arenas[x].lock);
  hkm_unlock(&pages_lock);
}

void hkm_pages_fork_child(void) {
  struct hkm_arena *all_arenas = atomic_load_explicit(&arenas, memory_order_relaxed);
  for (unsigned x = 0; all_arenas && x < NARENAS; x++) hkm_lock_reset(&all_arenas[x].lock);
  hkm_lock_reset(&pages_lock);
}
