/* HAKMEM_PMU: kernel and PMU event deltas per category, beside the cycles.
 *
 * Each thread opens its own group lazily, at its first measurement (perf_event_open with pid 0 counts
 * only the calling thread, and a process watching itself may do that with perf_event_paranoid 2).
 * A measurement snapshots the group at its start and adds the difference at its end, so deltas are
 * inclusive exactly like the cycles. Counters are read with rdpmc from the mmap'd page when every
 * event of the group allows it (hardware events on kernels that permit it), with one read() of the
 * whole group otherwise; read() is a system call, hence HAKMEM_PMU_SAMPLE=N to measure every Nth
 * entry only (the report scales those figures and marks them).
 *
 * An event that cannot be opened is not an error: the group goes on without it and the report prints
 * <not supported> and the reason. Nothing here allocates after init. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "options.h"
#include "perfev.h"
#include "pmu.h"
#include "prof.h"

/* The snapshot's nesting level (1..15) rides in the low 4 bits of the TSC that the begin hook
 * returns; 0 there means the measurement was not sampled. */
#define LEVEL_MASK 15u

static int nev;
static unsigned sample_every = 1;
static HKM_COLD_BSS char names[HKM_PMU_MAX][HKM_EVENT_NAME_MAX];
static HKM_COLD_BSS struct perf_event_attr attrs[HKM_PMU_MAX];
/* First outcome of opening each event, in whichever thread tried first: 0 not tried, 1 opened,
 * ST_UNAVAILABLE never to be tried (it could not be encoded here: why[] says why), else the errno
 * that perf_event_open gave. */
#define ST_UNAVAILABLE (-1)
static int status[HKM_PMU_MAX];
static int used_rdpmc;
static HKM_COLD_BSS char why[HKM_PMU_MAX][128]; /* the reason each event was refused, for the report */
static pthread_key_t exit_key;

enum { PT_NEW, PT_OPEN, PT_NONE, PT_OPENING };

struct pt {
  int state;
  int fd[HKM_PMU_MAX];  /* -1: not open in this thread */
  int pos[HKM_PMU_MAX]; /* index in the group's read() */
  int leader, nopen, rdpmc;
  struct perf_event_mmap_page *pg[HKM_PMU_MAX];
  unsigned depth, tick;
  uint64_t snap[LEVEL_MASK][HKM_PMU_MAX];
  /* Events of the exact measurements with sampled ancestors so far, each counted once (an exact one's
   * delta replaces those nested in it), and their sum at each open level's start: what a
   * measurement's interval holds of such measurements nested in it. */
  uint64_t xacc[HKM_PMU_MAX], xsnap[LEVEL_MASK][HKM_PMU_MAX];
};

static HKM_TLS struct pt self;

static void close_thread(struct pt *t) {
  if (t->state != PT_OPEN) return; /* fds are only ever set by open_thread */
  for (int e = 0; e < nev; e++) {
    if (t->pg[e]) munmap(t->pg[e], (size_t)sysconf(_SC_PAGESIZE));
    if (t->fd[e] >= 0) close(t->fd[e]);
    t->pg[e] = NULL;
    t->fd[e] = -1;
  }
  t->nopen = 0;
  t->depth = 0;
}

static void thread_exit(void *arg) {
  struct pt *t = arg;
  close_thread(t);
  t->state = PT_NONE; /* a later measurement in this thread's teardown is simply not sampled */
}

static int rdpmc_allowed(const struct perf_event_mmap_page *pg) { return HKM_CAP_RDPMC(pg) && pg->index; }

static void open_thread(struct pt *t) {
  t->state = PT_OPENING;
  t->leader = -1;
  t->rdpmc = 1;
  for (int e = 0; e < nev; e++) {
    if (status[e] == ST_UNAVAILABLE) {
      t->fd[e] = -1;
      t->pg[e] = NULL;
      continue;
    }
    struct perf_event_attr a = attrs[e];
    a.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    t->fd[e] = hkm_event_open(&a, t->leader < 0 ? -1 : t->fd[t->leader]);
    t->pg[e] = NULL;
    int st = t->fd[e] >= 0 ? 1 : errno ? errno : EINVAL;
    int none = 0;
    __atomic_compare_exchange_n(&status[e], &none, st, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    if (t->fd[e] < 0) continue;
    t->pos[e] = t->nopen++;
    if (t->leader < 0) t->leader = e;
    void *m = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED, t->fd[e], 0);
    if (m != MAP_FAILED) t->pg[e] = m;
    if (m == MAP_FAILED || !rdpmc_allowed(t->pg[e])) t->rdpmc = 0;
  }
  if (!t->nopen) {
    t->state = PT_NONE;
    return;
  }
  if (t->rdpmc) __atomic_store_n(&used_rdpmc, 1, __ATOMIC_RELAXED);
  t->state = PT_OPEN;
  /* After the state is set: glibc may calloc here, which measures through an open group. */
  pthread_setspecific(exit_key, t);
}

static uint64_t rdpmc(unsigned counter) {
  uint32_t lo, hi;
  __asm__ __volatile__("rdpmc" : "=a"(lo), "=d"(hi) : "c"(counter));
  return ((uint64_t)hi << 32) | lo;
}

/* The counter from user space, per the protocol of the mmap'd page: retry while the kernel updates
 * it (seqlock), sign-extend the raw value to pmc_width bits, add the kernel's offset. */
static int read_rdpmc(const struct perf_event_mmap_page *pg, uint64_t *v, uint64_t *en, uint64_t *run) {
  uint32_t seq;
  uint64_t count;
  do {
    seq = __atomic_load_n(&pg->lock, __ATOMIC_ACQUIRE);
    uint32_t idx = pg->index;
    if (!HKM_CAP_RDPMC(pg) || !idx) return -1;
    int64_t raw = (int64_t)rdpmc(idx - 1);
    unsigned shift = 64 - pg->pmc_width;
    raw = (int64_t)((uint64_t)raw << shift) >> shift;
    count = (uint64_t)pg->offset + (uint64_t)raw;
    *en = pg->time_enabled;
    *run = pg->time_running;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
  } while (__atomic_load_n(&pg->lock, __ATOMIC_RELAXED) != seq);
  *v = count;
  return 0;
}

static int read_now(struct pt *t, uint64_t v[HKM_PMU_MAX]) {
  uint64_t en = 0, run = 0;
  memset(v, 0, sizeof(uint64_t) * HKM_PMU_MAX);
  if (t->rdpmc) {
    int ok = 1;
    for (int e = 0; e < nev && ok; e++)
      if (t->fd[e] >= 0 && read_rdpmc(t->pg[e], &v[e], &en, &run) != 0) ok = 0;
    if (ok) {
      hkm_prof_event_times(en, run);
      return 0;
    }
  }
  uint64_t buf[3 + HKM_PMU_MAX];
  ssize_t n = read(t->fd[t->leader], buf, sizeof buf);
  if (n < (ssize_t)(3 * sizeof(uint64_t)) || buf[0] != (uint64_t)t->nopen) return -1;
  for (int e = 0; e < nev; e++)
    if (t->fd[e] >= 0) v[e] = buf[3 + t->pos[e]];
  hkm_prof_event_times(buf[1], buf[2]);
  return 0;
}

/* The TSC less the hooks' cycles so far, which now include those since entry (at). */
static uint64_t hooks_clock(uint64_t at) {
  uint64_t now = hkm_tsc();
  hkm_prof_self.hooked += now - at;
  return (now - hkm_prof_self.hooked) & ~(uint64_t)LEVEL_MASK;
}

/* The begin hook: pushes a counter snapshot. Its reads are left out of every interval (hooks_clock):
 * this level's, and the enclosing measurements'. */
static uint64_t pmu_begin(void) {
  uint64_t at = hkm_tsc();
  struct pt *t = &self;
  if (hkm_unlikely(t->state == PT_NEW)) open_thread(t);
  if (t->state != PT_OPEN || t->depth >= LEVEL_MASK || (sample_every > 1 && t->tick++ % sample_every) ||
      read_now(t, t->snap[t->depth]) != 0)
    return hooks_clock(at);
  memcpy(t->xsnap[t->depth], t->xacc, sizeof t->xacc);
  t->depth++;
  return hooks_clock(at) | t->depth;
}

/* The end hook: the deltas since the snapshot at the start's level, into the category. */
static void pmu_end_at(int cat, uint64_t start) {
  struct pt *t = &self;
  unsigned level = (unsigned)(start & LEVEL_MASK);
  if (!level || t->state != PT_OPEN || level > t->depth) return; /* e.g. a snapshot from before a fork */
  /* Set the depth from the level, not by popping: a measurement that never ended (an early return
   * between START and END) cannot shift every later one. */
  t->depth = level - 1;
  uint64_t now[HKM_PMU_MAX], delta[HKM_PMU_MAX], nested[HKM_PMU_MAX];
  if (read_now(t, now) != 0) return;
  for (int e = 0; e < HKM_PMU_MAX; e++) {
    delta[e] = now[e] - t->snap[level - 1][e];
    nested[e] = t->xacc[e] - t->xsnap[level - 1][e];
  }
  if (hkm_prof_add_events(cat, delta, nested, sample_every))
    for (int e = 0; e < HKM_PMU_MAX; e++) t->xacc[e] = t->xsnap[level - 1][e] + delta[e];
}

/* The end hook's reads and bookkeeping are the hooks' cycles too: the measurements around this one
 * are still open. */
static void pmu_end(int cat, uint64_t start) {
  uint64_t at = hkm_tsc();
  pmu_end_at(cat, start);
  (void)hooks_clock(at);
}

static const struct hkm_prof_hooks hooks = {pmu_begin, pmu_end};

/* The forked child's group would count the parent's thread: close it, open anew on next use. */
static void fork_child(void) {
  close_thread(&self);
  self.state = PT_NEW;
}

void hkm_pmu_init(void) {
  const char *list = hkm_cfg.pmu;
  if (!list) return;
  if (!HKM_ENABLE_TIMING) {
    hkm_warn("HAKMEM_PMU ignored: this hakmem was built with --disable-timing");
    return;
  }
  char want[HKM_PMU_MAX][HKM_EVENT_NAME_MAX];
  int n = hkm_event_split(list, want, HKM_PMU_MAX, "HAKMEM_PMU");
  for (int i = 0; i < n; i++) {
    char reason[128];
    int r = hkm_event_encode(want[i], &attrs[nev], reason, sizeof reason);
    if (r == -1) {
      hkm_warn("HAKMEM_PMU: unknown event '%s' ignored (%s)", want[i], reason);
      continue;
    }
    if (r == HKM_EVENT_UNAVAILABLE) { /* a column of <not supported>, with the reason */
      snprintf(why[nev], sizeof why[nev], "%s", reason);
      status[nev] = ST_UNAVAILABLE;
    }
    memcpy(names[nev++], want[i], HKM_EVENT_NAME_MAX);
  }
  for (int e = 0; e < HKM_PMU_MAX; e++) self.fd[e] = -1;
  if (!nev) return;
  sample_every = hkm_cfg.pmu_sample ? hkm_cfg.pmu_sample : 1;
  pthread_key_create(&exit_key, thread_exit);
  pthread_atfork(NULL, NULL, fork_child);
  hkm_prof_set_hooks(&hooks);
}

void hkm_pmu_info(struct hkm_pmu_info *info) {
  memset(info, 0, sizeof *info);
  info->n = nev;
  info->sample_every = sample_every;
  info->rdpmc = __atomic_load_n(&used_rdpmc, __ATOMIC_RELAXED);
  /* An event nobody has tried yet (no measurement so far) is tried now, so the report can tell. */
  if (nev && self.state == PT_NEW) open_thread(&self);
  for (int e = 0; e < nev; e++) {
    info->name[e] = names[e];
    int st = __atomic_load_n(&status[e], __ATOMIC_RELAXED);
    info->supported[e] = st == 1;
    info->error[e] = st == 1                ? NULL
                     : st == 0              ? "never opened"
                     : st == ST_UNAVAILABLE ? why[e]
                                            : hkm_event_why(st, &attrs[e], why[e], sizeof why[e]);
  }
}
