/* The site learner (see learn.h).
 *
 * Evidence. For every block over 2 MiB Whale counts bytes, lifetime and the time since the site's
 * last free (policy.c); on a sample of blocks they also read which pages are resident at free and
 * time the allocation on the thread's CPU clock. From that the learner knows, per site and per
 * backing, what a block that started with nothing resident cost:
 *   its allocation's CPU time (its backing's system calls included)
 *   + its 4 KiB faults x the cost of one, + its huge-page faults x the cost of one
 *   + resident pages the program did not touch x the cost of a fault (RSS is a cost: a page made
 *     resident for nothing counts as much as the fault it might have saved)
 *   + its resident pages x the cost of dropping one (the release to come),
 * per page the program touched ("cycles per used page"; reports show cycles per used KiB). Touched
 * pages are measured on lazy blocks (everything resident at their free was touched); the other
 * backings use the site's density from those. The unit costs are the learner's own (learn_cost.h).
 *
 * Choice: UCB1 on costs. Each backing's estimate blends its measured mean (over its last 16 measured
 * blocks) with a model prediction from the site's density and the calibrated costs, which counts as
 * one block; the lowest estimate is the site's backing. Another backing is tried on one allocation
 * in 2^explore_shift (about one per pass) while its optimistic estimate, est / (1 + sqrt(2 ln N /
 * n)), is below the best one's, and only on a block that comes without resident pages: a backing
 * that costs r times the best's is tried about 2 ln N / (r - 1)^2 + 1 times at most in a site's first
 * N measured blocks (r = 2: 14 of 1,000; one the model puts 10x above the best, not at all). A site
 * whose blocks nearly all come from caches does not explore (a backing changes nothing for it).
 * research mode first tries every available backing 3 times. A site on another backing than lazy,
 * or keeping its own blocks, gets one lazy block with nothing resident every 2 s, so that a change in
 * how much of its blocks it touches shows; a density that moves by more than 0.25, or a cost that
 * doubles, makes the site forget its measurements (the model takes over again until new ones come)
 * and releases its kept blocks.
 *
 * Keep (Whale): ski rental on the measured gaps (learn_keep.h). A site starts keeping its own freed
 * blocks for 256 ms: a program that frees its big blocks and wants them again a few tens of ms later,
 * longer than the ring waits, is common (wl_prewarm's gaps were 10-60 ms on a loaded machine; 64 ms
 * let some of them go), and a quarter second of the site's own freed blocks, no more of them than it
 * ever had live, is all it risks until its gaps are measured.
 *
 * Foreign blocks: a site that touches at least half of its pages may take a block another site freed
 * with its pages resident; others (and sites without evidence yet) take only their own, so a sparse
 * site never inherits a dense site's RSS. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "learn.h"
#include "learn_cost.h"
#include "learn_file.h"
#include "learn_keep.h"
#include "options.h"
#include "policy.h"
#include "prof.h"
#include "reclaim.h"
#include "site_rules.h"
#include "site_stats.h"
#include "sitecache.h"
#include "symbolize.h"

#define HUGE_PAGES HKM_HUGE_PAGES
#define WINDOW 16.0        /* a backing's mean follows its last ~16 measured blocks */
#define PRIOR_WEIGHT 1.0   /* the model's prediction counts as one measured block */
#define FILE_WEIGHT 4.0    /* a learn file's score counts as at most four */
#define RESEARCH_PULLS 3   /* research: every available backing is measured this often first */
#define PROBE_NS 2000000000ull
#define DENSITY_SHIFT 0.25
#define SAMPLE_BUDGET 0.005 /* residency samples may cost this share of what the site's blocks cost */
#define DENSE 0.5
#define HOT_ENOUGH 0.9     /* a site with more of its blocks from caches than this does not explore */

struct arm {
  double n;       /* measured blocks the mean stands for (at most WINDOW) */
  double mean;    /* cycles per used page */
  uint32_t pulls; /* measured blocks, all told */
};

struct lsite {
  int active, from_file;
  int tier;
  struct hkm_site_sums seen[HKM_SUMS_N];
  uint64_t seen_gaps[HKM_GAP_BUCKETS], seen_allocs;
  double gap[HKM_GAP_BUCKETS]; /* recent share of allocations per gap bucket */
  double d, dc;                /* touched share of pages and of 2 MiB chunks (lazy blocks); < 0 unknown */
  double pages;                /* pages of a measured block */
  double resident;             /* pages resident at free (cold blocks of the current backing) */
  double allocs_per_pass;
  double hot_cost; /* cycles of a block that came from a cache with its pages */
  struct arm arm[HKM_BACK_COUNT];
  uint64_t last_probe;
  uint64_t probe_mark; /* the slot's probes count when a probe was asked for; 0: none pending */
  int research_next;
  struct hkm_site_rule rule; /* published */
  int64_t keep_gain;
  uint32_t changes;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static HKM_COLD_BSS struct lsite sites[HKM_SITE_SLOTS];
#define cal hkm_learn_cal
/* TSC cycles per ns, measured against CLOCK_MONOTONIC since init: the tiers time allocations in CPU
 * ns (policy.c), the calibration in cycles. */
static uint64_t ref_tsc, ref_ns;
static double tsc_per_ns = 2.5;
static HKM_COLD_BSS struct hkm_learned file_sites[HKM_LEARN_FILE_SITES];
static int file_n;
static int forced;

static const char *const backing_names[HKM_BACK_COUNT] = {"lazy", "huge", "prefault"};

/* Square root and natural logarithm without libm (the library links none). */
static double sqroot(double x) {
  if (x <= 0) return 0;
  double r = x > 1 ? x : 1;
  for (int i = 0; i < 40; i++) {
    double next = 0.5 * (r + x / r);
    if (next >= r) break;
    r = next;
  }
  return r;
}

static double ln(double x) {
  if (x <= 1) return 0;
  int k = 0;
  while (x >= 2) {
    x /= 2;
    k++;
  }
  double f = (x - 1) / (x + 1), f2 = f * f; /* ln x = 2 atanh((x-1)/(x+1)), x in [1, 2) */
  return k * 0.6931471805599453 + 2 * f * (1 + f2 / 3 + f2 * f2 / 5 + f2 * f2 * f2 / 7);
}

static double min_d(double a, double b) { return a < b ? a : b; }
static double max_d(double a, double b) { return a > b ? a : b; }

static int available(const struct lsite *ls, int b) {
  switch (b) {
  case HKM_BACK_HUGE:
    return ls->tier == HKM_TIER_WHALE && hkm_policy_huge_ok() && cal.huge_done && cal.huge > 0 &&
           ls->pages >= HUGE_PAGES;
  case HKM_BACK_PREFAULT:
    return hkm_policy_prefault_ok() && cal.populate > 0;
  default:
    return 1;
  }
}

static double predict(const struct lsite *ls, int b) { return hkm_learn_predict(b, ls->pages, ls->d, ls->dc); }

/* Forget measurements: the site changed. */
static void forget(struct lsite *ls) {
  for (int b = 0; b < HKM_BACK_COUNT; b++) ls->arm[b].n = min_d(ls->arm[b].n, 1);
}

static void start_site(int i, struct lsite *ls, uint64_t now) {
  memset(ls, 0, sizeof *ls);
  ls->last_probe = now; /* its first blocks were measured: the first probe is due in PROBE_NS */
  ls->active = 1;
  ls->tier = HKM_SITE_GET(hkm_site_slots[i].tier);
  ls->d = ls->dc = -1;
  ls->rule = hkm_policy_default;
  ls->rule.slot = (uint16_t)(i + 1);
  ls->keep_gain = 0;
}

/* New evidence of slot i into its estimates (elo_update). Returns 1 when there was any. */
static int update(int i, uint64_t now) {
  struct hkm_site_slot *ss = &hkm_site_slots[i];
  struct lsite *ls = &sites[i];
  if (!ls->active) start_site(i, ls, now);
  int any = 0;
  uint64_t allocs = HKM_SITE_GET(ss->allocs);
  if (allocs != ls->seen_allocs) any = 1;
  ls->allocs_per_pass = ls->allocs_per_pass * 0.75 + 0.25 * (double)(allocs - ls->seen_allocs);
  ls->seen_allocs = allocs;
  /* lazy first: its density prices the others */
  for (int k = 0; k < HKM_SUMS_N; k++) {
    struct hkm_site_sums cur, d;
    hkm_site_sums_read(ss, k, &cur);
    const uint64_t *a = (const uint64_t *)&cur, *b = (const uint64_t *)&ls->seen[k];
    uint64_t *o = (uint64_t *)&d;
    for (size_t f = 0; f < sizeof d / sizeof(uint64_t); f++) o[f] = a[f] - b[f];
    ls->seen[k] = cur;
    if (!d.blocks) continue;
    any = 1;
    double blocks = (double)d.blocks, P = (double)d.pages / blocks;
    ls->pages = ls->pages > 0 ? ls->pages + (P - ls->pages) * min_d(1, blocks / 4) : P;
    if (k == HKM_BACK_LAZY && d.tpages) {
      double dn = (double)d.touched / (double)d.tpages;
      double dcn = d.chunks ? (double)d.chunks_touched / (double)d.chunks : dn;
      if (ls->d >= 0 && (dn - ls->d > DENSITY_SHIFT || ls->d - dn > DENSITY_SHIFT)) {
        forget(ls);
        hkm_sitecache_flush_slot(i); /* kept blocks hold the pages of the old behaviour */
      }
      double w = ls->d < 0 ? 1 : min_d(1, blocks / 4);
      ls->d = ls->d < 0 ? dn : ls->d + (dn - ls->d) * w;
      ls->dc = ls->dc < 0 ? dcn : ls->dc + (dcn - ls->dc) * w;
    }
    if (k == HKM_SUMS_HOT) { /* a cache hit says nothing about backings */
      double c = ((double)d.cpu_ns * tsc_per_ns + cal.fault * (double)d.faults) / blocks;
      ls->hot_cost = ls->hot_cost > 0 ? ls->hot_cost + (c - ls->hot_cost) * min_d(1, blocks / 8) : c;
      continue;
    }
    ls->resident = (double)d.resident / blocks;
    double dens = ls->d >= 0 ? ls->d : 1;
    double res = (double)d.resident, huge = (double)d.huge;
    double extra = max_d(0, res - dens * (double)d.pages);
    double cost = (double)d.cpu_ns * tsc_per_ns + cal.fault * ((double)d.faults + extra) + cal.huge * huge +
                  cal.drop * (res - huge * HUGE_PAGES) + cal.drop_huge * huge;
    double used = max_d(blocks, dens * (double)d.pages);
    double c = cost / used;
    struct arm *arm = &ls->arm[k];
    if (arm->n >= 4 && c > 2 * arm->mean && k == ls->rule.backing) forget(ls);
    arm->mean = arm->n > 0 ? arm->mean + (c - arm->mean) * min_d(1, blocks / (arm->n + blocks)) : c;
    arm->n = min_d(WINDOW, arm->n + blocks);
    arm->pulls += (uint32_t)d.blocks;
  }
  uint64_t gaps = 0, g[HKM_GAP_BUCKETS];
  for (int b = 0; b < HKM_GAP_BUCKETS; b++) {
    uint64_t cur = HKM_SITE_GET(ss->gaps[b]);
    g[b] = cur - ls->seen_gaps[b];
    ls->seen_gaps[b] = cur;
    gaps += g[b];
  }
  if (gaps) {
    double w = min_d(1, (double)gaps / 16);
    for (int b = 0; b < HKM_GAP_BUCKETS; b++) ls->gap[b] += ((double)g[b] / (double)gaps - ls->gap[b]) * w;
  }
  (void)now;
  return any;
}

static double estimate(const struct lsite *ls, int b) {
  double p = predict(ls, b), w = p >= 0 ? PRIOR_WEIGHT : 0;
  const struct arm *a = &ls->arm[b];
  if (a->n + w <= 0) return -1;
  return (a->n * a->mean + w * (p >= 0 ? p : 0)) / (a->n + w);
}

/* The site's rule from its estimates (elo_select). */
static struct hkm_site_rule choose(int i, struct lsite *ls, uint64_t now) {
  struct hkm_site_rule r = ls->rule;
  r.known = 1;
  r.slot = (uint16_t)(i + 1);
  double est[HKM_BACK_COUNT], n = 0;
  int best = HKM_BACK_LAZY;
  for (int b = 0; b < HKM_BACK_COUNT; b++) {
    est[b] = available(ls, b) ? estimate(ls, b) : -1;
    n += ls->arm[b].n;
    if (est[b] >= 0 && (est[best] < 0 || est[b] < est[best])) best = b;
  }
  int explore = best;
  if (hkm_cfg.learn_research) { /* every available backing measured a few times first */
    for (int k = 0; k < HKM_BACK_COUNT && explore == best; k++) {
      int b = (ls->research_next + k) % HKM_BACK_COUNT;
      if (b != best && available(ls, b) && ls->arm[b].pulls < RESEARCH_PULLS) explore = b;
    }
    ls->research_next = (explore + 1) % HKM_BACK_COUNT;
  }
  /* A site whose blocks nearly all come from a cache with their pages has nothing to gain from a
   * backing: no exploring (its rare cold blocks still measure the backing in force). */
  const struct hkm_site_slot *ss = &hkm_site_slots[i];
  uint64_t allocs = HKM_SITE_GET(ss->allocs);
  double hot = allocs ? min_d(1, (double)HKM_SITE_GET(ss->hot) / (double)allocs) : 0;
  if (explore == best && est[best] >= 0 && hot < HOT_ENOUGH) {
    double lowest = est[best];
    for (int b = 0; b < HKM_BACK_COUNT; b++) {
      if (b == best || est[b] < 0) continue;
      double w = ls->arm[b].n + (predict(ls, b) >= 0 ? PRIOR_WEIGHT : 0);
      double lcb = est[b] / (1 + sqroot(2 * ln(n + 2) / max_d(w, 1)));
      if (lcb < lowest) {
        lowest = lcb;
        explore = b;
      }
    }
  }
  /* A probe stays asked for until one allocation took it: a pass's window may hold none. */
  int probe = 0;
  uint64_t probes = HKM_SITE_GET(hkm_site_slots[i].probes);
  if (ls->probe_mark && probes >= ls->probe_mark) ls->probe_mark = 0;
  if (explore == best && (best != HKM_BACK_LAZY || ls->rule.keep == HKM_KEEP_OWN) && ls->d >= 0 &&
      (ls->probe_mark || now - ls->last_probe > PROBE_NS)) {
    explore = HKM_BACK_LAZY;
    probe = 1;
    if (!ls->probe_mark) ls->probe_mark = probes + 1;
    ls->last_probe = now;
  }
  r.backing = (uint8_t)best;
  r.explore = (uint8_t)explore;
  r.probe = (uint8_t)probe;
  /* about one exploring allocation per pass; research twice as many */
  unsigned shift = 1;
  while (shift < 10 && (double)(1u << shift) < ls->allocs_per_pass) shift++;
  if (hkm_cfg.learn_research && shift > 1) shift--;
  r.explore_shift = (uint8_t)shift;
  double used = max_d(1, (ls->d >= 0 ? ls->d : 1) * ls->pages);
  double cold = est[best] >= 0 ? est[best] * used : -1;
  if (ls->tier == HKM_TIER_WHALE) {
    ls->keep_gain = hkm_learn_keep(ls->gap, ls->resident, cold, ls->keep_gain, &r);
  } else {
    r.keep = HKM_KEEP_SHARED; /* BigCache keeps its blocks per site already */
    r.keep_ms_log2 = 0;
  }
  r.foreign = ls->d >= DENSE;
  /* residency samples within SAMPLE_BUDGET of what the site's blocks cost, cache hits included */
  uint64_t samples = HKM_SITE_GET(ss->samples);
  double per_sample = samples ? (double)HKM_SITE_GET(ss->sample_cycles) / (double)samples : 0;
  double block = cold > 0 ? (1 - hot) * cold + hot * ls->hot_cost : -1;
  unsigned sshift = hkm_policy_default.sample_shift;
  if (block > 0 && per_sample > 0) {
    double blocks_per_sample = 2 * per_sample / (SAMPLE_BUDGET * block);
    sshift = 0;
    while (sshift < 10 && (double)(1u << sshift) < blocks_per_sample) sshift++;
  }
  r.sample_shift = (uint8_t)sshift;
  return r;
}

static int same_rule(const struct hkm_site_rule *a, const struct hkm_site_rule *b) {
  return a->backing == b->backing && a->explore == b->explore && a->explore_shift == b->explore_shift &&
         a->sample_shift == b->sample_shift && a->keep == b->keep && a->keep_ms_log2 == b->keep_ms_log2 &&
         a->foreign == b->foreign && a->known == b->known && a->slot == b->slot && a->probe == b->probe;
}

static void log_change(int i, const struct lsite *ls, const struct hkm_site_rule *old) {
  struct hkm_sym sym;
  char where[160];
  uintptr_t site = atomic_load_explicit(&hkm_site_slots[i].site, memory_order_relaxed);
  if (hkm_symbolize((const void *)site, &sym) && sym.symbol)
    snprintf(where, sizeof where, "%s+%#lx", sym.symbol, (unsigned long)sym.symbol_off);
  else if (sym.object)
    snprintf(where, sizeof where, "%s+%#lx", strrchr(sym.object, '/') ? strrchr(sym.object, '/') + 1 : sym.object,
             (unsigned long)sym.object_off);
  else
    snprintf(where, sizeof where, "%#lx", (unsigned long)site);
  const struct hkm_site_rule *r = &ls->rule;
  long long e[HKM_BACK_COUNT];
  for (int b = 0; b < HKM_BACK_COUNT; b++) {
    double v = available(ls, b) ? estimate(ls, b) : -1;
    e[b] = v < 0 ? -1 : (long long)(v / 4);
  }
  hkm_warn("learn: %s: %s -> %s (trying %s), keep %s%s%u ms, reuses %s blocks; cycles/KiB used: lazy %lld, "
           "huge %lld, prefault %lld; measured %u/%u/%u; density %d/1000",
           where, backing_names[old->backing], backing_names[r->backing], backing_names[r->explore],
           r->keep ? "own " : "shared", r->keep ? "" : " ", r->keep ? 1u << r->keep_ms_log2 : (unsigned)(hkm_reclaim_keep_ns() / 1000000u),
           r->foreign ? "any site's" : "its own", e[0], e[1], e[2], ls->arm[0].pulls, ls->arm[1].pulls, ls->arm[2].pulls,
           ls->d < 0 ? -1 : (int)(ls->d * 1000));
}

static void view_of(const struct lsite *ls, struct hkm_site_view *v) {
  v->rule = ls->rule;
  for (int b = 0; b < HKM_BACK_COUNT; b++) {
    double e = available(ls, b) ? estimate(ls, b) : -2;
    v->score[b] = e == -2 ? -2 : e < 0 ? -1 : (int64_t)(e / 4 + 0.5);
    v->pulls[b] = ls->arm[b].pulls;
  }
  v->density_pm = ls->d < 0 ? -1 : (int32_t)(ls->d * 1000 + 0.5);
  v->keep_gain = ls->keep_gain;
  v->changes = ls->changes;
  v->from_file = (uint8_t)ls->from_file;
}

static void publish(void) {
  struct hkm_site_rules *t = hkm_site_rules_begin(&hkm_policy_default);
  for (int i = 0; i < HKM_SITE_SLOTS; i++) {
    if (!sites[i].active) continue;
    uintptr_t site = atomic_load_explicit(&hkm_site_slots[i].site, memory_order_relaxed);
    hkm_site_rules_put(t, (const void *)site, &sites[i].rule);
  }
  hkm_site_rules_adopt(t);
  pthread_mutex_lock(&hkm_site_view_lock);
  for (int i = 0; i < HKM_SITE_SLOTS; i++)
    if (sites[i].active) view_of(&sites[i], &hkm_site_slots[i].view);
  pthread_mutex_unlock(&hkm_site_view_lock);
}

/* One pass: the evidence, the choices, a new table when a rule changed. Under lock. */
static int pass_locked(uint64_t now) {
  HKM_TIME_START(tu);
  if (now > ref_ns + 10000000u) {
    tsc_per_ns = (double)(hkm_tsc() - ref_tsc) / (double)(now - ref_ns);
    atomic_store_explicit(&hkm_site_tsc_per_ms, (uint64_t)(tsc_per_ns * 1e6), memory_order_relaxed);
  }
  hkm_learn_calibrate(now, 0);
  int any = 0, seen[HKM_SITE_SLOTS];
  for (int i = 0; i < HKM_SITE_SLOTS; i++) {
    seen[i] = 0;
    if (!atomic_load_explicit(&hkm_site_slots[i].site, memory_order_acquire)) continue;
    seen[i] = update(i, now);
    any |= seen[i];
    if (!cal.huge_done && sites[i].tier == HKM_TIER_WHALE && sites[i].pages >= HUGE_PAGES) hkm_learn_calibrate(now, 1);
  }
  HKM_TIME_END(ELO_UPDATE, tu);
  if (!any) return 0;
  HKM_TIME_START(ts);
  int changed = 0;
  for (int i = 0; i < HKM_SITE_SLOTS; i++) {
    if (!seen[i]) continue;
    struct lsite *ls = &sites[i];
    struct hkm_site_rule r = choose(i, ls, now), old = ls->rule;
    if (same_rule(&r, &old)) continue;
    int decision = r.backing != old.backing || r.keep != old.keep || r.keep_ms_log2 != old.keep_ms_log2 ||
                   r.foreign != old.foreign || !old.known;
    ls->rule = r;
    changed = 1;
    if (decision) {
      ls->changes++;
      if (hkm_cfg.learn_research && !hkm_cfg.timing_quiet) log_change(i, ls, &old);
    }
  }
  HKM_TIME_END(ELO_SELECT, ts);
  pthread_mutex_lock(&hkm_site_view_lock);
  hkm_site_costs.passes++;
  pthread_mutex_unlock(&hkm_site_view_lock);
  if (changed) publish();
  return 1;
}

/* The release helper's decay callback: nonzero while evidence keeps coming. The helper calls it
 * whenever it looks at the caches; without a free of a block of a site since the last pass there is
 * nothing to learn (a program without blocks over 2 MiB never calibrates nor scans). */
static int learn_decay(uint64_t now) {
  static uint64_t seen_activity;
  uint64_t activity = atomic_load_explicit(&hkm_site_activity, memory_order_relaxed);
  if (activity == seen_activity) return 0;
  if (pthread_mutex_trylock(&lock) != 0) return 1;
  seen_activity = activity;
  int more = pass_locked(now);
  pthread_mutex_unlock(&lock);
  return more;
}

/* The learn file, read on the first large allocation: the loader's work is done by then, so the
 * objects of its sites can be found, and a process that never makes one (a shell, a make running a
 * program that does) neither reads the file nor warns about it. */
static void adopt_file(void) {
  file_n = hkm_learn_file_load(hkm_cfg.learn_file, file_sites, HKM_LEARN_FILE_SITES);
  if (file_n <= 0) return;
  pthread_mutex_lock(&lock);
  hkm_learn_file_resolve(file_sites, file_n);
  int any = 0;
  for (int k = 0; k < file_n; k++) {
    const struct hkm_learned *e = &file_sites[k];
    if (!e->addr) continue;
    int i = hkm_site_stats_claim((const void *)e->addr, e->tier);
    if (i < 0) break;
    struct lsite *ls = &sites[i];
    start_site(i, ls, hkm_reclaim_now_ns());
    ls->tier = e->tier;
    ls->from_file = 1;
    ls->d = e->density_pm < 0 ? -1 : e->density_pm / 1000.0;
    ls->dc = e->chunk_density_pm < 0 ? ls->d : e->chunk_density_pm / 1000.0;
    ls->pages = e->pages;
    for (int b = 0; b < HKM_BACK_COUNT; b++) {
      ls->arm[b].pulls = e->pulls[b];
      if (e->score[b] >= 0) { /* measured, or the last run's prediction: one block's worth then */
        ls->arm[b].mean = (double)e->score[b] * 4;
        ls->arm[b].n = min_d(FILE_WEIGHT, max_d(1, e->pulls[b]));
      }
    }
    struct hkm_site_rule *r = &ls->rule;
    r->backing = e->backing < HKM_BACK_COUNT ? e->backing : HKM_BACK_LAZY;
    r->explore = r->backing;
    r->explore_shift = 4;
    r->keep = e->keep ? HKM_KEEP_OWN : HKM_KEEP_SHARED;
    r->keep_ms_log2 = e->keep_ms_log2;
    r->foreign = e->foreign;
    r->known = 1;
    r->sample_shift = hkm_policy_default.sample_shift;
    any = 1;
  }
  if (any) publish();
  pthread_mutex_unlock(&lock);
}

/* HAKMEM_LEARN_FORCE=backing[,keep]: one rule for every site; keep is shared or own (own keeps
 * freed blocks for their site up to 1 s). */
static int parse_force(const char *v, struct hkm_site_rule *r) {
  char b[32];
  const char *comma = strchr(v, ',');
  size_t n = comma ? (size_t)(comma - v) : strlen(v);
  if (n >= sizeof b) return -1;
  memcpy(b, v, n);
  b[n] = 0;
  int found = -1;
  for (int i = 0; i < HKM_BACK_COUNT; i++)
    if (!strcmp(b, backing_names[i])) found = i;
  if (found < 0) return -1;
  r->backing = r->explore = (uint8_t)found;
  r->foreign = 1;
  r->keep = HKM_KEEP_SHARED;
  if (comma) {
    if (!strcmp(comma + 1, "own")) {
      r->keep = HKM_KEEP_OWN;
      r->keep_ms_log2 = 10;
    } else if (strcmp(comma + 1, "shared") != 0) {
      return -1;
    }
  }
  return 0;
}

void hkm_learn_init(void) {
  if (hkm_cfg.learn_force) {
    struct hkm_site_rule r = hkm_policy_default;
    if (parse_force(hkm_cfg.learn_force, &r) == 0) {
      forced = 1;
      hkm_policy_default = r;
      hkm_policy_init(0);
      hkm_sitecache_init();
      return;
    }
    hkm_warn("HAKMEM_LEARN_FORCE=%s is not lazy, huge or prefault, optionally followed by ,shared or ,own; ignored",
             hkm_cfg.learn_force);
  }
  if (!hkm_cfg.learn) return;
  hkm_policy_default.keep = HKM_KEEP_OWN; /* see "Keep" at the top */
  hkm_policy_default.keep_ms_log2 = 8;
  ref_tsc = hkm_tsc();
  ref_ns = hkm_reclaim_now_ns();
  hkm_policy_init(1);
  hkm_sitecache_init();
  hkm_reclaim_add_decay(learn_decay);
  if (hkm_cfg.reclaim == HKM_RECLAIM_SYNC)
    hkm_warn("HAKMEM_MODE=%s: HAKMEM_RECLAIM=sync leaves no helper thread for the learner; site rules stay as "
             "HAKMEM_LEARN_FILE left them", hkm_mode_name(hkm_cfg.mode));
  if (hkm_cfg.learn_file) {
    hkm_policy_first_use(adopt_file);
  }
}

/* Saved at exit, after a last pass over what the program did since the helper's. */
__attribute__((destructor)) static void learn_at_exit(void) {
  if (!hkm_cfg.learn || forced || !hkm_cfg.learn_file) return;
  static HKM_COLD_BSS struct hkm_learned out[HKM_LEARN_FILE_SITES];
  int n = 0;
  pthread_mutex_lock(&lock);
  pass_locked(hkm_reclaim_now_ns());
  for (int i = 0; i < HKM_SITE_SLOTS && n < HKM_LEARN_FILE_SITES; i++) {
    const struct lsite *ls = &sites[i];
    if (!ls->active || !ls->rule.known) continue;
    struct hkm_learned *e = &out[n++];
    memset(e, 0, sizeof *e);
    e->addr = atomic_load_explicit(&hkm_site_slots[i].site, memory_order_relaxed);
    e->tier = (uint8_t)ls->tier;
    e->backing = ls->rule.backing;
    e->keep = ls->rule.keep;
    e->keep_ms_log2 = ls->rule.keep_ms_log2;
    e->foreign = ls->rule.foreign;
    e->density_pm = ls->d < 0 ? -1 : (int32_t)(ls->d * 1000 + 0.5);
    e->chunk_density_pm = ls->dc < 0 ? -1 : (int32_t)(ls->dc * 1000 + 0.5);
    e->pages = (uint32_t)min_d(ls->pages, 4e9);
    for (int b = 0; b < HKM_BACK_COUNT; b++) {
      double v = available(ls, b) ? estimate(ls, b) : -2;
      e->score[b] = v == -2 ? -2 : v < 0 ? -1 : (int64_t)(v / 4 + 0.5);
      e->pulls[b] = ls->arm[b].pulls;
    }
  }
  pthread_mutex_unlock(&lock);
  if (n) hkm_learn_file_save(hkm_cfg.learn_file, out, n);
}

void hkm_learn_fork_prepare(void) { pthread_mutex_lock(&lock); }
void hkm_learn_fork_parent(void) { pthread_mutex_unlock(&lock); }
void hkm_learn_fork_child(void) { pthread_mutex_init(&lock, NULL); }
