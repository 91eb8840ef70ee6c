/* Run-time configuration: HAKMEM_MODE and the short list of HAKMEM_* variables.
 * Read once, at init, with secure_getenv; every other file reads hkm_cfg and never the environment. */
#ifndef HKM_OPTIONS_H
#define HKM_OPTIONS_H

#include <stddef.h>
#include "warn.h"


enum hkm_reclaim_backend { HKM_RECLAIM_SYNC, HKM_RECLAIM_THREAD, HKM_RECLAIM_URING };

enum hkm_mode { HKM_MODE_MINIMAL, HKM_MODE_FAST, HKM_MODE_BALANCED, HKM_MODE_LEARNING, HKM_MODE_RESEARCH };

struct hkm_config {
  int mode;                 /* HAKMEM_MODE */
  int verbose;              /* HAKMEM_VERBOSE: 1 = one-line notices about choices made */
  int timing;               /* HAKMEM_TIMING: 1 = collect per-category cycles */
  int timing_json;          /* HAKMEM_TIMING_FORMAT: 0 = text, 1 = json */
  const char *timing_file;  /* HAKMEM_TIMING_FILE: path, "fd:N", or NULL for stderr */
  int timing_quiet;         /* HAKMEM_TIMING_QUIET: 1 = the profiler never writes to stderr */
  unsigned timing_sample;   /* HAKMEM_TIMING_SAMPLE: time one fast-path call in about N (1 = all) */
  const char *timing_dir;   /* HAKMEM_TIMING_DIR: a directory for the collection files (collect.h) */
  unsigned whale_slots;     /* HAKMEM_WHALE_SLOTS: most freed >2 MiB mappings kept for reuse */
  unsigned whale_slots_least; /* the ring's size at start and after idling (mode preset; whale.c) */
  size_t whale_cache_bytes; /* resident bytes the whale ring may hold (mode preset) */
  int bigcache;             /* 1 = cache 1-2 MiB blocks per call site (mode preset) */
  size_t bigcache_bytes;    /* resident bytes BigCache may hold (mode preset) */
  size_t region_hot_bytes;  /* freed spans kept with their pages (mode preset) */
  size_t slab_keep_bytes;   /* empty L2.5 slabs a thread's heap may keep (mode preset) */
  size_t pages_cache_bytes; /* freed page runs each thread may keep (mode preset; tcache.h) */
  size_t region_cap_bytes;  /* HAKMEM_REGION_CAP_MB: address space the region cache may keep */
  int reclaim;              /* HAKMEM_RECLAIM: enum hkm_reclaim_backend */
  unsigned reclaim_batch;   /* HAKMEM_RECLAIM_BATCH: ranges that trigger a flush */
  unsigned reclaim_delay_ms; /* HAKMEM_RECLAIM_DELAY_MS: longest a range waits for its batch */
  int reclaim_free;         /* HAKMEM_RECLAIM_ADVICE: 1 = MADV_FREE, 0 = MADV_DONTNEED */
  const char *pmu;          /* HAKMEM_PMU: comma list of event names, or NULL */
  unsigned pmu_sample;      /* HAKMEM_PMU_SAMPLE: measure events on 1 in N entries */
  const char *pmu_faults;   /* HAKMEM_PMU_FAULTS: events sampled with their data address, or NULL */
  unsigned pmu_faults_period; /* HAKMEM_PMU_FAULTS_PERIOD: one sample every N events */
  int learn;                /* learning and research: the site learner runs (learn.c) */
  int learn_research;       /* research: every backing explored, each decision logged */
  const char *learn_file;   /* HAKMEM_LEARN_FILE: learned site rules loaded at start, saved at exit */
  const char *learn_force;  /* HAKMEM_LEARN_FORCE: one rule for every site, no learner (benchmarks) */
};

/* The profiler times one call of the fast paths in about this many by default: few enough that
 * profiling costs a few percent (perf/bench/RESULTS.md, issue 12), enough that a run of 10^5 calls
 * has its cycles to within a few percent. */
#define HKM_TIMING_SAMPLE_DEFAULT 256

extern struct hkm_config hkm_cfg;

/* Parse the environment into hkm_cfg. Unknown HAKMEM_* names and bad values: one warning line each. */
void hkm_config_load(void);

/* The mode's name, as HAKMEM_MODE spells it. */
const char *hkm_mode_name(int mode);


#endif
