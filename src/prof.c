/* The profiler core: per-thread counters, their merge into process totals, and the TSC.
 *
 * The profiler runs inside malloc, and malloc is hakmem itself, so recording never allocates and
 * never locks: each measurement lands in the calling thread's own block, kept in initial-exec TLS.
 * One lock guards the list of live blocks and the totals of exited threads. It is taken when a thread
 * records for the first time, when it exits, and for reports, resets and fork, and nothing that could
 * allocate runs while it is held.
 *
 * A block's owner is its only writer. Reports read other threads' blocks while they run, with relaxed
 * atomic loads (plain moves on x86-64): a figure may miss the measurement in flight, never tear. */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hakmem.h"
#include "induced.h"
#include "options.h"
#include "prof.h"
#include "prof_sites.h"

const char *const hkm_cat_name[HKM_CAT_COUNT] = {
#define HKM_CAT_NAME(id, name, parent) name,
    HKM_CATEGORIES(HKM_CAT_NAME)
#undef HKM_CAT_NAME
};

const int hkm_cat_parent[HKM_CAT_COUNT] = {
#define HKM_CAT_PARENT(id, name, parent) HKM_CAT_##parent,
    HKM_CATEGORIES(HKM_CAT_PARENT)
#undef HKM_CAT_PARENT
};

int hkm_prof_enabled;

/* A block's life. TLS starts zeroed, so every thread starts NEW without any setup.
 *   NEW    never recorded; not on the list
 *   LIVE   on the list, counting
 *   STALE  on the list; a reset happened and the owner zeroes its counters at its next record
 *   DEAD   the thread's key destructor merged and unlinked it; destructors that run after ours
 *          (other keys, libc's own thread cleanup) may still free memory, and those measurements
 *          go straight to the totals, under the lock */
enum { BLK_NEW, BLK_LIVE, BLK_STALE, BLK_DEAD };

struct block {
  struct hkm_prof_stat stat[HKM_CAT_COUNT];
  struct hkm_pmu_tally pmu;
  int state;
  long tid; /* set when the block is linked */
  struct block *prev, *next;
};

/* Exited threads, kept one by one for per-thread reports: the first HKM_PROF_THREADS_KEPT to exit,
 * then the rest added together in exited_other (with what threads free after their destructor ran),
 * so that per-thread figures always add up to the totals while the memory stays fixed. */
struct exited {
  long tid;
  struct hkm_prof_stat stat[HKM_CAT_COUNT];
};

static HKM_TLS struct block self;
static HKM_TLS int muted; /* hkm_prof_mute */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct block *live;                          /* LIVE and STALE blocks */
static struct hkm_prof_stat merged[HKM_CAT_COUNT]; /* exited threads, since start/fork/reset */
static struct hkm_pmu_tally merged_pmu;
static unsigned merged_threads;
static struct exited exited[HKM_PROF_THREADS_KEPT];
static unsigned exited_n;
static struct hkm_prof_stat exited_other[HKM_CAT_COUNT];
static unsigned exited_other_threads;
static pthread_key_t exit_key;

/* The TSC is read against the clock once at init; a report reads both again, so the frequency is
 * measured over the whole run for free instead of spinning at init. */
static uint64_t ref_tsc;
static struct timespec ref_ts;

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* rdtscp waits for the measured code to finish before it reads the counter; plain rdtsc could be
 * hoisted above the code's last loads and under-count it. */
HKM_INLINE uint64_t tsc_end(void) {
  uint32_t lo, hi, aux;
  __asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
  return ((uint64_t)hi << 32) | lo;
}

/* Cycles from start_tsc to now; a TSC read on another CPU may lag a little, hence the floor. */
HKM_INLINE uint64_t since(uint64_t start_tsc) {
  uint64_t now = tsc_end();
  return now > start_tsc ? now - start_tsc : 0;
}

/* The owner's update: only it writes, so read-modify-write needs no atomic instruction. */
HKM_INLINE void stat_add(struct hkm_prof_stat *s, uint64_t d) {
  uint64_t n = s->count;
  STORE(s->count, n + 1);
  STORE(s->total, s->total + d);
  if (n == 0 || d < s->min) STORE(s->min, d);
  if (d > s->max) STORE(s->max, d);
}

static void stat_merge(struct hkm_prof_stat *into, const struct hkm_prof_stat *s) {
  uint64_t n = LOAD(s->count);
  if (!n) return;
  uint64_t mn = LOAD(s->min), mx = LOAD(s->max);
  if (!into->count || mn < into->min) into->min = mn;
  if (mx > into->max) into->max = mx;
  into->count += n;
  into->total += LOAD(s->total);
}

static void pmu_merge(struct hkm_pmu_tally *into, const struct hkm_pmu_tally *t) {
  for (int c = 0; c < HKM_CAT_COUNT; c++) {
    into->sampled[c] += LOAD(t->sampled[c]);
    for (int e = 0; e < HKM_PMU_MAX; e++) into->delta[c][e] += LOAD(t->delta[c][e]);
  }
  into->enabled += LOAD(t->enabled);
  into->running += LOAD(t->running);
}

static int has_data(const struct block *b) {
  for (int c = 0; c < HKM_CAT_COUNT; c++)
    if (LOAD(b->stat[c].count)) return 1;
  return 0;
}

static void zero_block(struct block *b) {
  for (int c = 0; c < HKM_CAT_COUNT; c++) {
    STORE(b->stat[c].count, 0);
    STORE(b->stat[c].total, 0);
    STORE(b->stat[c].min, 0);
    STORE(b->stat[c].max, 0);
    STORE(b->pmu.sampled[c], 0);
    for (int e = 0; e < HKM_PMU_MAX; e++) STORE(b->pmu.delta[c][e], 0);
  }
  STORE(b->pmu.enabled, 0);
  STORE(b->pmu.running, 0);
}

static void link_block(struct block *b) {
  b->prev = NULL;
  b->next = live;
  if (live) live->prev = b;
  live = b;
}

static void unlink_block(struct block *b) {
  if (b->prev)
    b->prev->next = b->next;
  else
    live = b->next;
  if (b->next) b->next->prev = b->prev;
  b->prev = b->next = NULL;
}

/* Under the lock: a LIVE block's figures move to the exited threads' totals and per-thread records. */
static void retire(struct block *b) {
  for (int c = 0; c < HKM_CAT_COUNT; c++) stat_merge(&merged[c], &b->stat[c]);
  pmu_merge(&merged_pmu, &b->pmu);
  merged_threads++;
  if (exited_n < HKM_PROF_THREADS_KEPT) {
    struct exited *e = &exited[exited_n++];
    e->tid = b->tid;
    memset(e->stat, 0, sizeof e->stat);
    for (int c = 0; c < HKM_CAT_COUNT; c++) stat_merge(&e->stat[c], &b->stat[c]);
  } else {
    for (int c = 0; c < HKM_CAT_COUNT; c++) stat_merge(&exited_other[c], &b->stat[c]);
    exited_other_threads++;
  }
}

/* A thread's first measurement, the first after a reset, and those after its exit. */
static HKM_NOINLINE void record_slow(int cat, uint64_t d) {
  struct hkm_prof_stat one = {1, d, d, d};
  pthread_mutex_lock(&lock);
  int st = LOAD(self.state);
  if (st == BLK_DEAD) {
    stat_merge(&merged[cat], &one);
    stat_merge(&exited_other[cat], &one);
    pthread_mutex_unlock(&lock);
    return;
  }
  if (st == BLK_STALE) zero_block(&self);
  if (st == BLK_NEW) {
    self.tid = (long)gettid();
    link_block(&self);
  }
  STORE(self.state, BLK_LIVE);
  stat_add(&self.stat[cat], d);
  pthread_mutex_unlock(&lock);
  /* After the unlock: glibc may calloc here (keys past the first 32), which re-enters hakmem and
   * records, now into a LIVE block. */
  if (st == BLK_NEW && pthread_setspecific(exit_key, &self) != 0) {
    /* No destructor would unlink the block before the thread's TLS goes away: count it as exited
     * now, and let every later measurement take the locked path. */
    pthread_mutex_lock(&lock);
    if (LOAD(self.state) == BLK_LIVE) retire(&self);
    unlink_block(&self);
    STORE(self.state, BLK_DEAD);
    pthread_mutex_unlock(&lock);
  }
}

/* A measurement's event deltas, after its cycles made the block LIVE (or DEAD). */
static HKM_NOINLINE void record_pmu(int cat, unsigned level) {
  uint64_t d[HKM_PMU_MAX];
  if (!hkm_pmu_end(level, d)) return;
  struct hkm_pmu_tally *t = &self.pmu;
  int dead = LOAD(self.state) == BLK_DEAD;
  if (dead) {
    pthread_mutex_lock(&lock);
    t = &merged_pmu;
  }
  STORE(t->sampled[cat], t->sampled[cat] + 1);
  for (int e = 0; e < HKM_PMU_MAX; e++) STORE(t->delta[cat][e], t->delta[cat][e] + d[e]);
  if (dead) pthread_mutex_unlock(&lock);
}

/* The group's enabled/running times, for the report's multiplexing figure. */
void hkm_prof_pmu_times(uint64_t enabled, uint64_t running) {
  if (LOAD(self.state) != BLK_LIVE) return;
  STORE(self.pmu.enabled, enabled);
  STORE(self.pmu.running, running);
}

void hkm_prof_mute(int on) { muted = on; }

HKM_INLINE void record(int cat, uint64_t d, uint64_t start_tsc) {
  if (hkm_unlikely((unsigned)cat >= HKM_CAT_COUNT)) return;
  if (hkm_unlikely(muted)) {
    uint64_t ignored[HKM_PMU_MAX];
    /* the PMU snapshot this start pushed must still be popped */
    if (hkm_unlikely(hkm_pmu_on) && (start_tsc & HKM_PMU_LEVEL_MASK)) hkm_pmu_end(start_tsc & HKM_PMU_LEVEL_MASK, ignored);
    return;
  }
  if (hkm_unlikely(LOAD(self.state) != BLK_LIVE))
    record_slow(cat, d);
  else
    stat_add(&self.stat[cat], d);
  /* The level bits of a start taken with the PMU on; the PMU never changes once measuring starts. */
  if (hkm_unlikely(hkm_pmu_on) && (start_tsc & HKM_PMU_LEVEL_MASK)) record_pmu(cat, start_tsc & HKM_PMU_LEVEL_MASK);
}

void hkm_prof_record(int cat, uint64_t start_tsc) { record(cat, since(start_tsc), start_tsc); }

/* The site is added after the category, outside the measured interval. */
void hkm_prof_record_site(int cat, uint64_t start_tsc, const void *site) {
  uint64_t d = since(start_tsc);
  record(cat, d, start_tsc);
  if (!muted) hkm_prof_site_add(site, d);
}

static void thread_exit(void *arg) {
  struct block *b = arg;
  pthread_mutex_lock(&lock);
  if (LOAD(b->state) == BLK_LIVE && has_data(b)) retire(b);
  if (LOAD(b->state) != BLK_DEAD) unlink_block(b);
  STORE(b->state, BLK_DEAD);
  pthread_mutex_unlock(&lock);
}

static void forget_exited(void) {
  memset(merged, 0, sizeof merged);
  memset(&merged_pmu, 0, sizeof merged_pmu);
  merged_threads = 0;
  exited_n = 0;
  memset(exited_other, 0, sizeof exited_other);
  exited_other_threads = 0;
}

/* Other threads' blocks can be marked but not zeroed: their owners may be adding to them right now. */
HKM_API void hak_prof_reset(void) {
  hkm_induced_reset();
  pthread_mutex_lock(&lock);
  forget_exited();
  for (struct block *b = live; b; b = b->next) STORE(b->state, BLK_STALE);
  pthread_mutex_unlock(&lock);
  hkm_prof_sites_reset();
}

/* The lock is held across fork so that the child never inherits it mid-update. */
static void fork_prepare(void) { pthread_mutex_lock(&lock); }
static void fork_parent(void) { pthread_mutex_unlock(&lock); }

/* The child reports only its own work: the parent's counts and its other threads are gone. */
static void fork_child(void) {
  pthread_mutex_init(&lock, NULL);
  forget_exited();
  hkm_prof_sites_reset();
  live = NULL;
  int st = LOAD(self.state);
  if (st == BLK_LIVE || st == BLK_STALE) {
    zero_block(&self);
    self.tid = (long)gettid();
    link_block(&self);
    STORE(self.state, BLK_LIVE);
  }
}

static void clock_pair(uint64_t *tsc, struct timespec *ts) {
  uint64_t a = hkm_tsc();
  clock_gettime(CLOCK_MONOTONIC_RAW, ts);
  uint64_t b = hkm_tsc();
  *tsc = a + (b - a) / 2;
}

void hkm_prof_init(void) {
  clock_pair(&ref_tsc, &ref_ts);
  pthread_key_create(&exit_key, thread_exit);
  pthread_atfork(fork_prepare, fork_parent, fork_child);
  if (hkm_cfg.timing && !HKM_ENABLE_TIMING && !hkm_cfg.timing_quiet)
    hkm_warn("HAKMEM_TIMING=1 ignored: this hakmem was built with --disable-timing");
}

void hkm_prof_arm(void) { hkm_prof_enabled = hkm_cfg.timing && HKM_ENABLE_TIMING; }

static int64_t ns_between(const struct timespec *a, const struct timespec *b) {
  return (int64_t)(b->tv_sec - a->tv_sec) * 1000000000 + (b->tv_nsec - a->tv_nsec);
}

/* Cycles per second over the time since init, waiting until that is at least 10 ms so that the
 * clock's granularity and the two reads' own cost stay far below 0.1%. */
static uint64_t tsc_hz(void) {
  if (!ref_ts.tv_sec && !ref_ts.tv_nsec) clock_pair(&ref_tsc, &ref_ts); /* before init */
  uint64_t t;
  struct timespec ts;
  int64_t ns;
  for (;;) {
    clock_pair(&t, &ts);
    ns = ns_between(&ref_ts, &ts);
    if (ns >= 10000000) break;
    struct timespec nap = {0, 10000000 - ns};
    nanosleep(&nap, NULL);
  }
  return (uint64_t)((double)(t - ref_tsc) * 1e9 / (double)ns + 0.5);
}

/* hkm_prof_record's work on a scratch counter, for calibration: the same reads, checks and update. */
static HKM_NOINLINE void calib_record(struct hkm_prof_stat *s, int cat, uint64_t start_tsc) {
  uint64_t d = since(start_tsc);
  if (hkm_unlikely((unsigned)cat >= HKM_CAT_COUNT)) return;
  if (hkm_unlikely(LOAD(self.state) == -1)) return;
  stat_add(s, d);
}

/* bias: the smallest interval an empty START/END pair records, so every real measurement carries at
 * least that much of the timer itself. cost: what a START/END pair costs the program (both reads,
 * the call, the update), of which a parent category sees all for each measurement nested in it. The
 * minimum over a few rounds, since interrupts and migration only ever add. */
static void calibrate(uint64_t *bias, uint64_t *cost) {
  static uint64_t cached_bias, cached_cost;
  if (LOAD(cached_cost)) {
    *bias = LOAD(cached_bias);
    *cost = LOAD(cached_cost);
    return;
  }
  uint64_t b = UINT64_MAX, c = UINT64_MAX;
  for (int round = 0; round < 5; round++) {
    struct hkm_prof_stat s = {0, 0, 0, 0};
    uint64_t t0 = hkm_tsc();
    for (int i = 0; i < 1000; i++) {
      uint64_t start = hkm_tsc();
      calib_record(&s, 0, start);
    }
    uint64_t per = (hkm_tsc() - t0) / 1000;
    if (s.min < b) b = s.min;
    if (per < c) c = per;
  }
  if (!c) c = 1;
  STORE(cached_bias, b);
  STORE(cached_cost, c);
  *bias = b;
  *cost = c;
}

static uint64_t sub_floor(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

static void unbias(struct hkm_prof_stat *s, uint64_t overhead) {
  s->total = sub_floor(s->total, s->count * overhead);
  s->min = sub_floor(s->min, overhead);
  s->max = sub_floor(s->max, overhead);
}

uint64_t hkm_prof_unbias(uint64_t count, uint64_t cycles) {
  uint64_t bias, cost;
  calibrate(&bias, &cost);
  return sub_floor(cycles, count * bias);
}

/* One thread's figures into the next entry of the per-thread list, or into its last entry (tid -1)
 * once HKM_PROF_THREADS_KEPT are listed. */
static void list_thread(struct hkm_prof_thread *list, unsigned *n, long tid, int exited,
                        const struct hkm_prof_stat *stat) {
  struct hkm_prof_thread *t = &list[*n < HKM_PROF_THREADS_KEPT ? *n : HKM_PROF_THREADS_KEPT];
  if (*n < HKM_PROF_THREADS_KEPT) {
    memset(t, 0, sizeof *t);
    t->tid = tid;
    t->exited = exited;
    (*n)++;
  }
  t->threads++;
  if (!exited) t->exited = 0; /* the shared entry has exited only if all it holds have */
  for (int c = 0; c < HKM_CAT_COUNT; c++) stat_merge(&t->stat[c], &stat[c]);
}

/* One pass under the lock, reading each live block once, so that the per-thread figures add up to
 * the totals exactly even while threads go on recording. */
void hkm_prof_snapshot_threads(struct hkm_prof_snapshot *snap, struct hkm_prof_thread *threads, unsigned *nthreads) {
  struct hkm_prof_thread *other = threads ? &threads[HKM_PROF_THREADS_KEPT] : NULL;
  unsigned n = 0;
  memset(snap, 0, sizeof *snap);
  if (other) {
    memset(other, 0, sizeof *other);
    other->tid = -1;
    other->exited = 1;
  }
  pthread_mutex_lock(&lock);
  memcpy(snap->stat, merged, sizeof merged);
  snap->pmu = merged_pmu;
  snap->threads = merged_threads;
  if (threads) {
    for (unsigned i = 0; i < exited_n; i++) list_thread(threads, &n, exited[i].tid, 1, exited[i].stat);
    for (int c = 0; c < HKM_CAT_COUNT; c++) stat_merge(&other->stat[c], &exited_other[c]);
    other->threads += exited_other_threads;
  }
  for (struct block *b = live; b; b = b->next) {
    if (LOAD(b->state) != BLK_LIVE || !has_data(b)) continue;
    struct hkm_prof_stat copy[HKM_CAT_COUNT];
    for (int c = 0; c < HKM_CAT_COUNT; c++) {
      copy[c].count = LOAD(b->stat[c].count);
      copy[c].total = LOAD(b->stat[c].total);
      copy[c].min = LOAD(b->stat[c].min);
      copy[c].max = LOAD(b->stat[c].max);
      stat_merge(&snap->stat[c], &copy[c]);
    }
    pmu_merge(&snap->pmu, &b->pmu);
    snap->threads++;
    if (threads) list_thread(threads, &n, b->tid, 0, copy);
  }
  pthread_mutex_unlock(&lock);

  snap->compiled = HKM_ENABLE_TIMING;
  snap->enabled = hkm_prof_enabled;
  snap->tsc_hz = tsc_hz();
  calibrate(&snap->overhead, &snap->cost);
  for (int c = 0; c < HKM_CAT_COUNT; c++) unbias(&snap->stat[c], snap->overhead);
  if (!threads) return;
  int any = 0;
  for (int c = 0; c < HKM_CAT_COUNT; c++) any |= other->stat[c].count != 0;
  if (any) { /* the entry beyond the kept ones is listed only when it holds something */
    if (n < HKM_PROF_THREADS_KEPT) threads[n] = *other; /* fewer threads than kept: close the gap */
    n++;
  }
  for (unsigned i = 0; i < n; i++)
    for (int c = 0; c < HKM_CAT_COUNT; c++) unbias(&threads[i].stat[c], snap->overhead);
  *nthreads = n;
}

void hkm_prof_snapshot(struct hkm_prof_snapshot *snap) { hkm_prof_snapshot_threads(snap, NULL, NULL); }
