/* The profiler core: per-thread counters, their merge into process figures, and the TSC.
 *
 * The profiler runs inside malloc, and malloc is hakmem itself, so recording never allocates and
 * never locks: each measurement lands in the calling thread's own block, which the thread finds
 * through initial-exec TLS. Blocks live in chunks of memory that a layer above may supply (the
 * collection files, so that the figures outlive the process); by default they are anonymous
 * mappings. One lock guards the handing out of blocks. It is taken when a thread records for the
 * first time, when it exits, and for reports, resets and fork, and nothing that could allocate runs
 * while it is held.
 *
 * A block's owner is its only writer, for as long as the thread exists (also while it tears down,
 * after its exit handler ran); a block is given to another thread only once the kernel says its
 * thread is gone. Reports read other threads' blocks while they run: a figure may miss the
 * measurement in flight. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "prof.h"

const char *const hkm_cat_name[HKM_CAT_COUNT] = {
#define HKM_CAT_NAME(id, name, parent, kind) name,
    HKM_CATEGORIES(HKM_CAT_NAME)
#undef HKM_CAT_NAME
};

const int hkm_cat_parent[HKM_CAT_COUNT] = {
#define HKM_CAT_PARENT(id, name, parent, kind) HKM_CAT_##parent,
    HKM_CATEGORIES(HKM_CAT_PARENT)
#undef HKM_CAT_PARENT
};

const unsigned char hkm_cat_kind[HKM_CAT_COUNT] = {
#define HKM_CAT_KIND(id, name, parent, kind) HKM_KIND_##kind,
    HKM_CATEGORIES(HKM_CAT_KIND)
#undef HKM_CAT_KIND
};

int hkm_prof_enabled;
const struct hkm_prof_hooks *hkm_prof_hooks;

/* Where a thread without a block counts: its thresholds are 0, so every call takes the slow path,
 * which gives the thread a block. Threads race on its counts; nobody reads them. */
static HKM_COLD_BSS struct hkm_prof_block nobody;

__thread struct hkm_prof_self hkm_prof_self __attribute__((tls_model("initial-exec"))) = {.blk = &nobody};

/* Which categories each slot counts for (-1: none). */
static signed char slot_cat[HKM_PROF_SLOTS][2];
/* The categories counted in slots, timed on a sample of their calls. The other SAMPLED ones run inside
 * calls (remote_free, page and L2.5 runs) and, with PMU hooks, are measured on every call. */
static unsigned char by_slot[HKM_CAT_COUNT];
static int slots_mapped;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static hkm_prof_chunk_fn chunk_source;
static HKM_COLD_BSS char *chunk[HKM_PROF_CHUNKS_MAX]; /* chunk[0]'s first block holds the others (HKM_BLK_OTHERS) */
static unsigned nchunks;
/* Blocks 0..nblocks-1 may have been handed out; the chunks' other blocks were never touched. Every scan
 * stops there: reading a block's state maps its page, and in a collection file (a shared file mapping)
 * the first read of a page maps the 16 around it, so the report's scan of all 64 blocks of a chunk
 * made the whole 476 KiB chunk resident in every profiled process (wl_falseshare: 119 pages). */
static unsigned nblocks;
static int chunks_anonymous; /* chunk[] came from mmap here, not from chunk_source */
static unsigned sample_every = 1;
static int requested; /* HAKMEM_TIMING */
static pthread_key_t exit_key;

/* The TSC is read against the clock once at init; a report reads both again, so the frequency is
 * measured over the whole run for free, with no wait. */
static uint64_t ref_tsc;
static struct timespec ref_ts;

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define BLOCK_BYTES ((sizeof(struct hkm_prof_block) + 63) & ~(size_t)63)
#define CHUNK_BYTES (BLOCK_BYTES * HKM_PROF_CHUNK_BLOCKS)

size_t hkm_prof_block_bytes(void) { return BLOCK_BYTES; }

static struct hkm_prof_block *block_at(unsigned i) {
  return (struct hkm_prof_block *)(chunk[i / HKM_PROF_CHUNK_BLOCKS] + (size_t)(i % HKM_PROF_CHUNK_BLOCKS) * BLOCK_BYTES);
}

/* Cycles from start_tsc to the end read now, less what the hooks took meanwhile (prof.h, hooked; 0
 * without hooks); a TSC read on another CPU may lag a little, hence the floor. */
HKM_INLINE uint64_t elapsed(uint64_t start_tsc, uint64_t now) {
  now -= hkm_prof_self.hooked;
  return now > start_tsc ? now - start_tsc : 0;
}

HKM_INLINE uint64_t since(uint64_t start_tsc) { return elapsed(start_tsc, hkm_tsc_stop()); }

/* A timed call of d cycles, e of which were nested exact measurements, inside which inner
 * measurements ended, in the census or not (the owner's update: only it writes, so
 * read-modify-write needs no atomic instruction). An interrupted timed call of a sampled category past
 * the census (prof_block.h, HKM_PROF_INTERRUPTED) is set aside: the sampled part's, untimed, its
 * nested cycles kept; 0 then, else 1. The census stays as it is, so a short run stays exact. */
HKM_INLINE int cat_timed(struct hkm_prof_cat *c, uint64_t d, uint64_t e, uint32_t inner, int census, int sampled) {
  int64_t r = d > e ? (int64_t)(d - e) : 0; /* signed: converts to double in one instruction */
  if (hkm_unlikely(sampled && !census && !inner && r > HKM_PROF_INTERRUPTED)) {
    STORE(c->intr, c->intr + 1);
    STORE(c->intr_cycles, c->intr_cycles + (uint64_t)r);
    STORE(c->nested, c->nested + e);
    return 0;
  }
  if (census) {
    STORE(c->census, c->census + 1);
    STORE(c->census_cycles, c->census_cycles + (uint64_t)r);
    STORE(c->census_nested, c->census_nested + e);
    STORE(c->census_inner, c->census_inner + inner);
  } else {
    STORE(c->timed, c->timed + 1);
    STORE(c->cycles, c->cycles + (uint64_t)r);
    STORE(c->nested, c->nested + e);
    STORE(c->inner, c->inner + inner);
    c->sq += (double)r * (double)r;
  }
  if (d - 1 < c->min - 1) STORE(c->min, d); /* min is 0 until the first: 0 - 1 is the largest */
  if (d > c->max) STORE(c->max, d);
  return 1;
}

/* Calls a slot counted; never negative: only the block nobody owns goes below 0. */
static uint64_t slot_count(const struct hkm_prof_slot *s) {
  int64_t left = LOAD(s->left);
  uint64_t end = LOAD(s->end);
  return left < 0 || (uint64_t)left > end ? 0 : end - (uint64_t)left;
}

static void block_merge(struct hkm_prof_block *into, const struct hkm_prof_block *b) {
  for (int i = 0; i < HKM_PROF_SLOTS; i++) into->slot[i].end += slot_count(&b->slot[i]);
  for (int c = 0; c < HKM_CAT_COUNT; c++) {
    hkm_prof_cat_add(&into->cat[c], &b->cat[c]);
    into->pmu[c].sampled += LOAD(b->pmu[c].sampled);
    into->pmu[c].census += LOAD(b->pmu[c].census);
    for (int e = 0; e < HKM_PMU_MAX; e++) {
      into->pmu[c].delta[e] += LOAD(b->pmu[c].delta[e]);
      into->pmu[c].exact[e] += LOAD(b->pmu[c].exact[e]);
    }
  }
  into->h.pmu_enabled += LOAD(b->h.pmu_enabled);
  into->h.pmu_running += LOAD(b->h.pmu_running);
}

static int has_data(const struct hkm_prof_block *b) {
  for (int c = 0; c < HKM_CAT_COUNT; c++)
    if (LOAD(b->cat[c].count) || LOAD(b->cat[c].timed) || LOAD(b->cat[c].census)) return 1;
  for (int i = 0; i < HKM_PROF_SLOTS; i++)
    if (slot_count(&b->slot[i])) return 1;
  return 0;
}

void hkm_prof_slot_map(unsigned slot, int cat, int step_cat) {
  if (!slots_mapped) {
    memset(slot_cat, -1, sizeof slot_cat);
    slots_mapped = 1;
  }
  if (slot >= HKM_PROF_SLOTS) return;
  slot_cat[slot][0] = (signed char)cat;
  slot_cat[slot][1] = (signed char)step_cat;
  by_slot[cat] = 1;
  if (step_cat >= 0) by_slot[step_cat] = 1;
}

void hkm_prof_slot_cats(unsigned slot, int *cat, int *step_cat) {
  *cat = *step_cat = HKM_CAT_NONE;
  if (!slots_mapped || slot >= HKM_PROF_SLOTS) return;
  *cat = slot_cat[slot][0];
  *step_cat = slot_cat[slot][1];
}

/* A block's categories with the calls its slots counted added to theirs. */
static void effective(struct hkm_prof_cat *out, const struct hkm_prof_block *b) {
  memcpy(out, b->cat, sizeof b->cat); /* a figure may miss the measurement in flight, never tear */
  if (!slots_mapped) return;
  for (int i = 0; i < HKM_PROF_SLOTS; i++) {
    uint64_t n = slot_count(&b->slot[i]);
    for (int k = 0; k < 2; k++)
      if (n && slot_cat[i][k] >= 0) out[slot_cat[i][k]].count += n;
  }
}

/* Sampling gaps: uniform over 1 .. 2N-1 calls (mean N), drawn per thread, so that a program doing
 * the same thing every N calls cannot hide from the sample or fill it. */
static uint64_t next_gap(struct hkm_prof_block *b) {
  if (sample_every <= 1) return 1;
  uint64_t x = b->h.rng;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  b->h.rng = x;
  return 1 + (((x >> 32) * (2 * (uint64_t)sample_every - 1)) >> 32); /* no division on this path */
}

static void block_start(struct hkm_prof_block *b, long tid) {
  memset(b, 0, sizeof *b);
  b->h.tid = (int32_t)tid;
  b->h.threads = 1;
  b->h.rng = (hkm_tsc() ^ ((uint64_t)tid << 32) ^ (uintptr_t)b) | 1;
  for (int i = 0; i < HKM_PROF_SLOTS; i++) b->slot[i].left = (int64_t)(b->slot[i].end = 1); /* the census */
  STORE(b->h.state, HKM_BLK_LIVE);
}

static int chunk_add(void) {
  if (nchunks == HKM_PROF_CHUNKS_MAX) return -1;
  void *m;
  if (chunk_source) {
    m = chunk_source(nchunks, CHUNK_BYTES);
  } else {
    /* the profiler's own bookkeeping, not hakmem's memory: not through os.c, not counted */
    m = mmap(NULL, CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) m = NULL;
    chunks_anonymous = 1;
  }
  if (!m) return -1;
  chunk[nchunks++] = m;
  if (nchunks == 1) {
    nblocks = 1;
    struct hkm_prof_block *o = block_at(0);
    o->h.state = HKM_BLK_OTHERS;
    o->h.tid = -1;
  }
  return 0;
}

/* Under the lock: a block nobody owns. An exited thread's block is taken back only once the kernel
 * no longer knows the thread (it may free memory after its exit handler ran); its figures move to
 * the others' block first. */
static struct hkm_prof_block *block_take(void) {
  if (!nchunks && chunk_add() != 0) return NULL;
  for (unsigned i = 1; i < nblocks; i++)
    if (LOAD(block_at(i)->h.state) == HKM_BLK_FREE) return block_at(i);
  /* none given back: the next never-used block, of a new chunk when these are all used */
  if (nblocks < nchunks * HKM_PROF_CHUNK_BLOCKS || chunk_add() == 0) return block_at(nblocks++);
  pid_t pid = getpid();
  for (unsigned i = 1; i < nblocks; i++) {
    struct hkm_prof_block *b = block_at(i);
    if (LOAD(b->h.state) != HKM_BLK_EXITED || syscall(SYS_tgkill, pid, b->h.tid, 0) == 0 || errno != ESRCH) continue;
    struct hkm_prof_block *o = block_at(0);
    block_merge(o, b);
    o->h.threads++;
    return b;
  }
  return NULL;
}

static void thread_exit(void *arg) {
  struct hkm_prof_block *b = arg;
  pthread_mutex_lock(&lock);
  if (LOAD(b->h.state) == HKM_BLK_LIVE || LOAD(b->h.state) == HKM_BLK_STALE) {
    if (LOAD(b->h.state) == HKM_BLK_STALE) block_start(b, b->h.tid);
    /* Whatever it frees from here on is still counted, never timed: the thread's last calls are
     * estimated from its earlier ones. */
    for (int i = 0; i < HKM_PROF_SLOTS; i++) { /* the count stays end - left */
      b->slot[i].end = b->slot[i].end - (uint64_t)b->slot[i].left + ((uint64_t)1 << 62);
      b->slot[i].left = (int64_t)1 << 62;
    }
    STORE(b->h.state, HKM_BLK_EXITED);
  }
  pthread_mutex_unlock(&lock);
}

/* The calling thread's block, taken now if it has none, zeroed if a reset marked it. */
static HKM_NOINLINE struct hkm_prof_block *attach(void) {
  struct hkm_prof_self *s = &hkm_prof_self;
  struct hkm_prof_block *b = s->blk;
  if (b != &nobody) {
    if (LOAD(b->h.state) != HKM_BLK_STALE) return b;
    pthread_mutex_lock(&lock);
    if (LOAD(b->h.state) == HKM_BLK_STALE) block_start(b, b->h.tid);
    pthread_mutex_unlock(&lock);
    return b;
  }
  pthread_mutex_lock(&lock);
  b = block_take();
  if (b) block_start(b, (long)gettid());
  pthread_mutex_unlock(&lock);
  if (!b) return &nobody; /* no memory for blocks: this thread is not counted */
  s->blk = b;
  /* After the unlock: glibc may calloc here (keys past the first 32), which re-enters hakmem and
   * records, now into this block. */
  if (pthread_setspecific(exit_key, b) != 0) thread_exit(b);
  return b;
}

HKM_INLINE struct hkm_prof_block *self_block(void) {
  struct hkm_prof_block *b = hkm_prof_self.blk;
  if (hkm_unlikely(b == &nobody || LOAD(b->h.state) == HKM_BLK_STALE)) b = attach();
  return b;
}

static void hook_end(int cat, uint64_t start) {
  if (hkm_unlikely(hkm_prof_hooks != 0)) hkm_prof_hooks->end(cat, start);
}

/* Each category's sampled ancestors (prof.h's parents), nearest first; -1 past the last. */
static signed char ancestors[HKM_CAT_COUNT][2];

static void find_ancestors(void) {
  for (int c = 0; c < HKM_CAT_COUNT; c++) {
    int n = 0;
    ancestors[c][0] = ancestors[c][1] = -1;
    for (int a = hkm_cat_parent[c]; a >= 0 && n < 2; a = hkm_cat_parent[a])
      if (hkm_cat_kind[a] == HKM_KIND_SAMPLED) ancestors[c][n++] = (signed char)a;
  }
}

/* An outermost exact measurement of cat, d cycles, outside every counted or timed call: inside a
 * lean one, its cycles are nested in its sampled ancestors (prof.h, "the sampled calls"). */
static void lean_nested(int cat, uint64_t d) {
  struct hkm_prof_block *b = hkm_prof_self.blk;
  if (b == &nobody) return;
  for (int k = 0; k < 2; k++)
    if (ancestors[cat][k] >= 0) b->cat[(int)ancestors[cat][k]].nested += d;
}

/* A SAMPLED category's measurement outside a timed call: counted, with the exact cycles e nested in it. */
static void count_only(int cat, uint64_t e) {
  struct hkm_prof_block *b = self_block();
  b->cat[cat].count++;
  b->cat[cat].nested += e;
}

/* The end of a measurement of cat begun at m, its clock read at end. */
static void end_at(int cat, struct hkm_prof_mark m, uint64_t end) {
  uint64_t d = elapsed(m.tsc, end);
  struct hkm_prof_self *s = &hkm_prof_self;
  uint64_t e = s->acc - m.acc;
  /* only one that ends right inside a timed call or step adds to its interval beyond its own figure:
   * deeper ones are inside this one's */
  if (--s->depth == 0) s->ends++;
  if (hkm_cat_kind[cat] == HKM_KIND_EXACT) {
    e = 0; /* an exact category's cycles are all its own: never scaled */
    if (ancestors[cat][0] >= 0) {
      s->acc = m.acc + d; /* these cycles replace those of the ones nested in this one */
      if (!s->mode && !s->depth) lean_nested(cat, d);
    }
  } else if (s->mode != HKM_PROF_TIMED) {
    count_only(cat, e);
    hook_end(cat, m.tsc);
    return;
  }
  struct hkm_prof_block *b = self_block();
  b->cat[cat].count++;
  cat_timed(&b->cat[cat], d, e, 0, s->mode == HKM_PROF_TIMED && s->census, 0);
  hook_end(cat, m.tsc);
}

void hkm_prof_end(int cat, struct hkm_prof_mark m) { end_at(cat, m, hkm_tsc_stop()); }

void hkm_prof_end_sampled(int cat, struct hkm_prof_mark m, uint64_t end) {
  if (m.tsc) { /* begun timed (hkm_prof_start_sampled) */
    end_at(cat, m, end);
    return;
  }
  struct hkm_prof_self *s = &hkm_prof_self;
  if (--s->depth == 0) s->ends++;
  count_only(cat, s->acc - m.acc);
}

void hkm_prof_add_nested(int cat, uint64_t cycles) {
  struct hkm_prof_cat *c = &hkm_prof_self.blk->cat[cat];
  c->nested += cycles;
}

void hkm_prof_call_prepare(unsigned slot) {
  struct hkm_prof_block *b = hkm_prof_self.blk;
  if (b == &nobody || LOAD(b->h.state) == HKM_BLK_STALE) {
    b = attach(); /* the call was counted where the thread counted before: count it here */
    b->slot[slot].left--;
  }
  int census = 0;
  if (b != &nobody) { /* the next gap; the count (end - left) stays */
    struct hkm_prof_slot *sl = &b->slot[slot];
    uint64_t n = sl->end - (uint64_t)sl->left; /* calls so far, this one included */
    census = n <= HKM_PROF_CENSUS;
    uint64_t g = n < HKM_PROF_CENSUS ? 1 : next_gap(b);
    sl->end += g;
    sl->left += (int64_t)g;
  }
  hkm_prof_self.census = census;
  hkm_prof_self.mode = HKM_PROF_TIMED;
  hkm_prof_self.call_ends = hkm_prof_self.ends;
}

struct hkm_prof_mark hkm_prof_call_begin(unsigned slot, int cat) {
  (void)cat;
  hkm_prof_call_prepare(slot);
  return hkm_prof_call_start();
}

/* The end of a timed call of cat begun at m, d cycles long; step_cat (or HKM_CAT_NONE) gets the same
 * figures when the call and its step were one interval. */
static uint64_t call_finish(int cat, int step_cat, struct hkm_prof_mark m, uint64_t d) {
  struct hkm_prof_self *s = &hkm_prof_self;
  struct hkm_prof_block *b = s->blk;
  uint64_t e = s->acc - m.acc;
  uint32_t inner = s->ends - s->call_ends;
  if (step_cat != HKM_CAT_NONE) cat_timed(&b->cat[step_cat], d, e, inner, s->census, 1);
  if (!cat_timed(&b->cat[cat], d, e, inner, s->census, 1)) d = 0;
  s->ends++;
  if (hkm_likely(hkm_prof_hooks == 0)) {
    s->mode = 0;
    return d;
  }
  struct hkm_pmu_tally before = b->pmu[cat], *after = &b->pmu[cat];
  hook_end(cat, m.tsc); /* still in the call's mode: its events go to the census or the sampled part */
  s->mode = 0;
  if (step_cat == HKM_CAT_NONE) return d;
  struct hkm_pmu_tally *step = &b->pmu[step_cat]; /* the step's events are the call's: the same interval */
  STORE(step->sampled, step->sampled + (after->sampled - before.sampled));
  STORE(step->census, step->census + (after->census - before.census));
  for (int i = 0; i < HKM_PMU_MAX; i++) {
    STORE(step->delta[i], step->delta[i] + (after->delta[i] - before.delta[i]));
    STORE(step->exact[i], step->exact[i] + (after->exact[i] - before.exact[i]));
  }
  return d;
}

uint64_t hkm_prof_call_done(int cat, int step_cat, struct hkm_prof_mark m, uint64_t end) {
  return call_finish(cat, step_cat, m, elapsed(m.tsc, end));
}

void hkm_prof_nest_done(int cat, struct hkm_prof_mark m, uint64_t end) {
  uint64_t d = elapsed(m.tsc, end);
  struct hkm_prof_self *s = &hkm_prof_self;
  cat_timed(&s->blk->cat[cat], d, s->acc - m.acc, s->ends - s->step_ends, s->census, 1);
  s->ends++;
  hook_end(cat, m.tsc);
}

uint64_t hkm_prof_call_end(int cat, struct hkm_prof_mark m) { return call_finish(cat, HKM_CAT_NONE, m, since(m.tsc)); }

int hkm_prof_add_events(int cat, const uint64_t delta[HKM_PMU_MAX], const uint64_t nested[HKM_PMU_MAX],
                        unsigned weight) {
  int full = !by_slot[cat], nests = full && ancestors[cat][0] >= 0; /* measured on every call */
  struct hkm_prof_block *b = hkm_prof_self.blk;
  if (b == &nobody) return nests;
  struct hkm_pmu_tally *t = &b->pmu[cat];
  if (full) {
    STORE(t->sampled, t->sampled + 1);
    for (int e = 0; e < HKM_PMU_MAX; e++) STORE(t->delta[e], t->delta[e] + delta[e]);
    /* Its events are its sampled ancestors', counted in full whether their call was measured or not
     * (those of the exact measurements nested in it were added at their end), as its cycles are. */
    for (int k = 0; k < 2 && ancestors[cat][k] >= 0; k++) {
      struct hkm_pmu_tally *a = &b->pmu[(int)ancestors[cat][k]];
      for (int e = 0; e < HKM_PMU_MAX; e++) STORE(a->exact[e], a->exact[e] + (delta[e] - nested[e]) * weight);
    }
    return nests;
  }
  /* A sampled category's own events (the nested ones were added above): a census call's in full,
   * the sampled part's to be scaled up. */
  int census = hkm_prof_self.mode == HKM_PROF_TIMED && hkm_prof_self.census;
  uint64_t *measured = census ? &t->census : &t->sampled;
  STORE(*measured, *measured + 1);
  for (int e = 0; e < HKM_PMU_MAX; e++) {
    uint64_t own = delta[e] - nested[e];
    if (census)
      STORE(t->exact[e], t->exact[e] + own * weight);
    else
      STORE(t->delta[e], t->delta[e] + own);
  }
  return 0;
}

void hkm_prof_event_times(uint64_t enabled, uint64_t running) {
  struct hkm_prof_block *b = hkm_prof_self.blk;
  if (b == &nobody) return;
  STORE(b->h.pmu_enabled, enabled);
  STORE(b->h.pmu_running, running);
}

/* Muting: what the thread's block held, put back when it unmutes, so that anything recorded in
 * between is undone. One copy for the process (helpers start rarely; a copy on the muting thread's
 * stack could overflow a small one), so muting threads take turns. */
static pthread_mutex_t mute_lock = PTHREAD_MUTEX_INITIALIZER;
static HKM_COLD_BSS struct {
  struct hkm_prof_slot slot[HKM_PROF_SLOTS];
  struct hkm_prof_cat cat[HKM_CAT_COUNT];
  struct hkm_pmu_tally pmu[HKM_CAT_COUNT];
} mute_copy;
static struct hkm_prof_block *mute_blk;
static uint64_t mute_acc;
static __thread int muting __attribute__((tls_model("initial-exec")));

void hkm_prof_mute(int on) {
  struct hkm_prof_self *s = &hkm_prof_self;
  if (on) {
    if (!hkm_prof_enabled || muting) return;
    muting = 1;
    pthread_mutex_lock(&mute_lock);
    mute_blk = s->blk;
    mute_acc = s->acc;
    memcpy(mute_copy.slot, mute_blk->slot, sizeof mute_copy.slot);
    memcpy(mute_copy.cat, mute_blk->cat, sizeof mute_copy.cat);
    memcpy(mute_copy.pmu, mute_blk->pmu, sizeof mute_copy.pmu);
    return;
  }
  if (!muting) return;
  muting = 0;
  struct hkm_prof_block *b = s->blk;
  s->acc = mute_acc;
  if (mute_blk == &nobody && b != &nobody) { /* the thread's first records were all muted ones */
    pthread_mutex_lock(&lock);
    block_start(b, b->h.tid);
    pthread_mutex_unlock(&lock);
  } else if (b == mute_blk && b != &nobody) {
    memcpy(b->slot, mute_copy.slot, sizeof mute_copy.slot);
    memcpy(b->cat, mute_copy.cat, sizeof mute_copy.cat);
    memcpy(b->pmu, mute_copy.pmu, sizeof mute_copy.pmu);
  }
  pthread_mutex_unlock(&mute_lock);
}

/* Reports and resets wait for a mute window another thread has open (the release helper loading
 * liburing takes a few ms), so that they never read or clear what the window is about to undo: a
 * report taken inside it counted the loader's allocations as the helper thread's
 * (test_prof_tier_counts failed 3 runs in 30; perf/bench/RESULTS.md, "A report inside a mute window").
 * Bounded, since at exit the window's thread may be waiting for a lock the exiting thread holds.
 * Returns whether the caller now holds mute_lock. */
static int mute_quiesce(void) {
  if (muting) return 0; /* the caller's own window: it holds the lock */
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_nsec += 100 * 1000 * 1000;
  if (t.tv_nsec >= 1000 * 1000 * 1000) {
    t.tv_sec++;
    t.tv_nsec -= 1000 * 1000 * 1000;
  }
  return pthread_mutex_timedlock(&mute_lock, &t) == 0;
}

void hkm_prof_reset(void) {
  int quiet = mute_quiesce();
  pthread_mutex_lock(&lock);
  for (unsigned i = 0; i < nblocks; i++) {
    struct hkm_prof_block *b = block_at(i);
    uint32_t st = LOAD(b->h.state);
    if (i == 0) {
      memset(b, 0, sizeof *b);
      b->h.state = HKM_BLK_OTHERS;
      b->h.tid = -1;
    } else if (st == HKM_BLK_EXITED) {
      /* cannot be zeroed (its thread may still count into it) nor taken back yet */
      STORE(b->h.state, HKM_BLK_STALE);
    } else if (st == HKM_BLK_LIVE) {
      STORE(b->h.state, HKM_BLK_STALE);
    }
  }
  pthread_mutex_unlock(&lock);
  struct hkm_prof_block *b = hkm_prof_self.blk;
  if (b != &nobody) { /* the caller is the owner of its own block: zero it now */
    pthread_mutex_lock(&lock);
    block_start(b, b->h.tid);
    pthread_mutex_unlock(&lock);
  }
  if (quiet) pthread_mutex_unlock(&mute_lock);
}

/* The lock is held across fork so that the child never inherits it mid-update. */
static void fork_prepare(void) { pthread_mutex_lock(&lock); }
static void fork_parent(void) { pthread_mutex_unlock(&lock); }

/* The child reports only its own work, in blocks of its own: the parent's blocks may be shared
 * memory (a collection file) that the parent goes on writing. The forking thread takes a block
 * again at its next record (from the chunk source, which makes the child a file of its own), so a
 * child that only execs has nothing to write. */
static void fork_child(void) {
  pthread_mutex_init(&lock, NULL);
  /* The release helper holds it while it loads liburing (reclaim.c); the forking thread never does. */
  pthread_mutex_init(&mute_lock, NULL);
  if (chunks_anonymous)
    for (unsigned i = 0; i < nchunks; i++) munmap(chunk[i], CHUNK_BYTES);
  memset(chunk, 0, sizeof chunk);
  nchunks = 0;
  nblocks = 0;
  hkm_prof_self.blk = &nobody;
  hkm_prof_self.mode = 0;
  hkm_prof_self.depth = 0;
  pthread_setspecific(exit_key, NULL); /* the parent's block: not the child's to mark */
}

static void clock_pair(uint64_t *tsc, struct timespec *ts) {
  uint64_t a = hkm_tsc();
  clock_gettime(CLOCK_MONOTONIC_RAW, ts);
  uint64_t b = hkm_tsc();
  *tsc = a + (b - a) / 2;
}

void hkm_prof_init(int timing, unsigned every) {
  sample_every = every ? every : 1;
  requested = timing && HKM_ENABLE_TIMING;
  /* Not profiling, a process never needs the reference unless it asks for a report (hkm_prof_tsc_hz
   * then takes it): libc's clock_gettime lies in a page of libc's text that a program which never reads
   * the clock would map, with its 64 KiB of fault-around, for this one call (20 KiB on average over
   * libc's load addresses; perf/bench/RESULTS.md, "The fixed per-process footprint"). */
  if (!requested) return;
  clock_pair(&ref_tsc, &ref_ts);
  find_ancestors();
  pthread_key_create(&exit_key, thread_exit);
  pthread_atfork(fork_prepare, fork_parent, fork_child);
}


void hkm_prof_arm(void) { hkm_prof_enabled = requested; }

unsigned hkm_prof_sample_every(void) { return sample_every; }

void hkm_prof_set_hooks(const struct hkm_prof_hooks *h) { hkm_prof_hooks = h; }

void hkm_prof_set_chunk_source(hkm_prof_chunk_fn fn) { chunk_source = fn; }

void hkm_prof_clock_ref(uint64_t *tsc, uint64_t *ns) {
  *tsc = ref_tsc;
  *ns = (uint64_t)ref_ts.tv_sec * 1000000000u + (uint64_t)ref_ts.tv_nsec;
}

/* Ticks per second over the time since init. Even a process that lives 100 us gets it to a few
 * parts in 10^4: the clock reads in ns, and the TSC and the clock are read together to ~30 ns. Not
 * profiling, over the time since the first report (0 at that one). */
uint64_t hkm_prof_tsc_hz(void) {
  if (!ref_ts.tv_sec && !ref_ts.tv_nsec) clock_pair(&ref_tsc, &ref_ts); /* before init, or not profiling */
  uint64_t t;
  struct timespec ts;
  clock_pair(&t, &ts);
  int64_t ns = (int64_t)(ts.tv_sec - ref_ts.tv_sec) * 1000000000 + (ts.tv_nsec - ref_ts.tv_nsec);
  if (ns <= 0 || t <= ref_tsc) return 0;
  return (uint64_t)((double)(t - ref_tsc) * 1e9 / (double)ns + 0.5);
}

/* A timed measurement's work on a scratch counter, for calibration: the same reads and update. Its
 * cycles. */
static HKM_NOINLINE uint64_t calib_record(struct hkm_prof_cat *c, struct hkm_prof_mark m) {
  uint64_t d = since(m.tsc);
  c->count++;
  cat_timed(c, d, hkm_prof_self.acc - m.acc, 0, 0, 0);
  return d;
}

/* The end of a step, as hkm_prof_nest_done does it, on a scratch counter. */
static HKM_NOINLINE void calib_step(struct hkm_prof_cat *c, struct hkm_prof_mark m, uint64_t end) {
  cat_timed(c, elapsed(m.tsc, end), hkm_prof_self.acc - m.acc, 0, 0, 0);
}

/* An empty measurement holding an empty step, as a timed call holds its tier's step or a refill (whose
 * start waits: prof.h, hkm_prof_start): its cycles. */
static HKM_NOINLINE uint64_t calib_nested(struct hkm_prof_cat *step) {
  struct hkm_prof_mark m = hkm_prof_clock();
  hkm_prof_fence();
  struct hkm_prof_mark n = hkm_prof_clock();
  calib_step(step, n, hkm_tsc_stop());
  return since(m.tsc);
}

#define CALIB_ROUNDS 5
#define CALIB_N 200

/* The mean of the samples up to twice the smallest (and 64 cycles): what interrupts and migration add
 * (thousands of cycles) is left out, the TSC's steps are not. */
static double calib_mean(const uint16_t *d, unsigned n, uint64_t min) {
  uint64_t cut = 2 * min + 64, sum = 0, k = 0;
  for (unsigned i = 0; i < n; i++)
    if (d[i] <= cut) sum += d[i], k++;
  return k ? (double)sum / (double)k : (double)min;
}

/* bias: the smallest interval an empty START/END pair records, so every real measurement carries at
 * least that much of the timer itself. cost: what a START/END pair costs the program (both reads,
 * the call, the update). nest: how much more an empty measurement holding an empty step records than
 * an empty one, i.e. what a measurement ending inside another adds to it beyond its own figure.
 * bias and cost are minimums over a few rounds, since interrupts and migration only ever add. nest is
 * a difference of means: where the TSC moves in steps (24.5 cycles here) an interval reads one of a
 * few multiples of the step, and the smallest one a nested measurement reached in 1,000 tries was the
 * lower of two in some processes and the higher in others (98 or 122 cycles: 13 and 17 of 30); the
 * difference of the means stays within 119-129 (perf/bench/RESULTS.md, issue 12). (HAKMEM_PMU's event reads,
 * done in the hooks, are not in it.) */
static void calibrate(uint64_t *bias, uint64_t *cost, uint64_t *nest) {
  static uint64_t cached_bias, cached_cost, cached_nest;
  if (LOAD(cached_cost)) {
    *bias = LOAD(cached_bias);
    *cost = LOAD(cached_cost);
    *nest = LOAD(cached_nest);
    return;
  }
  uint16_t empty[CALIB_ROUNDS * CALIB_N], two[CALIB_ROUNDS * CALIB_N];
  uint64_t b = UINT64_MAX, c = UINT64_MAX, tmin = UINT64_MAX;
  unsigned n = 0;
  for (int round = 0; round < CALIB_ROUNDS; round++) {
    struct hkm_prof_cat s;
    memset(&s, 0, sizeof s);
    uint64_t t0 = hkm_tsc();
    for (int i = 0; i < CALIB_N; i++) {
      uint64_t d = calib_record(&s, hkm_prof_clock());
      empty[n + i] = (uint16_t)(d < UINT16_MAX ? d : UINT16_MAX);
    }
    uint64_t per = (hkm_tsc() - t0) / CALIB_N;
    if (s.min < b) b = s.min;
    if (per < c) c = per;
    for (int i = 0; i < CALIB_N; i++) {
      uint64_t d = calib_nested(&s);
      two[n + i] = (uint16_t)(d < UINT16_MAX ? d : UINT16_MAX);
      if (d < tmin) tmin = d;
    }
    n += CALIB_N;
  }
  if (!c) c = 1;
  double mn = calib_mean(two, n, tmin) - calib_mean(empty, n, b);
  uint64_t nst = mn > 0 ? (uint64_t)(mn + 0.5) : 0;
  STORE(cached_bias, b);
  STORE(cached_nest, nst);
  STORE(cached_cost, c);
  *bias = b;
  *cost = c;
  *nest = nst;
}

uint64_t hkm_prof_bias(void) {
  uint64_t bias, cost, nest;
  calibrate(&bias, &cost, &nest);
  return bias;
}

uint64_t hkm_prof_nest_cost(void) {
  uint64_t bias, cost, nest;
  calibrate(&bias, &cost, &nest);
  return nest;
}

/* One group of raw sums (a thread, or the threads beyond the kept ones) as report figures. */
static void estimate(struct hkm_prof_stat *out, const struct hkm_prof_block *raw, const struct hkm_prof_cat *pool,
                     uint64_t bias, uint64_t nest) {
  struct hkm_prof_cat eff[HKM_CAT_COUNT];
  double tot[HKM_CAT_COUNT], var[HKM_CAT_COUNT];
  effective(eff, raw);
  for (int c = 0; c < HKM_CAT_COUNT; c++) tot[c] = hkm_prof_estimate(&eff[c], &pool[c], (double)bias, (double)nest, &var[c]);
  hkm_prof_inclusive(tot, hkm_cat_parent, HKM_CAT_COUNT);
  for (int c = 0; c < HKM_CAT_COUNT; c++) {
    const struct hkm_prof_cat *r = &eff[c];
    out[c].count = r->count;
    out[c].timed = r->timed + r->census;
    out[c].total = (uint64_t)(tot[c] + 0.5);
    out[c].var = var[c];
    out[c].min = out[c].timed ? hkm_prof_extreme(r, r->min, bias, nest) : 0;
    out[c].max = out[c].timed ? hkm_prof_extreme(r, r->max, bias, nest) : 0;
    out[c].intr = r->intr;
    out[c].intr_cycles = r->intr_cycles;
  }
}

static void add_stat(struct hkm_prof_stat *to, const struct hkm_prof_stat *from) {
  if (from->timed && (!to->timed || from->min < to->min)) to->min = from->min;
  if (from->max > to->max) to->max = from->max;
  to->count += from->count;
  to->timed += from->timed;
  to->total += from->total;
  to->intr += from->intr;
  to->intr_cycles += from->intr_cycles;
  if (to->var >= 0) to->var = from->var < 0 ? -1 : to->var + from->var;
}

/* Two passes under the lock: the pool (every block, for the groups that have no timed call of a
 * category), then each group's estimate: the first threads one by one, the rest added together.
 * The totals are the sum of the groups' estimates, so the per-thread figures add up to them exactly
 * even while threads go on recording. */
void hkm_prof_snapshot_threads(struct hkm_prof_snapshot *snap, struct hkm_prof_thread *threads, unsigned *nthreads) {
  static HKM_COLD_BSS struct hkm_prof_block others, pool; /* a few KiB each: not on a caller's stack */
  static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
  struct hkm_prof_thread one;
  unsigned listed = 0, nthr = 0;
  int others_exited = 1;
  uint64_t bias, cost, nest;
  calibrate(&bias, &cost, &nest);
  struct hkm_prof_cat pool_eff[HKM_CAT_COUNT];
  memset(snap, 0, sizeof *snap);

  int quiet = mute_quiesce();
  pthread_mutex_lock(&snap_lock);
  memset(&others, 0, sizeof others);
  memset(&pool, 0, sizeof pool);
  pthread_mutex_lock(&lock);
  for (unsigned i = 0; i < nblocks; i++) {
    const struct hkm_prof_block *b = block_at(i);
    uint32_t st = LOAD(b->h.state);
    if (st != HKM_BLK_FREE && st != HKM_BLK_STALE) block_merge(&pool, b);
  }
  effective(pool_eff, &pool);
  for (unsigned i = 0; i < nblocks; i++) {
    const struct hkm_prof_block *b = block_at(i);
    uint32_t st = LOAD(b->h.state);
    if (st == HKM_BLK_FREE || st == HKM_BLK_STALE || !has_data(b)) continue;
    nthr += LOAD(b->h.threads);
    if (st == HKM_BLK_OTHERS || listed == HKM_PROF_THREADS_KEPT || !threads) {
      block_merge(&others, b);
      others.h.threads += LOAD(b->h.threads);
      if (st == HKM_BLK_LIVE) others_exited = 0;
      continue;
    }
    struct hkm_prof_thread *t = &threads[listed++];
    estimate(t->stat, b, pool_eff, bias, nest);
    t->tid = b->h.tid;
    t->exited = st == HKM_BLK_EXITED;
    t->threads = 1;
    for (int c = 0; c < HKM_CAT_COUNT; c++) add_stat(&snap->stat[c], &t->stat[c]);
  }
  pthread_mutex_unlock(&lock);
  if (has_data(&others)) {
    struct hkm_prof_thread *t = threads ? &threads[listed++] : &one;
    estimate(t->stat, &others, pool_eff, bias, nest);
    t->tid = -1;
    t->exited = others_exited;
    t->threads = others.h.threads;
    for (int c = 0; c < HKM_CAT_COUNT; c++) add_stat(&snap->stat[c], &t->stat[c]);
  }
  for (int c = 0; c < HKM_CAT_COUNT; c++) {
    const struct hkm_pmu_tally *t = &pool.pmu[c];
    int scaled = 0;
    for (int e = 0; e < HKM_PMU_MAX; e++)
      snap->events[c][e] =
          (uint64_t)(hkm_prof_events_estimate(&pool_eff[c], t, by_slot[c], e, &scaled) + 0.5);
    snap->events_measured[c] = t->sampled + t->census;
    snap->events_scaled[c] = (unsigned char)scaled;
  }
  snap->pmu_enabled = pool.h.pmu_enabled;
  snap->pmu_running = pool.h.pmu_running;
  pthread_mutex_unlock(&snap_lock);
  if (quiet) pthread_mutex_unlock(&mute_lock);

  snap->compiled = HKM_ENABLE_TIMING;
  snap->enabled = hkm_prof_enabled;
  snap->sample_every = sample_every;
  snap->threads = nthr;
  snap->tsc_hz = hkm_prof_tsc_hz();
  snap->overhead = bias;
  snap->cost = cost;
  snap->nest = nest;
  if (nthreads) *nthreads = listed;
}

void hkm_prof_snapshot(struct hkm_prof_snapshot *snap) { hkm_prof_snapshot_threads(snap, NULL, NULL); }
