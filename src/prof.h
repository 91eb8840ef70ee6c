/* The profiler's ground floor: the one list of categories, and the timing macros.
 *
 * Every allocator path records into a category. The list below is the only place categories are
 * named: the enum, the report names, the JSON keys and the nesting all come from it. A category whose
 * code does not exist yet simply reports a count of zero.
 *
 * X(ID, "name", PARENT): PARENT is the category this one normally runs inside (times are inclusive,
 * so a child's total never exceeds its parent's), or NONE for the top-level API and for categories that
 * can run inside several parents (the syscalls). */
#ifndef HKM_PROF_H
#define HKM_PROF_H

#include <stdint.h>
#include "config.h"
#include "compiler.h"

#define HKM_CATEGORIES(X)                                  \
  X(HAK_ALLOC, "hak_alloc", NONE)                          \
  X(HAK_FREE, "hak_free", NONE)                            \
  X(TINY_ALLOC, "tiny_alloc", HAK_ALLOC)                   \
  X(TINY_FREE, "tiny_free", HAK_FREE)                      \
  X(TINY_REFILL, "tiny_refill", TINY_ALLOC)                \
  X(POOL_GET, "pool_get", HAK_ALLOC)                       \
  X(POOL_PUT, "pool_put", HAK_FREE)                        \
  X(POOL_REFILL, "pool_refill", POOL_GET)                  \
  X(L25_GET, "l25_get", HAK_ALLOC)                         \
  X(L25_PUT, "l25_put", HAK_FREE)                          \
  X(L25_REFILL, "l25_refill", L25_GET)                     \
  X(BIGCACHE_GET, "bigcache_get", HAK_ALLOC)               \
  X(BIGCACHE_PUT, "bigcache_put", HAK_FREE)                \
  X(BIGCACHE_EVICT_SCAN, "bigcache_evict_scan", BIGCACHE_PUT) \
  X(WHALE_GET, "whale_get", HAK_ALLOC)                     \
  X(WHALE_PUT, "whale_put", HAK_FREE)                      \
  X(REGION_GET, "region_get", NONE)                        \
  X(REGION_PUT, "region_put", NONE)                        \
  X(SITE_RULES_LOOKUP, "site_rules_lookup", NONE)          \
  X(SITE_RULES_ADOPT, "site_rules_adopt", NONE)            \
  X(ELO_SELECT, "elo_select", NONE)                        \
  X(ELO_UPDATE, "elo_update", NONE)                        \
  X(REMOTE_FREE, "remote_free", HAK_FREE)                  \
  X(SYSCALL_MMAP, "syscall_mmap", NONE)                    \
  X(SYSCALL_MUNMAP, "syscall_munmap", NONE)                \
  X(SYSCALL_MADVISE, "syscall_madvise", NONE)              \
  X(RECLAIM_SUBMIT, "reclaim_submit", NONE)                \
  X(RECLAIM_COMPLETE, "reclaim_complete", NONE)

enum hkm_cat {
#define HKM_CAT_ENUM(id, name, parent) HKM_CAT_##id,
  HKM_CATEGORIES(HKM_CAT_ENUM)
#undef HKM_CAT_ENUM
  HKM_CAT_COUNT,
  HKM_CAT_NONE = -1
};

/* Name and parent of each category, indexed by enum hkm_cat. */
extern const char *const hkm_cat_name[HKM_CAT_COUNT];
extern const int hkm_cat_parent[HKM_CAT_COUNT];

/* Set once, at init, from HAKMEM_TIMING; never changes afterwards, so the branch predicts perfectly.
 * Declared hidden so that the test is one compare with the variable in memory: a default-visibility
 * declaration makes -fPIC code load its address from the GOT first (two more instructions per call). */
extern int hkm_prof_enabled __attribute__((visibility("hidden")));

HKM_INLINE uint64_t hkm_tsc(void) {
  uint32_t lo, hi;
  __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

/* Slow path of HKM_TIME_END: adds one measurement that started at start_tsc to the calling thread. */
void hkm_prof_record(int cat, uint64_t start_tsc);
/* Between hkm_prof_mute(1) and hkm_prof_mute(0) the calling thread's measurements are hakmem's own
 * business (the allocations pthread_create makes when hakmem starts a helper thread) and are not
 * recorded: a program's figures hold what it asked for, whichever of its threads started the helper. */
void hkm_prof_mute(int on);
/* The same, and the measurement is also added to the allocation call site's figures (prof_sites.h). */
void hkm_prof_record_site(int cat, uint64_t start_tsc, const void *site);

/* Reads HAKMEM_TIMING* (through config.c) and arms the profiler; called once from hakmem's init. */
void hkm_prof_init(void);
/* Starts measuring; called by init once everything a measurement may touch (the PMU) is ready, so the
 * allocations libpfm4 makes while it starts are not measured. */
void hkm_prof_arm(void);

/* One category's figures, in cycles: a thread's own counters, the process totals, a report's line. */
struct hkm_prof_stat {
  uint64_t count, total, min, max;
};

/* HAKMEM_PMU: event deltas per category (pmu.c), kept beside the cycles in the same per-thread block. */
#define HKM_PMU_MAX 4
struct hkm_pmu_tally {
  uint64_t sampled[HKM_CAT_COUNT];            /* measurements that carry event deltas */
  uint64_t delta[HKM_CAT_COUNT][HKM_PMU_MAX]; /* their summed inclusive deltas, per event */
  uint64_t enabled, running;                  /* the thread's group times at its last read */
};

/* PMU switch, set once at init (pmu.c): measurements then also snapshot the thread's counters. */
extern int hkm_pmu_on __attribute__((visibility("hidden")));
/* Start of a measurement with the PMU on: pushes a counter snapshot and returns the TSC with the
 * snapshot's nesting level (1..15) in its low 4 bits, or 0 there when this entry is not sampled. */
uint64_t hkm_pmu_begin(void);
/* End of one: the deltas since the snapshot at level; returns 0 when there are none. */
int hkm_pmu_end(unsigned level, uint64_t delta[HKM_PMU_MAX]);
#define HKM_PMU_LEVEL_MASK 15u
/* pmu.c reports the calling thread's group times (enabled, running) after each read. */
void hkm_prof_pmu_times(uint64_t enabled, uint64_t running);

HKM_INLINE uint64_t hkm_prof_start(void) { return hkm_unlikely(hkm_pmu_on) ? hkm_pmu_begin() : hkm_tsc(); }

/* What a report shows, taken at one moment by hkm_prof_snapshot (prof.c) and formatted by report.c. */
struct hkm_prof_snapshot {
  int compiled;      /* HKM_ENABLE_TIMING: built without --disable-timing */
  int enabled;       /* hkm_prof_enabled */
  unsigned threads;  /* threads that recorded since start, fork or reset (exited ones included) */
  uint64_t tsc_hz;   /* measured against CLOCK_MONOTONIC_RAW; 0 when unknown */
  uint64_t overhead; /* timer bias every measurement carries; already taken off stat[] */
  uint64_t cost;     /* what one measurement costs the program; not taken off (see report.c) */
  struct hkm_prof_stat stat[HKM_CAT_COUNT];
  struct hkm_pmu_tally pmu; /* summed over threads like stat */
};

/* All threads' counters, live and exited, with the timer bias subtracted. Does not allocate. */
void hkm_prof_snapshot(struct hkm_prof_snapshot *snap);

/* Per-thread figures for reports: the first threads one by one, the rest together (tid -1). */
#define HKM_PROF_THREADS_KEPT 64
struct hkm_prof_thread {
  long tid;         /* kernel thread id; -1 for the entry that holds everything beyond the kept ones */
  int exited;       /* the thread has exited (for tid -1: all of them have) */
  unsigned threads; /* threads whose figures this entry holds */
  struct hkm_prof_stat stat[HKM_CAT_COUNT];
};
/* hkm_prof_snapshot, and from the same reading each thread's figures: exited threads in the order
 * they exited, then live ones, at most HKM_PROF_THREADS_KEPT + 1 entries (threads must have room for
 * them); *nthreads gets how many. Together they add up to snap exactly. Does not allocate. */
void hkm_prof_snapshot_threads(struct hkm_prof_snapshot *snap, struct hkm_prof_thread *threads, unsigned *nthreads);

/* cycles of count measurements with the timer bias taken off (for figures kept outside prof.c). */
uint64_t hkm_prof_unbias(uint64_t count, uint64_t cycles);

#if HKM_ENABLE_TIMING
#define HKM_TIME_START(var) uint64_t var = hkm_unlikely(hkm_prof_enabled) ? hkm_prof_start() : 0
#define HKM_TIME_END(cat, var)                                              \
  do {                                                                      \
    if (hkm_unlikely(hkm_prof_enabled)) hkm_prof_record(HKM_CAT_##cat, var); \
  } while (0)
/* Same as HKM_TIME_END for a category chosen at run time (e.g. by tier). */
#define HKM_TIME_END_AT(catidx, var)                                    \
  do {                                                                  \
    if (hkm_unlikely(hkm_prof_enabled)) hkm_prof_record((catidx), var); \
  } while (0)
/* Same as HKM_TIME_END, also counted for the allocation's call site. */
#define HKM_TIME_END_SITE(cat, var, site)                                               \
  do {                                                                                  \
    if (hkm_unlikely(hkm_prof_enabled)) hkm_prof_record_site(HKM_CAT_##cat, var, site); \
  } while (0)
#else
#define HKM_TIME_START(var) ((void)0)
#define HKM_TIME_END(cat, var) ((void)0)
/* Still no code, but the category expression counts as used (e.g. a table of categories indexed by
 * tier would otherwise be an unused variable under -Werror). */
#define HKM_TIME_END_AT(catidx, var) ((void)sizeof(catidx))
#define HKM_TIME_END_SITE(cat, var, site) ((void)0)
#endif

#endif
