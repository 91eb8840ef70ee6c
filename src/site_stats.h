/* Evidence per allocation call site, for the blocks over 2 MiB that site rules govern: what every
 * block costs in bytes and time, and, on a sample of blocks, what their pages did (policy.c fills
 * it; the learner reads it; reports show it with the learner's view of each site).
 *
 * One fixed table shared by all threads, claimed with one compare-and-swap per new site and counted
 * with relaxed atomic adds: nothing here allocates or locks on the allocation path. A reader may see
 * one block's figures half added; the learner's averages absorb that. A claimed slot keeps its site
 * for the life of the process (and of its forks). */
#ifndef HKM_SITE_STATS_H
#define HKM_SITE_STATS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "lock.h"
#include "site_rules.h"

#define HKM_SITE_SLOTS 256     /* sites told apart; later ones get the default rule and no evidence */
#define HKM_GAP_BUCKETS 12     /* reuse gaps: < 1 ms, < 2 ms, < 4 ms, ..., < 1024 ms, longer */

/* Sampled blocks added up: cpu_ns is the CPU time their allocations took on the allocating thread
 * (the calling thread's clock, so that preemption and lock waits do not count); pages are the block's 4 KiB pages (up to what was asked for); faults the
 * pages that became resident while it was live; huge the 2 MiB chunks that became wholly resident
 * under the huge backing (one fault each when the kernel gave a huge page); touched and the chunk
 * counts only where they mean what the program touched: lazy blocks that started with nothing
 * resident. */
struct hkm_site_sums {
  uint64_t blocks, pages, cpu_ns, faults, huge, resident, touched, tpages, chunks, chunks_touched;
};

/* sums[] index of the sampled blocks that came with resident pages (a cache hit): their backing
 * played no part. */
#define HKM_SUMS_HOT HKM_BACK_COUNT
#define HKM_SUMS_N (HKM_BACK_COUNT + 1)

/* The learner's view of a site, published for reports (integers, so that reports need no floating
 * point formatting). */
struct hkm_site_view {
  struct hkm_site_rule rule;         /* the rule in force */
  int64_t score[HKM_BACK_COUNT];     /* estimated cycles per KiB the program uses, per backing; -1 unknown,
                                        -2 not available here */
  uint32_t pulls[HKM_BACK_COUNT];    /* sampled blocks each backing was measured on */
  int32_t density_pm;                /* pages touched per thousand (lazy samples), -1 unknown */
  int64_t keep_gain;                 /* cycles per block keep=own is expected to save (< 0: costs) */
  uint32_t changes;                  /* times the rule changed */
  uint8_t from_file;                 /* the rule came from HAKMEM_LEARN_FILE */
};

struct hkm_site_slot {
  _Atomic uintptr_t site; /* 0 = free */
  uint8_t tier;           /* enum hkm_tier of its first block */
  uint64_t allocs, frees, bytes, hot;
  uint64_t life_tsc, lives;        /* lifetimes of the sampled blocks (TSC cycles), and how many */
  uint64_t last_free_tsc;          /* when the site last freed a block (TSC) */
  uint64_t samples, sample_cycles; /* residency samples taken, and what they cost */
  uint64_t probes;                 /* allocations that took memory with nothing resident (rule probe) */
  uint64_t live_peak;              /* most of its blocks live at once (allocations - frees, approximate) */
  uint64_t freed_resident, freed_sampled; /* pages resident at free, over the sampled blocks: what a kept
                                             block that was not sampled is charged */
  uint64_t gaps[HKM_GAP_BUCKETS];  /* time from the site's last free to one in four of its allocations */
  struct hkm_lock sums_lock;       /* one block's figures go into sums[] together (sampled blocks only) */
  struct hkm_site_sums sums[HKM_SUMS_N];
  struct hkm_site_view view;       /* under hkm_site_view_lock */
};

/* The costs the learner scores with, as it calibrated them (TSC cycles; 0 until measured). */
struct hkm_site_costs {
  uint64_t fault;      /* first touch of a 4 KiB page */
  uint64_t huge_fault; /* first touch of a 2 MiB huge page (0: THP not granted here) */
  uint64_t populate;   /* MADV_POPULATE_WRITE, per 4 KiB page (0: refused) */
  uint64_t drop;       /* MADV_DONTNEED of a resident 4 KiB page */
  uint64_t passes;     /* learner passes so far */
};

/* Frees of blocks with a site slot so far: the learner has nothing new to look at while it stands
 * still (the release helper calls it for the other caches' sake too). */
extern _Atomic uint64_t hkm_site_activity;

/* TSC cycles per ms, for the tiers' time stamps (set by the learner as it measures it). */
extern _Atomic uint64_t hkm_site_tsc_per_ms;

/* How site rules are run, for reports (set once at init by policy.c). */
struct hkm_site_mode {
  int on;                    /* site rules in force */
  int learner;               /* 1: learned; 0: HAKMEM_LEARN_FORCE's one rule */
  const char *thp;           /* "always", "madvise" or "never" */
  struct hkm_site_rule dflt; /* what sites without a rule of their own get */
};
extern struct hkm_site_mode hkm_site_mode;

extern struct hkm_site_slot hkm_site_slots[HKM_SITE_SLOTS];
extern struct hkm_site_costs hkm_site_costs; /* under hkm_site_view_lock */
extern pthread_mutex_t hkm_site_view_lock;

/* sums[] of slot i, whole: one block's figures are added, or copied, under its sums_lock. */
void hkm_site_sums_add(struct hkm_site_slot *s, int k, const struct hkm_site_sums *add);
void hkm_site_sums_read(struct hkm_site_slot *s, int k, struct hkm_site_sums *out);

/* The slot of site, claimed for tier when new; -1 when the table is full. */
int hkm_site_stats_claim(const void *site, int tier);

#define HKM_SITE_ADD(field, v) __atomic_fetch_add(&(field), (v), __ATOMIC_RELAXED)
#define HKM_SITE_GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

#endif
