/* Site rules applied to blocks, and the evidence they leave (see policy.h). */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "options.h"
#include "os.h"
#include "policy.h"
#include "prof.h"
#include "reclaim.h"
#include "site_stats.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define HUGE_PAGES (HKM_HUGE_PAGE / HKM_PAGE)
/* A site's first blocks are all sampled, so the learner has evidence as soon as they are freed; then
 * one in 256 until the learner sets the site's own rate (vm allocates 3,000 blocks before the
 * learner's first pass: one in 16 was 190 samples, 1.5% of its time). */
#define BOOTSTRAP 4
#define SAMPLE_WINDOWS 4 /* 2 MiB windows of a block whose residency is read (residency()) */

int hkm_policy_on;
struct hkm_site_rule hkm_policy_default = {.backing = HKM_BACK_LAZY, .explore = HKM_BACK_LAZY, .sample_shift = 8};

static int thp_mode = HKM_THP_NEVER;
static void (*_Atomic first_use)(void);
static int wake_helper;
static _Atomic int prefault_ok = 1, huge_ok = 1;


/* This thread's CPU time: what an allocation costs without the time it was preempted or waited on a
 * lock (wall-clock figures of a loaded machine were dominated by those). */
static uint64_t cpu_ns(void) { return hkm_clock_ns(CLOCK_THREAD_CPUTIME_ID); }

static int read_thp_mode(void) {
  char buf[128];
  int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return HKM_THP_NEVER;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return HKM_THP_NEVER;
  buf[n] = 0;
  if (strstr(buf, "[always]")) return HKM_THP_ALWAYS;
  if (strstr(buf, "[madvise]")) return HKM_THP_MADVISE;
  return HKM_THP_NEVER;
}

void hkm_policy_init(int wake) {
  int saved = errno;
  thp_mode = read_thp_mode();
  errno = saved;
  wake_helper = wake;
  hkm_policy_on = 1;
  static const char *const thp_names[] = {"never", "madvise", "always"};
  hkm_site_mode.thp = thp_names[thp_mode];
  hkm_site_mode.learner = wake;
  hkm_site_mode.dflt = hkm_policy_default;
  hkm_site_mode.on = 1;
}

int hkm_policy_thp(void) { return thp_mode; }
int hkm_policy_prefault_ok(void) { return atomic_load_explicit(&prefault_ok, memory_order_relaxed); }
int hkm_policy_huge_ok(void) { return thp_mode != HKM_THP_NEVER && atomic_load_explicit(&huge_ok, memory_order_relaxed); }

/* A refusal that says the kernel will never do it here (an old kernel, a seccomp filter), as opposed
 * to one about this range or this moment (ENOMEM, EAGAIN). */
static void refused(_Atomic int *ok, int err, const char *what) {
  if (err != EINVAL && err != ENOSYS && err != EPERM) return;
  if (atomic_exchange(ok, 0) && hkm_cfg.verbose) hkm_warn("%s refused (%s): served lazily from now on", what, strerrorname_np(err));
}

static unsigned gap_bucket(uint64_t tsc) {
  uint64_t ms = tsc / atomic_load_explicit(&hkm_site_tsc_per_ms, memory_order_relaxed);
  unsigned b = ms ? 64 - (unsigned)__builtin_clzll(ms) : 0;
  return b < HKM_GAP_BUCKETS ? b : HKM_GAP_BUCKETS - 1;
}

void hkm_policy_first_use(void (*fn)(void)) { atomic_store(&first_use, fn); }

void hkm_policy_pick(struct hkm_pick *pk, const void *site, int tier) {
  if (hkm_unlikely(atomic_load_explicit(&first_use, memory_order_relaxed) != NULL)) {
    void (*fn)(void) = atomic_exchange(&first_use, NULL);
    if (fn) fn();
  }
  pk->rule = hkm_site_rules_lookup(site, &hkm_policy_default);
  int slot = pk->rule.slot ? (int)pk->rule.slot - 1 : hkm_site_stats_claim(site, tier);
  pk->slot = slot;
  uint64_t n = 0;
  if (slot >= 0) {
    struct hkm_site_slot *ss = &hkm_site_slots[slot];
    n = HKM_SITE_ADD(ss->allocs, 1);
    if (tier == HKM_TIER_WHALE) { /* what the keep decision needs */
      uint64_t live = n + 1 - HKM_SITE_GET(ss->frees), peak = HKM_SITE_GET(ss->live_peak);
      while (live > peak && live < ((uint64_t)1 << 32) &&
             !__atomic_compare_exchange_n(&ss->live_peak, &peak, live, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
      }
      uint64_t lf = HKM_SITE_GET(ss->last_free_tsc);
      if (lf && (n & 3) == 0) HKM_SITE_ADD(ss->gaps[gap_bucket(hkm_tsc() - lf)], 1);
    }
  }
  const struct hkm_site_rule *r = &pk->rule;
  pk->backing = r->backing;
  pk->explore = pk->cold_only = 0;
  if (r->explore != r->backing || r->probe) {
    uint64_t m = ((uint64_t)1 << r->explore_shift) - 1;
    if ((n & m) == m) {
      pk->backing = r->explore;
      pk->explore = 1;
      pk->cold_only = r->probe;
      if (pk->cold_only && slot >= 0) HKM_SITE_ADD(hkm_site_slots[slot].probes, 1);
    }
  }
  if (pk->backing == HKM_BACK_HUGE && (tier != HKM_TIER_WHALE || !hkm_policy_huge_ok())) pk->backing = HKM_BACK_LAZY;
  uint64_t every = ((uint64_t)1 << r->sample_shift) - 1;
  pk->regular = slot >= 0 && ((!r->known && n < BOOTSTRAP) || (n & every) == 0);
  pk->sampled = pk->regular || (slot >= 0 && pk->explore);
  if (pk->sampled) pk->cpu0 = cpu_ns();
}

size_t hkm_policy_align(const struct hkm_pick *pk, size_t align) {
  return pk->backing == HKM_BACK_HUGE && align < HKM_HUGE_PAGE ? HKM_HUGE_PAGE : align;
}

static uintptr_t up(uintptr_t a, size_t to) { return (a + to - 1) & ~(uintptr_t)(to - 1); }
static uintptr_t down(uintptr_t a, size_t to) { return a & ~(uintptr_t)(to - 1); }

/* The 2 MiB chunks wholly inside [base, base + req): where a huge page serves only the block. */
static int huge_range(const struct hkm_span *s, size_t req, uintptr_t *a, size_t *len) {
  uintptr_t lo = up(s->base, HKM_HUGE_PAGE), hi = down(s->base + req, HKM_HUGE_PAGE);
  if (hi <= lo) return 0;
  *a = lo;
  *len = hi - lo;
  return 1;
}

/* Whether faults in the span's range are served with huge pages. */
static int range_huge(const struct hkm_span *s) {
  int dflt = thp_mode == HKM_THP_ALWAYS;
  return (s->lflags & LF_ADVISED) ? !dflt : dflt;
}

/* Make the span's THP advice say what the backing wants. Under "madvise" the default is small pages
 * and the huge backing advises MADV_HUGEPAGE; under "always" the default is huge pages and the other
 * backings advise MADV_NOHUGEPAGE. */
static void advise(struct hkm_span *s, const struct hkm_pick *pk, size_t req) {
  int want = pk->backing == HKM_BACK_HUGE, dflt = thp_mode == HKM_THP_ALWAYS;
  if (want == range_huge(s)) return;
  if (s->lflags & LF_ADVISED) { /* back to the default over all the span first */
    hkm_policy_leave(s);
    if (want == dflt) return;
  }
  uintptr_t a;
  size_t len;
  if (!huge_range(s, req, &a, &len)) return;
  int err = hkm_os_madvise((void *)a, len, want ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  if (!err)
    s->lflags |= LF_ADVISED;
  else
    refused(&huge_ok, -err, want ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE");
}

void hkm_policy_leave(struct hkm_span *s) {
  if (!(s->lflags & LF_ADVISED)) return;
  s->lflags &= (uint8_t)~LF_ADVISED;
  uintptr_t lo = up(s->base, HKM_HUGE_PAGE), hi = down(s->base + s->bytes, HKM_HUGE_PAGE);
  if (hi > lo) hkm_os_madvise((void *)lo, hi - lo, thp_mode == HKM_THP_ALWAYS ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
}

/* Pages of [a, a + len) (page aligned) resident now, and of the 2 MiB chunks wholly inside it, those
 * wholly resident and those with any page resident. Reads at most SAMPLE_WINDOWS of its 2 MiB-aligned
 * windows (the first, the last, and evenly between), one mincore(2) each, and scales up: what a
 * sample costs stays bounded whatever the block's size (an 8 MiB block took 14-57k cycles whole). */
struct residency {
  uint64_t pages, full, any, chunks;
};

static void residency(uintptr_t a, size_t len, struct residency *r) {
  unsigned char vec[HUGE_PAGES];
  memset(r, 0, sizeof *r);
  uintptr_t end = a + len, first = down(a, HKM_HUGE_PAGE);
  size_t windows = (up(end, HKM_HUGE_PAGE) - first) / HKM_HUGE_PAGE, read_pages = 0, read_chunks = 0, all_chunks = 0;
  for (size_t k = 0; k < windows; k++) {
    uintptr_t w = first + k * HKM_HUGE_PAGE, lo = w > a ? w : a, hi = w + HKM_HUGE_PAGE < end ? w + HKM_HUGE_PAGE : end;
    int whole = lo == w && hi == w + HKM_HUGE_PAGE;
    all_chunks += whole;
    int chosen = windows <= SAMPLE_WINDOWS;
    for (size_t j = 0; j < SAMPLE_WINDOWS && !chosen; j++) chosen = j * (windows - 1) / (SAMPLE_WINDOWS - 1) == k;
    if (!chosen) continue;
    size_t n = (hi - lo) / HKM_PAGE, cnt = 0;
    if (mincore((void *)lo, hi - lo, vec) == 0)
      for (size_t i = 0; i < n; i++) cnt += vec[i] & 1;
    r->pages += cnt;
    read_pages += n;
    if (whole) {
      read_chunks++;
      r->full += cnt == HUGE_PAGES;
      r->any += cnt > 0;
    }
  }
  r->chunks = all_chunks;
  if (read_pages && read_pages < len / HKM_PAGE) r->pages = r->pages * (len / HKM_PAGE) / read_pages;
  if (read_chunks && read_chunks < all_chunks) {
    r->full = r->full * all_chunks / read_chunks;
    r->any = r->any * all_chunks / read_chunks;
  }
}

/* The block's pages: from the page holding its first byte to the one holding its last asked-for byte. */
static void block_pages(const struct hkm_span *s, uintptr_t *a, size_t *len) {
  uintptr_t lo = down(s->base + s->lead, HKM_PAGE), hi = up(s->base + s->lreq, HKM_PAGE);
  *a = lo;
  *len = hi > lo ? hi - lo : 0;
}

static void sample(struct hkm_site_slot *ss, const struct hkm_span *s, struct residency *r) {
  uintptr_t a;
  size_t len;
  block_pages(s, &a, &len);
  uint64_t t = hkm_tsc();
  residency(a, len, r);
  HKM_SITE_ADD(ss->samples, 1);
  HKM_SITE_ADD(ss->sample_cycles, hkm_tsc() - t);
}

void hkm_policy_apply(struct hkm_span *s, const struct hkm_pick *pk, size_t req, int hot) {
  int cold = !hot && s->zeroed;
  /* A block that comes with pages resident shows nothing of a backing being tried: it keeps the
   * site's own (advising huge pages on a sparse site's reused block would only swell it), and is not
   * sampled for it. */
  uint8_t backing = pk->explore && !cold ? pk->rule.backing : pk->backing;
  int sampled = pk->sampled && (cold || pk->regular);
  if (backing == HKM_BACK_HUGE && (s->tier != HKM_TIER_WHALE || !hkm_policy_huge_ok())) backing = HKM_BACK_LAZY;
  if (backing == HKM_BACK_PREFAULT && !hkm_policy_prefault_ok()) backing = HKM_BACK_LAZY;
  s->lslot = (uint16_t)(pk->slot + 1);
  s->lback = backing;
  s->lreq = req;
  s->lres0 = 0;
  s->lflags = (uint8_t)((s->lflags & LF_ADVISED) | (sampled ? LF_SAMPLED : 0) | (cold ? LF_COLD : 0) |
                        (pk->explore ? LF_EXPLORE : 0));
  if (thp_mode != HKM_THP_NEVER && s->tier == HKM_TIER_WHALE) {
    struct hkm_pick eff = *pk;
    eff.backing = backing;
    advise(s, &eff, req);
  }
  if (backing == HKM_BACK_PREFAULT && cold) {
    uintptr_t a;
    size_t len;
    block_pages(s, &a, &len);
    int err = len ? hkm_os_madvise((void *)a, len, MADV_POPULATE_WRITE) : 0;
    if (err) refused(&prefault_ok, -err, "MADV_POPULATE_WRITE");
    /* a refused or partial populate leaves the rest to fault in as usual; the pages read as zero
     * either way, so s->zeroed stays true */
  }
  s->lcpu_ns = 0;
  if (pk->slot < 0) return;
  struct hkm_site_slot *ss = &hkm_site_slots[pk->slot];
  HKM_SITE_ADD(ss->bytes, req - s->lead);
  if (hot) HKM_SITE_ADD(ss->hot, 1);
  if (!sampled) return;
  s->lborn = hkm_tsc();
  uint64_t t = cpu_ns() - pk->cpu0;
  s->lcpu_ns = (uint32_t)(t > UINT32_MAX ? UINT32_MAX : t);
  /* A block that came with pages resident is read at its free only: how many it holds then. Its
   * faults are not counted (a second read here cost as much as the rest of the sample). */
}

void hkm_policy_free(struct hkm_span *s, struct hkm_keep_ticket *k) {
  k->slot = (int)s->lslot - 1;
  k->ms = 0;
  k->pages = (s->lreq + HKM_PAGE - 1) / HKM_PAGE;
  if (!s->lslot) return;
  int measured = 0;
  struct hkm_site_slot *ss = &hkm_site_slots[s->lslot - 1];
  HKM_SITE_ADD(ss->frees, 1);
  atomic_fetch_add_explicit(&hkm_site_activity, 1, memory_order_relaxed);
  if (s->tier == HKM_TIER_WHALE) __atomic_store_n(&ss->last_free_tsc, hkm_tsc(), __ATOMIC_RELAXED);
  if (s->lflags & LF_SAMPLED) {
    HKM_SITE_ADD(ss->life_tsc, hkm_tsc() - s->lborn);
    HKM_SITE_ADD(ss->lives, 1);
    HKM_TIME_START(tm);
    struct residency r;
    sample(ss, s, &r);
    uintptr_t a;
    size_t len;
    block_pages(s, &a, &len);
    int cold = (s->lflags & LF_COLD) != 0;
    struct hkm_site_sums u = {0};
    uint64_t faults = cold && r.pages > s->lres0 ? r.pages - s->lres0 : 0, huge = 0;
    if (cold && s->lback == HKM_BACK_HUGE && range_huge(s)) {
      huge = r.full;
      faults = faults > huge * HUGE_PAGES ? faults - huge * HUGE_PAGES : 0;
    }
    u.blocks = 1;
    u.pages = len / HKM_PAGE;
    u.cpu_ns = s->lcpu_ns;
    u.faults = faults;
    u.huge = huge;
    u.resident = r.pages;
    if (cold && s->lback == HKM_BACK_LAZY && !range_huge(s)) {
      u.touched = r.pages;
      u.tpages = len / HKM_PAGE;
      u.chunks = r.chunks;
      u.chunks_touched = r.any;
    }
    hkm_site_sums_add(ss, cold ? s->lback : HKM_SUMS_HOT, &u);
    k->pages = r.pages;
    measured = 1;
    HKM_SITE_ADD(ss->freed_resident, r.pages);
    HKM_SITE_ADD(ss->freed_sampled, 1);
    HKM_TIME_END(ELO_UPDATE, tm);
  }
  s->lslot = 0;
  if (wake_helper) hkm_reclaim_arm_decay();
  if (s->tier != HKM_TIER_WHALE) return;
  struct hkm_site_rule r = hkm_site_rules_lookup(s->site, &hkm_policy_default);
  uint64_t sampled = HKM_SITE_GET(ss->freed_sampled);
  if (!measured && sampled) {
    uint64_t mean = HKM_SITE_GET(ss->freed_resident) / sampled;
    if (mean < k->pages) k->pages = mean;
  }
  k->ms = r.keep == HKM_KEEP_OWN ? 1u << r.keep_ms_log2 : 0;
  /* no more than the site ever had live at once: keeping never holds more than it used */
  uint64_t peak = HKM_SITE_GET(hkm_site_slots[k->slot].live_peak);
  k->max_blocks = peak < 1 ? 1 : peak > 4096 ? 4096 : (unsigned)peak;
}
