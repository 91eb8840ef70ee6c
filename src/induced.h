/* Induced cost: page faults (or, on hardware that gives data addresses, TLB misses) the program takes
 * on memory hakmem handed out, traced back through the page map to the tier, size class and
 * allocation call site that own the address. HAKMEM_PMU_FAULTS=1 (or a list of event names).
 *
 * One sampling event per name, opened at init on the main thread with inherit to the threads it
 * creates, all writing to one ring buffer (PERF_SAMPLE_ADDR). A helper thread drains it when it is a
 * quarter full; large allocations and frees drain it too, so a fault is attributed while the range
 * it hit still belongs to the block that took it. Lost records are counted and reported. */
#ifndef HKM_INDUCED_H
#define HKM_INDUCED_H

#include <stdint.h>
#include "compiler.h"
#include "sizeclass.h"
#include "types.h"

#define HKM_INDUCED_EVENTS 4
#define HKM_INDUCED_SITES 16 /* call sites a report lists, most faults first */

extern int hkm_induced_on __attribute__((visibility("hidden")));

/* Opens the sampler when HAKMEM_PMU_FAULTS asks; after init, outside every lock (may allocate). */
void hkm_induced_init(void);
void hkm_induced_drain_slow(void);
/* Attribute what the ring holds now. Cheap when the ring is empty; never blocks on another drain. */
HKM_INLINE void hkm_induced_drain(void) {
  if (hkm_unlikely(hkm_induced_on)) hkm_induced_drain_slow();
}
void hkm_induced_fork_child(void);

struct hkm_induced_site {
  const void *site;
  uint8_t tier;
  uint64_t faults;
};

struct hkm_induced_event {
  char name[64]; /* HKM_EVENT_NAME_MAX */
  int supported;   /* opened */
  char error[96];  /* why not, when not */
  uint64_t tier[HKM_TIER_COUNT];
  uint64_t cls[HKM_NCLASSES];
  uint64_t other;  /* addresses hakmem does not own */
  uint64_t samples;
};

/* What a report shows; counts are samples times the period (HAKMEM_PMU_FAULTS_PERIOD). */
struct hkm_induced_report {
  int enabled;
  int nevents;
  unsigned period;
  uint64_t lost;      /* records the kernel dropped because the ring was full */
  uint64_t throttled; /* times the kernel throttled sampling */
  struct hkm_induced_event ev[HKM_INDUCED_EVENTS];
  int nsites;
  struct hkm_induced_site sites[HKM_INDUCED_SITES]; /* first event only */
  uint64_t site_total; /* faults of the first event that have a site (all sites, not only the top) */
};

/* Drains first. Does not allocate. */
void hkm_induced_snapshot(struct hkm_induced_report *r);
void hkm_induced_reset(void);

#endif
