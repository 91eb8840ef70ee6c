/* HAKMEM_PMU: the event columns of the profile (pmu.c); the measurement hooks are in prof.h. */
#ifndef HKM_PMU_H
#define HKM_PMU_H

#include "prof.h"

/* Encodes HAKMEM_PMU's names (warning about unknown ones) and arms the hooks; from init, outside
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
