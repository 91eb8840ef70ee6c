/* The fault sampler (see induced.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helper.h"
#include "induced.h"
#include "options.h"
#include "pagemap.h"
#include "perfev.h"

int hkm_induced_on;

/* The kernel maps no ring for an event that is both per-task and inherited (every thread would write
 * into one buffer), so each event is opened once per CPU, for this task and the threads it creates,
 * and each CPU gets one ring that its events share. A ring of 256 pages holds ~32000 records, which
 * a busy machine needs: the helper wakes every 8 pages of records, but when it waits for a CPU, a program
 * touching pages as fast as it can keeps filling the ring. Locked perf memory is limited per user
 * (perf_event_mlock_kb per CPU, then RLIMIT_MEMLOCK), so a mapping refused for that is retried
 * smaller, down to 16 pages. CPUs past MAX_CPUS are not watched (the report's lost and process
 * fault counts show it). */
#define MAX_CPUS 64
#define RING_PAGES_MAX 256
#define RING_PAGES_MIN 16
#define SITE_SLOTS 1024

struct ring {
  struct perf_event_mmap_page *pg; /* NULL: no ring on this CPU */
  int fd;                          /* the event that owns it */
  size_t bytes;
};

static int nev, ncpu;
static unsigned period = 1;
static HKM_COLD_BSS int fd[HKM_INDUCED_EVENTS][MAX_CPUS];
static HKM_COLD_BSS uint64_t id[HKM_INDUCED_EVENTS][MAX_CPUS];
static HKM_COLD_BSS struct ring rings[MAX_CPUS];
static int nrings;
static size_t page, ring_pages;
static int filter_pid; /* the kernel lacks inherit_thread: child processes share our ring */
static pid_t self_pid;
static int reopen; /* forked child: our fds watch the parent; open our own at the next drain */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* all below; never held across a syscall that waits */
static HKM_COLD_BSS struct hkm_induced_event ev[HKM_INDUCED_EVENTS];
static uint64_t lost, throttled;
static HKM_COLD_BSS struct hkm_induced_site site[SITE_SLOTS];
static uint64_t site_total;

static void site_add(const void *s, uint8_t tier) {
  site_total++;
  uintptr_t h = ((uintptr_t)s * 0x9e3779b97f4a7c15u + tier) >> 54; /* 10 bits: SITE_SLOTS */
  for (unsigned i = 0; i < SITE_SLOTS; i++) {
    struct hkm_induced_site *e = &site[(h + i) % SITE_SLOTS];
    if (!e->faults) {
      e->site = s;
      e->tier = tier;
    }
    if (e->site == s && e->tier == tier) {
      e->faults++;
      return;
    }
  }
  /* Table full: the fault still counts for its tier and in site_total, under no listed site. */
}

static void attribute(int e, uint64_t addr) {
  struct hkm_induced_event *v = &ev[e];
  v->samples++;
  struct hkm_span *s = hkm_pagemap_find((const void *)addr); /* inside a Whale block too */
  if (!s || s->kind == HKM_KIND_FREE || addr < s->base || addr - s->base >= s->bytes || s->tier >= HKM_TIER_COUNT) {
    v->other++;
    return;
  }
  v->tier[s->tier]++;
  if (s->kind == HKM_KIND_SLAB && s->cls < HKM_NCLASSES) v->cls[s->cls]++;
  if (e == 0) site_add(s->site, s->tier);
}

static void copy_out(const struct ring *r, void *dst, uint64_t at, size_t n) {
  const unsigned char *data = (const unsigned char *)r->pg + page;
  size_t off = at % r->bytes, first = n < r->bytes - off ? n : r->bytes - off;
  memcpy(dst, data + off, first);
  memcpy((unsigned char *)dst + first, data, n - first);
}

/* Record layouts we asked for: sample = id, pid/tid, addr (PERF_SAMPLE_IDENTIFIER|TID|ADDR);
 * lost = id, count; throttle = time, id, stream id. */
static void handle(int cpu, const struct perf_event_header *h, const unsigned char *r) {
  uint64_t a, b;
  if (h->type == PERF_RECORD_SAMPLE && h->size >= 32) {
    uint32_t pid;
    memcpy(&a, r + 8, 8);
    memcpy(&pid, r + 16, 4);
    memcpy(&b, r + 24, 8);
    if (filter_pid && (pid_t)pid != self_pid) return;
    for (int e = 0; e < nev; e++)
      if (fd[e][cpu] >= 0 && id[e][cpu] == a) attribute(e, b);
  } else if (h->type == PERF_RECORD_LOST && h->size >= 24) {
    memcpy(&b, r + 16, 8);
    lost += b;
  } else if (h->type == PERF_RECORD_THROTTLE) {
    throttled++;
  }
}

static int ring_pending(const struct ring *r) {
  return r->pg && __atomic_load_n(&r->pg->data_head, __ATOMIC_ACQUIRE) != r->pg->data_tail;
}

static void drain_ring(int cpu) {
  struct ring *r = &rings[cpu];
  uint64_t head = __atomic_load_n(&r->pg->data_head, __ATOMIC_ACQUIRE);
  uint64_t tail = r->pg->data_tail;
  unsigned char rec[512];
  while (tail + sizeof(struct perf_event_header) <= head) {
    struct perf_event_header h;
    copy_out(r, &h, tail, sizeof h);
    if (h.size < sizeof h || tail + h.size > head) break;
    if (h.size <= sizeof rec) {
      copy_out(r, rec, tail, h.size);
      handle(cpu, &h, rec);
    }
    tail += h.size;
  }
  __atomic_store_n(&r->pg->data_tail, tail, __ATOMIC_RELEASE);
}

static void drain_locked(void) {
  for (int c = 0; c < ncpu; c++)
    if (ring_pending(&rings[c])) drain_ring(c);
}

static void *drainer(void *arg) {
  (void)arg;
  struct pollfd p[MAX_CPUS];
  int n = 0;
  for (int c = 0; c < ncpu; c++)
    if (rings[c].pg) p[n++] = (struct pollfd){rings[c].fd, POLLIN, 0};
  for (;;) {
    poll(p, (nfds_t)n, 50);
    pthread_mutex_lock(&lock);
    drain_locked();
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

static int map_ring(int cpu, int f) {
  void *m;
  while ((m = mmap(NULL, (ring_pages + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0)) == MAP_FAILED &&
         (errno == EPERM || errno == ENOMEM) && ring_pages > RING_PAGES_MIN)
    ring_pages /= 2;
  if (m == MAP_FAILED) return -1;
  rings[cpu] = (struct ring){m, f, ring_pages * page};
  nrings++;
  return 0;
}

/* Opens name on every CPU. Returns -1 for a name libpfm4 does not know (dropped with a warning),
 * else 0, with ev[e].supported or ev[e].error set. */
static int open_one(int e, const char *name) {
  struct perf_event_attr a;
  char why[96];
  int r = hkm_event_encode(name, &a, why, sizeof why);
  if (r == -1) {
    hkm_warn("HAKMEM_PMU_FAULTS: unknown event '%s' ignored (%s)", name, why);
    return -1;
  }
  memcpy(ev[e].name, name, HKM_EVENT_NAME_MAX); /* both HKM_EVENT_NAME_MAX long */
  if (r == HKM_EVENT_UNAVAILABLE) { /* <not supported>, with the reason */
    ev[e].supported = 0;
    memcpy(ev[e].error, why, sizeof ev[e].error); /* both 96 long */
    return 0;
  }
  a.sample_period = period;
  a.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_ADDR;
  a.inherit = 1;
  a.inherit_thread = 1; /* threads yes, forked processes no: they open their own */
  a.watermark = 1;
  a.wakeup_watermark = (uint32_t)(RING_PAGES_MIN * page / 2); /* whatever size the ring ends up */
  int opened = 0, err = 0, ring_err = 0;
  const char *what = "perf_event_open";
  for (int c = 0; c < ncpu; c++) {
    fd[e][c] = -1;
    int f = hkm_event_open_on(&a, c, -1);
    if (f < 0 && errno == EINVAL && a.inherit_thread) { /* kernels before 5.13 lack inherit_thread */
      a.inherit_thread = 0;
      f = hkm_event_open_on(&a, c, -1);
      if (f >= 0) filter_pid = 1;
      else a.inherit_thread = 1;
    }
    if (f < 0) {
      if (errno != ENODEV && !err) err = errno; /* ENODEV: CPU offline */
      continue;
    }
    int ok = rings[c].pg ? ioctl(f, PERF_EVENT_IOC_SET_OUTPUT, rings[c].fd) : map_ring(c, f);
    if (ok != 0) {
      if (!err) {
        err = errno;
        ring_err = 1;
        what = rings[c].pg ? "sharing the ring buffer" : "ring buffer mmap";
      }
      close(f);
      continue;
    }
    ioctl(f, PERF_EVENT_IOC_ID, &id[e][c]);
    fd[e][c] = f;
    opened++;
  }
  ev[e].supported = opened > 0;
  if (!opened && ring_err)
    snprintf(ev[e].error, sizeof ev[e].error, "%s: %s", what, strerror(err));
  else if (!opened) /* the event itself was refused: say why in words */
    hkm_event_why(err ? err : ENODEV, &a, ev[e].error, sizeof ev[e].error);
  return 0;
}

static void open_all(void) {
  char names[HKM_INDUCED_EVENTS][HKM_EVENT_NAME_MAX];
  int n = hkm_event_split(hkm_cfg.pmu_faults, names, HKM_INDUCED_EVENTS, "HAKMEM_PMU_FAULTS");
  page = (size_t)sysconf(_SC_PAGESIZE);
  self_pid = getpid();
  long cpus = sysconf(_SC_NPROCESSORS_CONF);
  ncpu = cpus < 1 ? 1 : cpus > MAX_CPUS ? MAX_CPUS : (int)cpus;
  ring_pages = RING_PAGES_MAX;
  nev = 0;
  for (int i = 0; i < n; i++)
    if (open_one(nev, names[i]) == 0) nev++;
  if (!nrings) return;
  if (hkm_helper_start(drainer) != 0 && hkm_cfg.verbose)
    hkm_warn("HAKMEM_PMU_FAULTS: no helper thread; the ring is drained by large allocations and at exit");
}

void hkm_induced_init(void) {
  if (!hkm_cfg.pmu_faults) return;
  period = hkm_cfg.pmu_faults_period ? hkm_cfg.pmu_faults_period : 1;
  open_all();
  hkm_induced_on = 1; /* on even when nothing opened: the report then says why */
}

void hkm_induced_drain_slow(void) {
  if (hkm_unlikely(reopen)) {
    pthread_mutex_lock(&lock);
    if (reopen) {
      reopen = 0;
      open_all();
    }
    pthread_mutex_unlock(&lock);
  }
  int any = 0;
  for (int c = 0; c < ncpu && !any; c++) any = ring_pending(&rings[c]);
  if (!any) return;
  if (pthread_mutex_trylock(&lock) != 0) return; /* someone is draining already */
  drain_locked();
  pthread_mutex_unlock(&lock);
}

/* The child has no ring (perf mappings are not copied by fork) and no helper; the fds it inherited
 * watch the parent. It starts afresh, counting only its own faults. */
void hkm_induced_fork_child(void) {
  if (!hkm_induced_on) return;
  pthread_mutex_init(&lock, NULL);
  for (int e = 0; e < nev; e++)
    for (int c = 0; c < ncpu; c++)
      if (fd[e][c] >= 0) close(fd[e][c]);
  memset(rings, 0, sizeof rings);
  nrings = 0;
  memset(ev, 0, sizeof ev);
  memset(site, 0, sizeof site);
  lost = throttled = site_total = 0;
  filter_pid = 0;
  reopen = 1;
}

void hkm_induced_reset(void) {
  pthread_mutex_lock(&lock);
  drain_locked();
  for (int e = 0; e < HKM_INDUCED_EVENTS; e++) {
    ev[e].samples = ev[e].other = 0;
    memset(ev[e].tier, 0, sizeof ev[e].tier);
    memset(ev[e].cls, 0, sizeof ev[e].cls);
  }
  memset(site, 0, sizeof site);
  lost = throttled = site_total = 0;
  pthread_mutex_unlock(&lock);
}

void hkm_induced_snapshot(struct hkm_induced_report *r) {
  memset(r, 0, sizeof *r);
  if (!hkm_induced_on) return;
  pthread_mutex_lock(&lock);
  drain_locked();
  r->enabled = 1;
  r->period = period;
  r->lost = lost;
  r->throttled = throttled;
  r->site_total = site_total * period;
  int n = 0;
  for (int e = 0; e < HKM_INDUCED_EVENTS; e++) {
    if (!ev[e].name[0]) continue;
    r->ev[n] = ev[e];
    for (int t = 0; t < HKM_TIER_COUNT; t++) r->ev[n].tier[t] *= period;
    for (int c = 0; c < HKM_NCLASSES; c++) r->ev[n].cls[c] *= period;
    r->ev[n].other *= period;
    n++;
  }
  r->nevents = n;
  /* Top sites by faults: a partial selection sort over the table. */
  for (unsigned i = 0; i < SITE_SLOTS; i++) {
    const struct hkm_induced_site *s = &site[i];
    if (!s->faults) continue;
    int k = r->nsites < HKM_INDUCED_SITES ? r->nsites++ : HKM_INDUCED_SITES - 1;
    if (k == HKM_INDUCED_SITES - 1 && r->sites[k].faults >= s->faults * period) continue;
    r->sites[k] = *s;
    r->sites[k].faults *= period;
    while (k > 0 && r->sites[k - 1].faults < r->sites[k].faults) {
      struct hkm_induced_site t = r->sites[k - 1];
      r->sites[k - 1] = r->sites[k];
      r->sites[k] = t;
      k--;
    }
  }
  pthread_mutex_unlock(&lock);
}
