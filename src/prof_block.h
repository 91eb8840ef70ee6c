/* The profiler's per-thread counters as they lie in memory, and how a category's cycles are
 * estimated from them. Types and arithmetic only: the library (prof.c) writes these blocks, and
 * hakmem-stat reads them back from the collection files of processes that ended without a report.
 *
 * Sampled timing. Every call counts (count is exact). Categories of the common fast paths (the
 * whole malloc/free calls and the slab tiers' fast paths, kind SAMPLED in prof.h) time only a random
 * sample of their calls; everything else (refills, system calls, the release work, large blocks:
 * kind EXACT) is timed on every call. A sampled call's cycles are split in two: what the exact
 * measurements nested in it took (known for every call, timed or not: nested) and the rest
 * (known for the timed calls only: cycles, sq). The rest is scaled up by count / timed, so a rare
 * expensive nest (a refill that maps memory) is added once, exactly, instead of being multiplied by
 * the sampling period when a sample happens to fall on it. (The exact cycles counted as nested are
 * those of categories whose parents lead to this one: prof.h, "the sampled calls".) */
#ifndef HKM_PROF_BLOCK_H
#define HKM_PROF_BLOCK_H

#include <stdint.h>

/* One category's raw sums in one thread. Only the thread writes them. A slot's first
 * HKM_PROF_CENSUS calls (per thread) are all timed, the census: a short process is measured exactly,
 * and a thread's first calls (which make its heap) are added as they are, never scaled up. Calls
 * after the census are the sampled part.
 * 256 calls: the README's Python example, ls -l and sort of a small file, whose busiest size classes
 * take 100-250 calls, are timed in full (with 16 each left hak_alloc, tiny_alloc and pool_get with
 * no timed call past the census: their rest came from the census's cold first calls, shown as ?);
 * a long run pays it once per class and thread (wl_espresso: 9,000 more timed calls than with 16,
 * among 21 million). */
struct hkm_prof_cat {
  uint64_t count;         /* calls counted here (a sampled category's are counted in slots instead) */
  uint64_t timed;         /* sampled part: calls timed */
  uint64_t cycles;        /* their cycles, less the exact cycles nested in them */
  uint64_t nested;        /* exact cycles nested in the calls of the sampled part, over every call */
  uint64_t min;           /* shortest timed call, census included, nested cycles too (0 before the first) */
  uint64_t max;           /* longest one */
  double sq;              /* sum of the squares of the timed calls' cycles less nested ones */
  uint64_t census;        /* census calls (all timed) */
  uint64_t census_cycles; /* their cycles, less the exact cycles nested in them */
  uint64_t census_nested; /* the exact cycles nested in them */
  uint64_t inner;         /* measurements that ended inside the timed calls of the sampled part */
  uint64_t census_inner;  /* the same inside the census calls */
  uint64_t intr;          /* timed calls set aside as interrupted (HKM_PROF_INTERRUPTED) */
  uint64_t intr_cycles;   /* their cycles, less the exact cycles nested in them */
};
#define HKM_PROF_CENSUS 256

/* A timed call of a sampled category (or its tier step) past the census (which is added as it is, so
 * that a short process stays exact), inside which no other measurement ended
 * (no refill, system call or release: the fast path alone) and whose cycles exceed this was
 * interrupted: a fast path's own work is tens to hundreds of cycles (a few cache and TLB misses at
 * worst: some 2,000), and 2^13 TSC cycles are 2-8 us: an interrupt, a preemption or the hypervisor
 * taking the CPU. (A call that did measure something inside may be long by its own work: a free
 * whose munmap is in no nested category's figure, say; it is kept as it is.) Such a call is set
 * aside (intr, intr_cycles) and estimated from the others, as an untimed one. Kept in, a preemption
 * of a few ms landing in one sampled call of 256 was multiplied by 256 and could double a category's
 * estimate, and timing every call caught every interruption that fell inside a call: on wl_known
 * (12-cycle calls, some 40% of the run inside timed intervals) 1-3 cycles per call, most of what
 * timing every call measured above timing one in 256 (perf/bench/RESULTS.md, issue 12). */
#define HKM_PROF_INTERRUPTED 8192

/* A counting slot: the calls of one kind (an allocation of one size class, say), which stand for a
 * call of one or two categories (hak_alloc and the tier's step). The fast path counts a call by
 * decrementing left, and times it when left reaches 0; the calls counted are end - left. Which
 * categories a slot counts for is the process's (prof.c's slot map; the collection file's header). */
struct hkm_prof_slot {
  int64_t left; /* calls until the next timed one */
  uint64_t end; /* the count at which it falls */
};
#define HKM_PROF_SLOTS 160

/* HAKMEM_PMU: one category's event counts, from the measurements that read the counters (with
 * HAKMEM_PMU_SAMPLE=N one in N, each standing for N). A category measured on every call (exact ones,
 * and with these hooks the sampled ones that run inside calls) has its deltas in delta. One whose
 * calls are counted in slots and timed on a sample (hak_alloc, the slab tiers' steps) has them split
 * as its cycles are: what the measurements of the first kind nested in its calls counted, over every
 * call, and its census calls' own events are counted in full (exact); the rest of its timed calls'
 * own events (delta) are scaled up to the calls of the sampled part. Scaled whole, a census call's
 * first-touch faults inside a refill were multiplied by the sampling period: wl_small's tiny_alloc
 * read 32,619 page faults in a process that took 825. */
#define HKM_PMU_MAX 4
struct hkm_pmu_tally {
  uint64_t sampled; /* measurements whose deltas are in delta */
  uint64_t census;  /* census calls whose own events are in exact */
  uint64_t delta[HKM_PMU_MAX];
  uint64_t exact[HKM_PMU_MAX];
};

/* Category c's count of event e (tally t, counts c as for hkm_prof_estimate, sampled: its calls are
 * counted in slots); *scaled: part of it was scaled up from fewer measurements. */
static inline double hkm_prof_events_estimate(const struct hkm_prof_cat *c, const struct hkm_pmu_tally *t, int sampled,
                                              int e, int *scaled) {
  if (!sampled) {
    *scaled = t->sampled && t->sampled < c->count;
    return t->sampled ? (double)t->delta[e] * (double)c->count / (double)t->sampled : 0;
  }
  double rest = (double)(c->count - c->census);
  *scaled = rest > (double)t->sampled || t->census < c->census; /* HAKMEM_PMU_SAMPLE weighed the census */
  return (double)t->exact[e] + (t->sampled ? (double)t->delta[e] * rest / (double)t->sampled : 0);
}

/* Block states. A block is FREE until a thread takes it, LIVE while it counts, EXITED when the
 * thread's exit handler ran (the thread may still count into it while it tears down), STALE after
 * hak_prof_reset() until its owner zeroes it, OTHERS for the one that holds the threads whose own
 * blocks were taken back for new threads. */
enum { HKM_BLK_FREE, HKM_BLK_LIVE, HKM_BLK_EXITED, HKM_BLK_STALE, HKM_BLK_OTHERS };

/* The head of a thread's block; HKM_PROF_SLOTS struct hkm_prof_slot follow, then ncat struct
 * hkm_prof_cat, then ncat struct hkm_pmu_tally (ncat from the library's category list: prof.h, and
 * the collection file's header). */
struct hkm_prof_block_head {
  uint32_t state;
  int32_t tid;
  uint32_t threads;        /* threads the block holds: 1, or for OTHERS how many were added to it */
  uint32_t pad;
  uint64_t rng;            /* xorshift state for the sampling gaps */
  uint64_t pmu_enabled, pmu_running; /* HAKMEM_PMU: the thread's group times at its last read */
};

/* A category's total cycles. The census: its cycles, as they are. The sampled part: what was nested
 * exactly, plus the rest of its timed calls scaled up to all of them. bias (the timer's own share of
 * every measurement) is taken off per call, and nest (what a measurement that ends inside a timed
 * call adds to that call's interval beyond its own figure: its clock reads and bookkeeping) per such
 * measurement (some 100 cycles, against the 10-20 a slab call costs). An interrupted call (intr) is
 * one of the sampled part's untimed calls. When no call of the sampled part of this group was timed,
 * the rest is taken from pool (the same category over a wider group: the whole process), or
 * else from the census's calls, or is 0. *var gets the variance of the estimate (0 when every call
 * was timed, -1 when it cannot be told: calls of the sampled part were counted, none was timed). */
static inline double hkm_prof_estimate(const struct hkm_prof_cat *c, const struct hkm_prof_cat *pool, double bias,
                                       double nest, double *var) {
  double count = (double)(c->count - c->census), untimed = count - (double)c->timed;
  const struct hkm_prof_cat *from = c->timed ? c : pool;
  double n = (double)from->timed, mean = n > 0 ? ((double)from->cycles - (double)from->inner * nest) / n : 0;
  if (n == 0 && (c->census || pool->census)) { /* the census's calls, first calls as they are */
    const struct hkm_prof_cat *cs = c->census ? c : pool;
    mean = ((double)cs->census_cycles - (double)cs->census_inner * nest) / (double)cs->census;
  }
  double total = (double)c->census_cycles - (double)c->census_inner * nest + (double)c->census_nested -
                 (double)c->census * bias;
  total += (double)c->nested + (double)c->cycles - (double)c->inner * nest + untimed * mean - count * bias;
  *var = 0;
  if (untimed > 0) {
    /* the spread of the timed calls' cycles: this group's, or the pool's when it has too few */
    const struct hkm_prof_cat *sv = from->timed > 1 ? from : pool->timed > 1 ? pool : 0;
    if (n > 0 && sv) {
      double sn = (double)sv->timed, s2 = (sv->sq - (double)sv->cycles * ((double)sv->cycles / sn)) / (sn - 1);
      if (s2 < 0) s2 = 0;
      *var = c->timed ? count * count * (1 - (double)c->timed / count) * s2 / (double)c->timed
                      : count * s2 * (1 + count / n);
    } else {
      *var = -1; /* nothing to estimate the rest or its spread from: unknown */
    }
  }
  return total > 0 ? total : 0;
}

/* Times are inclusive, so no category's total may be below one of its children's (parent[i]: the
 * parent of category i, or negative; parents come before their children). It can come out below when
 * the child is nearly all of it: an L2.5 allocation that is a refill measured the refill within one
 * TSC step (24.5 cycles here) of the whole call, and the nest cost taken off the call per nested
 * measurement was calibrated a step too high (98 cycles instead of 73), so 2,400 such calls came out
 * 32k cycles below their refills. Such a total is raised to its largest child's. */
static inline void hkm_prof_inclusive(double *tot, const int *parent, unsigned n) {
  for (unsigned i = n; i-- > 0;)
    if (parent[i] >= 0 && (unsigned)parent[i] < i && tot[parent[i]] < tot[i]) tot[parent[i]] = tot[i];
}

/* Adds one category's sums c into into: the library's snapshot (from blocks their owners still write,
 * hence the relaxed loads: a figure may miss the measurement in flight, never tear) and hakmem-stat's
 * reading of the collection files. */
static inline void hkm_prof_cat_add(struct hkm_prof_cat *into, const struct hkm_prof_cat *c) {
#define HKM_PROF_LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
  uint64_t timed = HKM_PROF_LOAD(c->timed), census = HKM_PROF_LOAD(c->census);
  if (timed || census) {
    uint64_t mn = HKM_PROF_LOAD(c->min), mx = HKM_PROF_LOAD(c->max);
    if (!(into->timed || into->census) || mn < into->min) into->min = mn;
    if (mx > into->max) into->max = mx;
  }
  into->count += HKM_PROF_LOAD(c->count);
  into->timed += timed;
  into->cycles += HKM_PROF_LOAD(c->cycles);
  into->nested += HKM_PROF_LOAD(c->nested);
  into->sq += c->sq;
  into->census += census;
  into->census_cycles += HKM_PROF_LOAD(c->census_cycles);
  into->census_nested += HKM_PROF_LOAD(c->census_nested);
  into->inner += HKM_PROF_LOAD(c->inner);
  into->census_inner += HKM_PROF_LOAD(c->census_inner);
  into->intr += HKM_PROF_LOAD(c->intr);
  into->intr_cycles += HKM_PROF_LOAD(c->intr_cycles);
#undef HKM_PROF_LOAD
}

/* A timed call's cycles v (its category's min or max) as shown: less bias, and less nest for each
 * measurement that every timed call of the category held (the fewest any held, taken as the mean
 * rounded down: the step of a timed malloc; the rare calls that held more, refills, are long). */
static inline uint64_t hkm_prof_extreme(const struct hkm_prof_cat *c, uint64_t v, uint64_t bias, uint64_t nest) {
  uint64_t n = c->timed + c->census, off = bias + (n ? (c->inner + c->census_inner) / n : 0) * nest;
  return v > off ? v - off : 0;
}

#endif
