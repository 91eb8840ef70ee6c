/* HAKMEM_PMU: event counts per category beside the cycles (pmu.c). It hooks into the profiler's
 * measurements (hkm_prof_set_hooks) and adds each measurement's deltas to its category. */
#ifndef HKM_PMU_H
#define HKM_PMU_H

#include "prof.h"

/* Encodes HAKMEM_PMU's names (warning about unknown ones) and installs the hooks; from init, outside
 * every lock, since libpfm4 allocates while it initializes. */
void hkm_pmu_init(void);

struct hkm_pmu_info {
  int n;                            /* events encoded; 0 = no columns */
  const char *name[HKM_PMU_MAX];
  int supported[HKM_PMU_MAX];       /* opened */
  const char *error[HKM_PMU_MAX];   /* why not (hkm_event_why of perf_event_open's errno) */
  unsigned sample_every;            /* HAKMEM_PMU_SAMPLE */
  int rdpmc;                        /* counters were read with rdpmc somewhere */
};
void hkm_pmu_info(struct hkm_pmu_info *info);

#endif
