/* HAKMEM_MODE and the HAKMEM_* variables.
 *
 * Few knobs on purpose: a mode picks a coherent preset, and a handful of variables override single
 * values. Anything else spelled HAKMEM_* is most likely a typo the user would want to hear about. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "compiler.h"
#include "options.h"

/* Every default, the balanced preset's sizes among them, as initialized data: a process without
 * HAKMEM_* variables reads none of this file's constants (hkm_config_load returns at once), so the
 * library's read-only segment (its string literals, 36 KiB with the unwind tables) is never mapped in:
 * the kernel maps a file page's whole 64 KiB window on its first read, and the variable names that
 * secure_getenv compared were the only constants most processes read (perf/bench/RESULTS.md, "The
 * read-only segment left alone"). The release defaults: a batch of 32 ranges amortizes one
 * io_uring_enter over many madvises; 10 ms is short enough that nobody watching RSS sees the delay and
 * long enough to gather a burst of frees into one batch. MADV_FREE only on request: its pages still
 * count in RSS until the kernel needs them, and users watch RSS. */
struct hkm_config hkm_cfg = {
    .mode = HKM_MODE_BALANCED,
    /* libhakmem-prof.so's fast paths count every call into the profiler's blocks, which only
     * profiling hands out */
    .timing = HKM_COUNTING,
    .timing_sample = HKM_TIMING_SAMPLE_DEFAULT,
    /* One slot to start with (RESULTS.md "Whale ring of one": 8 fixed slots held up to 8 freed
     * mappings resident over the live ones, wl_whale_evict 63.8 -> 50.2 MiB, wl_prewarm 264 -> 211, same
     * speed); the ring grows towards 16 only while the mappings it let go are asked for again (whale.c). */
    .whale_slots = 16,
    .whale_slots_least = 1,
    .whale_cache_bytes = (size_t)256 << 20, /* bounded in time by the decay (whale.c) */
    .bigcache = 1,
    .bigcache_bytes = (size_t)32 << 20, /* bounded in time by the decay (bigcache.c) */
    .region_hot_bytes = (size_t)32 << 20, /* bounded in time by the decay (region.c) */
    .slab_keep_bytes = (size_t)32 << 20,  /* one empty slab for each L2.5 class */
    .pages_cache_bytes = (size_t)512 << 10,
    .region_cap_bytes = (size_t)1024 << 20,
#if HKM_HAVE_URING
    .reclaim = HKM_RECLAIM_URING,
#else
    .reclaim = HKM_RECLAIM_THREAD,
#endif
    .reclaim_batch = 32,
    .reclaim_delay_ms = 10,
    .pmu_sample = 1,
    .pmu_faults_period = 1,
};

static const char *const mode_names[] = {"minimal", "fast", "balanced", "learning", "research"};

const char *hkm_mode_name(int mode) { return mode_names[mode]; }

/* Mode presets over the balanced one (hkm_cfg's initializer). Sizes are resident bytes each cache may
 * hold before it gives pages back. */
static void apply_mode(int mode) {
  hkm_cfg.mode = mode;
  if (mode == HKM_MODE_MINIMAL) { /* smallest footprint: nothing kept beyond the slabs themselves */
    hkm_cfg.whale_slots = 0;
    hkm_cfg.whale_slots_least = 0;
    hkm_cfg.whale_cache_bytes = 0;
    hkm_cfg.bigcache = 0;
    hkm_cfg.bigcache_bytes = 0;
    hkm_cfg.region_hot_bytes = 0;
    hkm_cfg.slab_keep_bytes = 0;
    hkm_cfg.pages_cache_bytes = 0;
  } else if (mode == HKM_MODE_FAST) { /* trade memory for fewer page faults */
    hkm_cfg.whale_slots = 16;
    hkm_cfg.whale_slots_least = 16;
    hkm_cfg.whale_cache_bytes = (size_t)1 << 30;
    hkm_cfg.bigcache = 1;
    hkm_cfg.bigcache_bytes = (size_t)64 << 20;
    hkm_cfg.region_hot_bytes = (size_t)64 << 20;
    hkm_cfg.slab_keep_bytes = (size_t)64 << 20;
    hkm_cfg.pages_cache_bytes = (size_t)1 << 20;
  } /* learning and research build on balanced */
}

/* Parse a non-negative decimal; returns 0 on success. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out) {
  if (!s || !*s) return -1;
  unsigned long v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return -1;
    if (v > (max - (unsigned long)(*s - '0')) / 10) return -1;
    v = v * 10 + (unsigned long)(*s - '0');
  }
  *out = v;
  return 0;
}

/* A count variable: min..max, else one warning and *dst keeps its default. */
static void count_var(const char *name, unsigned long min, unsigned long max, unsigned *dst) {
  const char *v = secure_getenv(name);
  unsigned long n;
  if (!v || !*v) return;
  if (parse_uint(v, max, &n) == 0 && n >= min)
    *dst = (unsigned)n;
  else
    hkm_warn("%s=%s is not a number from %lu to %lu; using %u", name, v, min, max, *dst);
}

static int parse_bool(const char *name, const char *s, int def) {
  if (!strcmp(s, "1") || !strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true")) return 1;
  if (!strcmp(s, "0") || !strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false")) return 0;
  hkm_warn("%s=%s is not 0 or 1; using %d", name, s, def);
  return def;
}

/* Every variable hakmem reads. Later features add theirs here, and to README and hakmem(3). */
static const char *const known_vars[] = {
    "HAKMEM_MODE",         "HAKMEM_VERBOSE",     "HAKMEM_TIMING",        "HAKMEM_TIMING_FORMAT",
    "HAKMEM_TIMING_FILE",  "HAKMEM_WHALE_SLOTS", "HAKMEM_REGION_CAP_MB", "HAKMEM_RECLAIM",
    "HAKMEM_RECLAIM_BATCH", "HAKMEM_RECLAIM_DELAY_MS", "HAKMEM_RECLAIM_ADVICE", "HAKMEM_TIMING_QUIET",
    "HAKMEM_PMU",          "HAKMEM_PMU_SAMPLE",  "HAKMEM_PMU_FAULTS",    "HAKMEM_PMU_FAULTS_PERIOD",
    "HAKMEM_TIMING_SAMPLE", "HAKMEM_TIMING_DIR",
    "HAKMEM_LEARN_FILE",   "HAKMEM_LEARN_FORCE",
};

static void warn_unknown_vars(void) {
  extern char **environ;
  if (getauxval(AT_SECURE) || !environ) return; /* setuid: the environment is not ours to judge */
  for (char **e = environ; *e; e++) {
    if (strncmp(*e, "HAKMEM_", 7) != 0) continue;
    size_t len = strcspn(*e, "=");
    int known = 0;
    for (size_t i = 0; i < sizeof known_vars / sizeof known_vars[0]; i++)
      if (strlen(known_vars[i]) == len && !strncmp(*e, known_vars[i], len)) known = 1;
    if (!known) hkm_warn("unknown variable %.*s ignored (see hakmem(3) for the list)", (int)len, *e);
  }
}

/* Deferred release (defaults: hkm_cfg's initializer). */
static void load_reclaim(void) {
  const char *v;
  if ((v = secure_getenv("HAKMEM_RECLAIM")) && *v) {
    if (!strcmp(v, "sync"))
      hkm_cfg.reclaim = HKM_RECLAIM_SYNC;
    else if (!strcmp(v, "thread"))
      hkm_cfg.reclaim = HKM_RECLAIM_THREAD;
    else if (!strcmp(v, "uring"))
#if HKM_HAVE_URING
      hkm_cfg.reclaim = HKM_RECLAIM_URING;
#else
      hkm_warn("HAKMEM_RECLAIM=uring: built --without-uring; using thread");
#endif
    else
      hkm_warn("HAKMEM_RECLAIM=%s is not uring, thread or sync; using the default", v);
  }
  count_var("HAKMEM_RECLAIM_BATCH", 1, 4096, &hkm_cfg.reclaim_batch);
  count_var("HAKMEM_RECLAIM_DELAY_MS", 0, 10000, &hkm_cfg.reclaim_delay_ms);
  if ((v = secure_getenv("HAKMEM_RECLAIM_ADVICE")) && *v) {
    if (!strcmp(v, "free"))
      hkm_cfg.reclaim_free = 1;
    else if (strcmp(v, "dontneed") != 0)
      hkm_warn("HAKMEM_RECLAIM_ADVICE=%s is not dontneed or free; using dontneed", v);
  }
}

/* An event list variable: 0/off = none, 1/on/default = the default list, anything else is the list. */
static const char *event_list(const char *v, const char *def) {
  if (!strcmp(v, "0") || !strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) return NULL;
  if (!strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "default"))
    return def;
  return v;
}

/* Events. Either list turns the profiler on: events without a report would be counted for nobody.
 * Research mode samples induced faults unless told otherwise. */
static void load_pmu(void) {
  const char *v;
  if (hkm_cfg.mode == HKM_MODE_RESEARCH && HKM_ENABLE_TIMING) hkm_cfg.pmu_faults = "page-faults";
  if ((v = secure_getenv("HAKMEM_PMU")) && *v) hkm_cfg.pmu = event_list(v, "cycles,page-faults,dTLB-load-misses");
  if ((v = secure_getenv("HAKMEM_PMU_FAULTS")) && *v) hkm_cfg.pmu_faults = event_list(v, "page-faults");
  count_var("HAKMEM_PMU_SAMPLE", 1, 1000000, &hkm_cfg.pmu_sample);
  count_var("HAKMEM_PMU_FAULTS_PERIOD", 1, 1000000, &hkm_cfg.pmu_faults_period);
  if (hkm_cfg.pmu || hkm_cfg.pmu_faults) hkm_cfg.timing = 1;
}

/* Whether the environment has any HAKMEM_* variable, compared a character at a time: a string literal
 * here would map the read-only segment in every process (hkm_cfg's initializer says why). */
static int hakmem_vars(void) {
  extern char **environ;
  if (!environ) return 0;
  for (char **e = environ; *e; e++) {
    const char *s = *e;
    if (s[0] == 'H' && s[1] == 'A' && s[2] == 'K' && s[3] == 'M' && s[4] == 'E' && s[5] == 'M' && s[6] == '_') return 1;
  }
  return 0;
}

void hkm_config_load(void) {
  const char *v;
  if (!hakmem_vars()) return; /* every default is in hkm_cfg's initializer */
  /* The collection file takes the warnings (collect.c), but it is made after this: hold them. */
  if ((v = secure_getenv("HAKMEM_TIMING_DIR")) && *v) {
    hkm_cfg.timing_dir = v;
    hkm_cfg.timing = 1;
    hkm_warn_hold();
  }
  int mode = HKM_MODE_BALANCED;
  if ((v = secure_getenv("HAKMEM_MODE")) && *v) {
    int found = -1;
    for (int i = 0; i < 5; i++)
      if (!strcmp(v, mode_names[i])) found = i;
    if (found < 0)
      hkm_warn("HAKMEM_MODE=%s is not one of minimal, fast, balanced, learning, research; using balanced", v);
    else
      mode = found;
  }
  apply_mode(mode);

  if ((v = secure_getenv("HAKMEM_VERBOSE")) && *v) hkm_cfg.verbose = parse_bool("HAKMEM_VERBOSE", v, 0);
  hkm_cfg.learn = mode == HKM_MODE_LEARNING || mode == HKM_MODE_RESEARCH;
  hkm_cfg.learn_research = mode == HKM_MODE_RESEARCH;
  if (mode == HKM_MODE_RESEARCH && HKM_ENABLE_TIMING)
    hkm_warn("HAKMEM_MODE=research: learning, exploring every backing and logging each decision, with the profiler "
             "and induced-fault sampling on");
  else if (mode == HKM_MODE_RESEARCH)
    hkm_warn("HAKMEM_MODE=research: learning, exploring every backing and logging each decision (built with "
             "--disable-timing: no profiler)");
  if ((v = secure_getenv("HAKMEM_LEARN_FILE")) && *v) hkm_cfg.learn_file = v;
  if ((v = secure_getenv("HAKMEM_LEARN_FORCE")) && *v) hkm_cfg.learn_force = v;

  if ((v = secure_getenv("HAKMEM_TIMING")) && *v) {
    hkm_cfg.timing = parse_bool("HAKMEM_TIMING", v, 0);
    if (HKM_COUNTING && !hkm_cfg.timing)
      hkm_warn("HAKMEM_TIMING=%s ignored: libhakmem-prof.so always profiles (preload libhakmem.so to run "
               "without the profiler)", v);
  }
  if (HKM_COUNTING) hkm_cfg.timing = 1; /* as in hkm_cfg's initializer */
  if ((v = secure_getenv("HAKMEM_TIMING_FORMAT")) && *v) {
    if (!strcmp(v, "json"))
      hkm_cfg.timing_json = 1;
    else if (strcmp(v, "text") != 0)
      hkm_warn("HAKMEM_TIMING_FORMAT=%s is not text or json; using text", v);
  }
  if ((v = secure_getenv("HAKMEM_TIMING_FILE")) && *v) hkm_cfg.timing_file = v;
  if ((v = secure_getenv("HAKMEM_TIMING_QUIET")) && *v)
    hkm_cfg.timing_quiet = parse_bool("HAKMEM_TIMING_QUIET", v, 0);
  count_var("HAKMEM_TIMING_SAMPLE", 1, 1000000, &hkm_cfg.timing_sample);

  unsigned long n;
  count_var("HAKMEM_WHALE_SLOTS", 0, 64, &hkm_cfg.whale_slots);
  if ((v = secure_getenv("HAKMEM_REGION_CAP_MB")) && *v) {
    if (parse_uint(v, 1UL << 24, &n) == 0)
      hkm_cfg.region_cap_bytes = (size_t)n << 20;
    else
      hkm_warn("HAKMEM_REGION_CAP_MB=%s is not a number of MiB; using %zu", v, hkm_cfg.region_cap_bytes >> 20);
  }
  load_reclaim();
  load_pmu();
  warn_unknown_vars();
}
