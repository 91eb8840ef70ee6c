/* The profiler's ground floor: the one list of categories, the per-thread counters, the clock, and
 * the timing macros. It knows no other module: what sits above it (event counters, fault
 * attribution, call-site tables, the collection files) hooks in through hkm_prof_set_hooks and
 * hkm_prof_set_chunk_source, or wraps these calls.
 *
 * Every allocator path records into a category. The list below is the only place categories are
 * named: the enum, the report names, the JSON keys and the nesting all come from it. A category whose
 * code does not exist yet simply reports a count of zero.
 *
 * X(ID, "name", PARENT, KIND): PARENT is the category this one normally runs inside (times are
 * inclusive, so a child's total never exceeds its parent's), or NONE for the top-level API and for
 * categories that can run inside several parents (the syscalls). KIND is SAMPLED for the common fast
 * paths, whose cycles are taken on a random sample of calls (see prof_block.h),
 * EXACT for the rest, timed on every call. Counts are exact for both. */
#ifndef HKM_PROF_H
#define HKM_PROF_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "compiler.h"
#include "prof_block.h"

#define HKM_CATEGORIES(X)                                           \
  X(HAK_ALLOC, "hak_alloc", NONE, SAMPLED)                          \
  X(HAK_FREE, "hak_free", NONE, SAMPLED)                            \
  X(TINY_ALLOC, "tiny_alloc", HAK_ALLOC, SAMPLED)                   \
  X(TINY_FREE, "tiny_free", HAK_FREE, SAMPLED)                      \
  X(TINY_REFILL, "tiny_refill", TINY_ALLOC, EXACT)                  \
  X(TINY_RELEASE, "tiny_release", TINY_FREE, EXACT)                 \
  X(POOL_GET, "pool_get", HAK_ALLOC, SAMPLED)                       \
  X(POOL_PUT, "pool_put", HAK_FREE, SAMPLED)                        \
  X(POOL_REFILL, "pool_refill", POOL_GET, EXACT)                    \
  X(POOL_RELEASE, "pool_release", POOL_PUT, EXACT)                  \
  X(L25_GET, "l25_get", HAK_ALLOC, SAMPLED)                         \
  X(L25_PUT, "l25_put", HAK_FREE, SAMPLED)                          \
  X(L25_REFILL, "l25_refill", L25_GET, EXACT)                       \
  X(L25_RELEASE, "l25_release", L25_PUT, EXACT)                     \
  X(L25_RUN_GET, "l25_run_get", HAK_ALLOC, SAMPLED)                 \
  X(L25_RUN_PUT, "l25_run_put", HAK_FREE, SAMPLED)                  \
  X(PAGES_GET, "page_run_get", HAK_ALLOC, SAMPLED)                  \
  X(PAGES_PUT, "page_run_put", HAK_FREE, SAMPLED)                   \
  X(BIGCACHE_GET, "bigcache_get", HAK_ALLOC, EXACT)                 \
  X(BIGCACHE_PUT, "bigcache_put", HAK_FREE, EXACT)                  \
  X(BIGCACHE_EVICT_SCAN, "bigcache_evict_scan", BIGCACHE_PUT, EXACT) \
  X(WHALE_GET, "whale_get", HAK_ALLOC, EXACT)                       \
  X(WHALE_PUT, "whale_put", HAK_FREE, EXACT)                        \
  X(WHALE_GROW, "whale_grow", NONE, EXACT)                          \
  X(REGION_GET, "region_get", NONE, EXACT)                          \
  X(REGION_PUT, "region_put", NONE, EXACT)                          \
  X(REGION_GROW, "region_grow", NONE, EXACT)                        \
  X(SITE_RULES_LOOKUP, "site_rules_lookup", NONE, EXACT)            \
  X(SITE_RULES_ADOPT, "site_rules_adopt", NONE, EXACT)              \
  X(ELO_SELECT, "elo_select", NONE, EXACT)                          \
  X(ELO_UPDATE, "elo_update", NONE, EXACT)                          \
  X(REMOTE_FREE, "remote_free", HAK_FREE, SAMPLED)                  \
  X(SYSCALL_MMAP, "syscall_mmap", NONE, EXACT)                      \
  X(SYSCALL_MREMAP, "syscall_mremap", NONE, EXACT)                  \
  X(SYSCALL_MUNMAP, "syscall_munmap", NONE, EXACT)                  \
  X(SYSCALL_MADVISE, "syscall_madvise", NONE, EXACT)                \
  X(SYSCALL_MINCORE, "syscall_mincore", NONE, EXACT)                \
  X(RECLAIM_SUBMIT, "reclaim_submit", NONE, EXACT)                  \
  X(RECLAIM_COMPLETE, "reclaim_complete", NONE, EXACT)

enum hkm_cat {
#define HKM_CAT_ENUM(id, name, parent, kind) HKM_CAT_##id,
  HKM_CATEGORIES(HKM_CAT_ENUM)
#undef HKM_CAT_ENUM
  HKM_CAT_COUNT,
  HKM_CAT_NONE = -1
};

enum { HKM_KIND_EXACT, HKM_KIND_SAMPLED };

/* Name, parent and kind of each category, indexed by enum hkm_cat. */
extern const char *const hkm_cat_name[HKM_CAT_COUNT];
extern const int hkm_cat_parent[HKM_CAT_COUNT];
extern const unsigned char hkm_cat_kind[HKM_CAT_COUNT];

/* A thread's counters: the head, the counting slots, then each category's raw sums and event deltas
 * (prof_block.h). */
struct hkm_prof_block {
  struct hkm_prof_block_head h;
  struct hkm_prof_slot slot[HKM_PROF_SLOTS];
  struct hkm_prof_cat cat[HKM_CAT_COUNT];
  struct hkm_pmu_tally pmu[HKM_CAT_COUNT];
};

/* Set once, at init, from HAKMEM_TIMING; never changes afterwards, so the branch predicts perfectly.
 * Declared hidden so that the test is one compare with the variable in memory: a default-visibility
 * declaration makes -fPIC code load its address from the GOT first (two more instructions per call). */
extern int hkm_prof_enabled __attribute__((visibility("hidden")));

/* What a thread keeps at hand while it measures. blk points at a block no thread owns until the
 * thread's first record (its sampling thresholds are 0, so every call takes the slow path, which
 * gives the thread a block of its own), so the fast paths never test for it. */
struct hkm_prof_self {
  struct hkm_prof_block *blk;
  uint64_t acc;   /* cycles of the outermost exact measurements with sampled ancestors so far */
  unsigned depth; /* measurements open (HKM_TIME_START without its END yet) */
  int mode;       /* HKM_PROF_TIMED or HKM_PROF_COUNTED inside such a call, else 0 */
  int census;     /* the timed call in progress is one of its slot's first (prof_block.h) */
  uint32_t ends;  /* measurements this thread ended (their count inside a timed call or step: prof_block.h) */
  uint32_t call_ends, step_ends; /* ends when the timed call and its step began */
  /* Cycles the measurement hooks took in this thread so far (pmu.c: a counter read is a system call
   * unless rdpmc is allowed). Every interval leaves them out: the hooks' clock (begin's result) runs
   * this far behind the TSC, and the ends are taken on the same clock (prof.c, elapsed). Without it a
   * call's cycles held the reads of every measurement nested in it: with HAKMEM_PMU=page-faults,
   * wl_mid's hak_alloc read 2,672-2,846 cycles a call, against 68-107 without events. */
  uint64_t hooked;
};
enum { HKM_PROF_COUNTED = 1, HKM_PROF_TIMED = 2 };
extern __thread struct hkm_prof_self hkm_prof_self
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

HKM_INLINE uint64_t hkm_tsc(void) {
  uint32_t lo, hi;
  __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

/* Measurement hooks for the layers above (pmu.c): begin() at the start of every timed measurement,
 * returning the TSC less hkm_prof_self.hooked (its low 4 bits are the hook's to use), end() after its
 * cycles were recorded. Both add the cycles they take to hkm_prof_self.hooked. */
struct hkm_prof_hooks {
  uint64_t (*begin)(void);
  void (*end)(int cat, uint64_t start);
};
extern const struct hkm_prof_hooks *hkm_prof_hooks __attribute__((visibility("hidden")));
/* From init, before measuring starts; NULL for none. */
void hkm_prof_set_hooks(const struct hkm_prof_hooks *h);
/* For the end hook: event deltas of one measurement of cat, of which nested were counted by exact
 * measurements inside it; weight: how many measurements it stands for (HAKMEM_PMU_SAMPLE). Returns 1
 * when cat's events are to count as nested in the measurements around it (one measured on every
 * call, with sampled ancestors: prof.h's parents). And the thread's group times. */
int hkm_prof_add_events(int cat, const uint64_t delta[HKM_PMU_MAX], const uint64_t nested[HKM_PMU_MAX],
                        unsigned weight);
void hkm_prof_event_times(uint64_t enabled, uint64_t running);

/* Where the blocks live. By default prof.c maps anonymous memory; collect.c hands out chunks of its
 * collection file instead. fn(i, bytes) returns `bytes` of zeroed memory for the i-th chunk of
 * HKM_PROF_CHUNK_BLOCKS blocks, or NULL. It is asked for chunk 0 again in a forked child (which must
 * not write into its parent's memory), from the fork handler: it must not allocate. */
#define HKM_PROF_CHUNK_BLOCKS 64
#define HKM_PROF_CHUNKS_MAX 64
typedef void *(*hkm_prof_chunk_fn)(unsigned index, size_t bytes);
void hkm_prof_set_chunk_source(hkm_prof_chunk_fn fn);
/* Bytes a block takes in a chunk. */
size_t hkm_prof_block_bytes(void);

/* Reads nothing from the environment: init passes what HAKMEM_TIMING and the sampling rate say
 * (sample_every: time one call in about that many, 1 = all). */
void hkm_prof_init(int timing, unsigned sample_every);
/* Starts measuring; called by init once everything a measurement may touch (the PMU) is ready, so the
 * allocations libpfm4 makes while it starts are not measured. */
void hkm_prof_arm(void);
unsigned hkm_prof_sample_every(void);

/* Between hkm_prof_mute(1) and hkm_prof_mute(0) the calling thread's measurements are hakmem's own
 * business (the allocations pthread_create makes when hakmem starts a helper thread) and are undone:
 * a program's figures hold what it asked for, whichever of its threads started the helper. */
void hkm_prof_mute(int on);

/* ---- exact measurements (and sampled categories measured outside the timed copies) ---- */

struct hkm_prof_mark {
  uint64_t tsc, acc;
};

/* The clock and the exact cycles so far, at the start of a measurement. */
HKM_INLINE struct hkm_prof_mark hkm_prof_clock(void) {
  struct hkm_prof_mark m;
  m.acc = hkm_prof_self.acc;
  m.tsc = hkm_unlikely(hkm_prof_hooks != 0) ? hkm_prof_hooks->begin() : hkm_tsc();
  return m;
}

/* Before the clock starts on a measurement that no other one encloses: wait until everything the
 * program did before has completed. rdtsc does not wait, while the end's rdtscp waits for all that
 * came before it, so the program's own cache misses issued just before a call (the check of the block
 * it frees, say) would end inside the call's interval, and how many did depended on how the calls
 * around it were measured: timing every call put 10-30 more cycles into each free of a pool or L2.5
 * block than timing one in 2 or 256 (perf/bench/RESULTS.md, issue 12). lfence serializes dispatch
 * (on AMD once the kernel has set it up so, as Linux does). The wait is outside the interval it
 * starts, once per timed call or outermost exact measurement (and inside the timed call that holds
 * one: hkm_prof_start). */
HKM_INLINE void hkm_prof_fence(void) { __asm__ __volatile__("lfence" ::: "memory"); }

/* An outermost exact measurement waits inside a timed call too, so that its figure does not depend on
 * whether the call around it is timed: started without the wait, a refill inside a timed call took
 * in the tail of the call's own work before it (an L2 pool refill read 48-53 cycles there against
 * 40-41 in an untimed call), and since its figure is taken off the timed call's rest, the rest that
 * stands for the untimed calls came out low by that overlap (on wl_known_pool a refill comes in one
 * allocation in five; perf/bench/RESULTS.md, issue 12, says how much of the sampled figures' gap
 * this machine's noise lets one put down to it). The wait then lies inside the timed call's
 * interval; the nest cost taken off per such measurement holds it (prof.c, calibrate). */
HKM_INLINE struct hkm_prof_mark hkm_prof_start(void) {
  if (hkm_prof_self.depth++ == 0) hkm_prof_fence();
  return hkm_prof_clock();
}
/* Whether a SAMPLED category that runs inside a call (page and L2.5 runs, remote frees) is timed now:
 * inside a timed call, or with PMU hooks. */
HKM_INLINE int hkm_prof_sampled_timed(void) {
  return hkm_prof_self.mode == HKM_PROF_TIMED || hkm_unlikely(hkm_prof_hooks != 0);
}
/* The start of such a measurement when it is not timed: the count only, the clock not read, and the
 * mark says so (tsc 0); its end only counts. */
HKM_INLINE struct hkm_prof_mark hkm_prof_count_start(void) {
  hkm_prof_self.depth++;
  return (struct hkm_prof_mark){0, hkm_prof_self.acc};
}
/* The start of such a measurement in code compiled once (page and L2.5 runs): timed as
 * hkm_prof_start, else counted with the wait kept. Without the wait the calls that are not timed
 * overlap the program's work and each other, and the rare timed one, which waits, takes that backlog
 * into its interval (with one copy of their code, wl_prodcons's remote frees: the sampled estimate
 * 1.37-1.45 times what timing every call measured; 0.92-0.97 with the wait). */
HKM_INLINE struct hkm_prof_mark hkm_prof_start_sampled(void) {
  if (hkm_prof_sampled_timed()) return hkm_prof_start();
  struct hkm_prof_mark m = hkm_prof_count_start();
  hkm_prof_fence();
  return m;
}
/* Such a category's code can instead be compiled twice, a timed copy and one that is not, picked at
 * its start (HKM_SAMPLED_TIMED, HKM_TIME_START_COPY, HKM_TIME_END_COPY, from a constant): the copy
 * that is not timed then neither waits nor reads the clock, and the timed one tests nothing between its
 * code's end and the clock. Remote frees are (slab.c): every one waited and read the clock, and
 * hakmem-stat ran wl_prodcons 3.2-3.9 times its plain time, now 1.3; remote_free's sampled estimate
 * 0.995-1.003 of timing every call (0.985-0.990 before). Page and L2.5 runs are not: their timed copy,
 * run one call in 256, runs their longer and branchier code cold, and page_run_get's estimate read
 * 1.19-1.25 times timing every call (perf/bench/RESULTS.md, twenty-third session). */
/* End of a measurement of cat that started at m: an EXACT category records its cycles; a SAMPLED
 * one records them inside a timed call, else only counts. */
void hkm_prof_end(int cat, struct hkm_prof_mark m);
/* The end of a measurement hkm_prof_start_sampled began, with the clock read at end, before any
 * test: with the test on whether it was timed first (mispredicted in the rare timed ones), page runs'
 * sampled estimates on wl_mid read 1.04-1.07 times what timing every call measured, 0.98-1.00 so. */
void hkm_prof_end_sampled(int cat, struct hkm_prof_mark m, uint64_t end);

/* ---- the sampled calls (hakmem.c's timed copies) ----
 * The calls of the sampled top-level categories are counted in slots (prof_block.h): slot s stands
 * for one call of the categories hkm_prof_slot_map gave it. A call counts itself and learns whether
 * it is to be timed with hkm_prof_slot_call.
 * - Timed: hkm_prof_call_begin(slot, cat), the step (hkm_prof_nest_begin, hkm_tsc_stop,
 *   hkm_prof_nest_done), hkm_prof_call_end.
 * - Counted in full (a large block, a thread without a heap): hkm_prof_counted_begin/_end around it,
 *   with hkm_prof_add_nested for the nested exact cycles (hkm_prof_self.acc moved on).
 * - Lean (the common case): nothing more; an exact measurement that ends inside it, outermost,
 *   adds its cycles to its sampled ancestors itself.
 * The nested exact cycles of a call are those of the exact categories whose parents in the list
 * above lead to it (a refill: its tier, then hak_alloc; whale_get: hak_alloc), whichever way the call
 * went; an exact category without such a parent (region_put when a free releases a slab, the
 * syscalls) stays in the rest of the call's cycles, timed or not, so the estimate stays unbiased
 * without the lean paths saying which call they are in. */
void hkm_prof_slot_map(unsigned slot, int cat, int step_cat);
/* The categories slot stands for (HKM_CAT_NONE when none), as mapped. */
void hkm_prof_slot_cats(unsigned slot, int *cat, int *step_cat);

/* One decrement of memory and a branch on its flags: compilers write --x <= 0 as a load, a
 * subtraction, a store and a test, and this runs on every profiled call. */
HKM_INLINE int hkm_prof_slot_call(unsigned slot) {
  int64_t *left = &hkm_prof_self.blk->slot[slot].left;
  __asm__ goto("subq $1, %0\n\tjle %l[timed]" : "+m"(*left) : : "cc" : timed);
  return 0;
timed:
  return 1;
}

HKM_INLINE void hkm_prof_counted_begin(void) { hkm_prof_self.mode = HKM_PROF_COUNTED; }
HKM_INLINE void hkm_prof_counted_end(void) { hkm_prof_self.mode = 0; }
/* Exact cycles measured inside a call of cat that was counted but not timed. */
void hkm_prof_add_nested(int cat, uint64_t cycles);

/* begin takes the thread's block if it has none yet (and counts the call in it), draws the slot's
 * next sampling gap, and starts the clock; end returns the call's cycles. */
struct hkm_prof_mark hkm_prof_call_begin(unsigned slot, int cat);
/* begin in two: the bookkeeping out of line, then the wait and the clock inline, so that the interval
 * starts in the caller, right where the timed code does. */
void hkm_prof_call_prepare(unsigned slot);
HKM_INLINE struct hkm_prof_mark hkm_prof_call_start(void) {
  hkm_prof_fence();
  struct hkm_prof_mark m = hkm_prof_clock();
  __asm__ volatile("" ::: "memory"); /* the timed code's loads stay after the clock read */
  return m;
}
/* The end of a timed slab call that was one interval with its tier step (hakmem.c): the same cycles
 * go to the call's category and the step's, with the clock read where the slab code ends
 * (hkm_tsc_stop). */
uint64_t hkm_prof_call_done(int cat, int step_cat, struct hkm_prof_mark m, uint64_t end);
/* Both return the call's cycles, or 0 when it was set aside as interrupted (prof_block.h): a timed
 * allocation's cycles go to its call site, and one set aside goes to none. */
uint64_t hkm_prof_call_end(int cat, struct hkm_prof_mark m);
/* A step waits as an exact measurement inside a timed call does (hkm_prof_start), so that the nest
 * cost is the same for both. */
HKM_INLINE struct hkm_prof_mark hkm_prof_nest_begin(void) {
  hkm_prof_self.step_ends = hkm_prof_self.ends;
  hkm_prof_fence();
  return hkm_prof_clock();
}

/* The end of a measurement, read where the measured code ends: rdtscp waits for that code to finish
 * (plain rdtsc could be hoisted above its last loads and under-count it). The "memory" clobber keeps
 * the compiler from moving the code's memory accesses past it. */
HKM_INLINE uint64_t hkm_tsc_stop(void) {
  uint32_t lo, hi, aux;
  __asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
  return ((uint64_t)hi << 32) | lo;
}
/* The end of the step begun at m, with the clock read where the step's code ends (hkm_tsc_stop): the
 * interval then holds that code and nothing else. Read in an out-of-line end, it took in the branch
 * and the call there, which a call timed among hundreds of untimed ones runs cold (mispredicted),
 * unlike every call when each is timed: pool_get's estimate at HAKMEM_TIMING_SAMPLE=256 was
 * 1.1-1.4 times what timing every call measured. */
void hkm_prof_nest_done(int cat, struct hkm_prof_mark m, uint64_t end);

/* ---- reports ---- */

/* One category's figures in a report: exact count, and cycles estimated from the timed calls. */
struct hkm_prof_stat {
  uint64_t count, timed;
  uint64_t total;    /* estimated cycles of all calls, timer bias taken off */
  uint64_t min, max; /* over the timed calls */
  uint64_t intr;        /* timed calls set aside as interrupted (prof_block.h): estimated as untimed ones */
  uint64_t intr_cycles; /* their cycles less the nested exact ones, as measured (not scaled up) */
  double var;        /* variance of total (0 when every call was timed, -1 when unknown: calls were
                      * counted but none of the category's was timed) */
};

/* What a report shows, taken at one moment by hkm_prof_snapshot and formatted by report.c. */
struct hkm_prof_snapshot {
  int compiled;          /* HKM_ENABLE_TIMING: built without --disable-timing */
  int enabled;           /* hkm_prof_enabled */
  unsigned threads;      /* threads that recorded since start, fork or reset (exited ones included) */
  unsigned sample_every; /* time one call in about this many (1: all) */
  uint64_t tsc_hz;       /* TSC ticks per second; 0 when unknown */
  uint64_t overhead;     /* timer bias every measurement carries; already taken off stat[] */
  uint64_t cost;         /* what one measurement costs the program (see report.c) */
  uint64_t nest;         /* what one adds to the timed call it ends in; already taken off stat[] */
  struct hkm_prof_stat stat[HKM_CAT_COUNT];
  /* HAKMEM_PMU, summed over threads: each category's events (hkm_prof_events_estimate), how many of
   * its measurements read them, and whether part of a figure was scaled up */
  uint64_t events[HKM_CAT_COUNT][HKM_PMU_MAX];
  uint64_t events_measured[HKM_CAT_COUNT];
  unsigned char events_scaled[HKM_CAT_COUNT];
  uint64_t pmu_enabled, pmu_running;
};

/* Per-thread figures for reports: the first threads one by one, the rest together (tid -1). */
#define HKM_PROF_THREADS_KEPT 64
struct hkm_prof_thread {
  long tid;         /* kernel thread id; -1 for the entry that holds everything beyond the kept ones */
  int exited;       /* the thread has exited (for tid -1: all of them have) */
  unsigned threads; /* threads whose figures this entry holds */
  struct hkm_prof_stat stat[HKM_CAT_COUNT];
};

/* All threads' counters, live and exited, estimated and with the timer bias subtracted. Does not
 * allocate. With threads (room for HKM_PROF_THREADS_KEPT + 1 entries), also each thread's figures
 * from the same reading: *nthreads gets how many; they add up to snap exactly. */
void hkm_prof_snapshot_threads(struct hkm_prof_snapshot *snap, struct hkm_prof_thread *threads, unsigned *nthreads);
void hkm_prof_snapshot(struct hkm_prof_snapshot *snap);
/* Forget everything recorded so far (hak_prof_reset). Other threads' blocks are marked and zeroed by
 * their owners at their next timed call; what they count until then is lost. */
void hkm_prof_reset(void);

/* The timer bias of one measurement, in cycles (calibrated once). */
uint64_t hkm_prof_bias(void);
/* What a measurement that ends inside a timed call adds to that call's cycles (calibrated with it). */
uint64_t hkm_prof_nest_cost(void);
/* TSC ticks per second, from the TSC and CLOCK_MONOTONIC_RAW read at init and now (no waiting). */
uint64_t hkm_prof_tsc_hz(void);
/* The TSC and CLOCK_MONOTONIC_RAW (ns) read together at init, for readers of the counters that
 * measure the rate themselves later (hakmem-stat). */
void hkm_prof_clock_ref(uint64_t *tsc, uint64_t *ns);

#if HKM_ENABLE_TIMING
#define HKM_TIME_START(var) \
  struct hkm_prof_mark var = hkm_unlikely(hkm_prof_enabled) ? hkm_prof_start() : (struct hkm_prof_mark){0, 0}
#define HKM_TIME_END(cat, var)                                          \
  do {                                                                  \
    if (hkm_unlikely(hkm_prof_enabled)) hkm_prof_end(HKM_CAT_##cat, var); \
  } while (0)
/* For a SAMPLED category that runs inside a call (hkm_prof_start_sampled). */
#define HKM_TIME_START_SAMPLED(var) \
  struct hkm_prof_mark var = hkm_unlikely(hkm_prof_enabled) ? hkm_prof_start_sampled() : (struct hkm_prof_mark){0, 0}
#define HKM_TIME_END_SAMPLED(cat, var)                                                   \
  do {                                                                                   \
    if (hkm_unlikely(hkm_prof_enabled)) hkm_prof_end_sampled(HKM_CAT_##cat, var, hkm_tsc_stop()); \
  } while (0)
/* The same in a function compiled twice (why: the comment after hkm_prof_start_sampled): timed is a
 * constant there. */
#define HKM_TIME_START_COPY(timed, var)                                                             \
  struct hkm_prof_mark var = (timed) ? hkm_prof_start()                                             \
                             : hkm_unlikely(hkm_prof_enabled) ? hkm_prof_count_start() : (struct hkm_prof_mark){0, 0}
#define HKM_TIME_END_COPY(timed, cat, var)                                          \
  do {                                                                              \
    if (timed)                                                                      \
      hkm_prof_end_sampled(HKM_CAT_##cat, var, hkm_tsc_stop());                     \
    else if (hkm_unlikely(hkm_prof_enabled))                                        \
      hkm_prof_end_sampled(HKM_CAT_##cat, var, 0);                                  \
  } while (0)
#define HKM_SAMPLED_TIMED() (hkm_unlikely(hkm_prof_enabled) && hkm_prof_sampled_timed())
/* Same as HKM_TIME_END for a category chosen at run time (e.g. by tier). */
#define HKM_TIME_END_AT(catidx, var)                                \
  do {                                                              \
    if (hkm_unlikely(hkm_prof_enabled)) hkm_prof_end((catidx), var); \
  } while (0)
#else
#define HKM_TIME_START(var) ((void)0)
#define HKM_TIME_START_SAMPLED(var) ((void)0)
#define HKM_TIME_END_SAMPLED(cat, var) ((void)0)
#define HKM_TIME_START_COPY(timed, var) ((void)(timed))
#define HKM_TIME_END_COPY(timed, cat, var) ((void)0)
#define HKM_SAMPLED_TIMED() 0
#define HKM_TIME_END(cat, var) ((void)0)
/* Still no code, but the category expression counts as used (e.g. a table of categories indexed by
 * tier would otherwise be an unused variable under -Werror). */
#define HKM_TIME_END_AT(catidx, var) ((void)sizeof(catidx))
#endif

#endif
