/* The learner's calibration and cost model (see learn_cost.h). */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>

#include "learn_cost.h"
#include "os.h"
#include "policy.h"
#include "prof.h"
#include "site_rules.h"
#include "site_stats.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define RECALIBRATE_NS 5000000000ull
#define RECALIBRATE_HUGE_NS 30000000000ull /* a huge-page fault costs 0.1-7 ms here: measured less often */
#define CAL_PAGES 32
#define CAL_ROUNDS 2

struct hkm_learn_cal hkm_learn_cal;

static double max_d(double a, double b) { return a > b ? a : b; }

static void publish_costs(void);

/* A new measurement moves a known figure halfway: one unlucky calibration does not decide alone. */
static double blend(int known, double old, double now) { return known ? (old + now) / 2 : now; }

static void calibrate_small(void) {
  const size_t len = CAL_PAGES * (size_t)4096;
  double fault = 0, populate = 0, drop = 0;
  int known = hkm_learn_cal.done;
  hkm_learn_cal.done = 1;
  char *s = hkm_os_map(len);
  if (!s) return;
  hkm_os_madvise(s, len, MADV_NOHUGEPAGE);
  int pop = hkm_policy_prefault_ok();
  for (int round = 0; round < CAL_ROUNDS; round++) {
    uint64_t t = hkm_tsc();
    for (size_t o = 0; o < len; o += (size_t)4096) ((volatile char *)s)[o] = 1;
    double f = (double)(hkm_tsc() - t) / CAL_PAGES;
    t = hkm_tsc();
    hkm_os_madvise(s, len, MADV_DONTNEED);
    double dr = (double)(hkm_tsc() - t) / CAL_PAGES;
    double p = 0;
    if (pop) {
      t = hkm_tsc();
      if (hkm_os_madvise(s, len, MADV_POPULATE_WRITE) == 0) p = (double)(hkm_tsc() - t) / CAL_PAGES;
      hkm_os_madvise(s, len, MADV_DONTNEED);
    }
    if (!round || f < fault) fault = f;
    if (!round || dr < drop) drop = dr;
    if (!round || p < populate) populate = p;
  }
  hkm_os_unmap(s, len);
  hkm_learn_cal.fault = blend(known, hkm_learn_cal.fault, fault > 1 ? fault : 1);
  hkm_learn_cal.drop = blend(known, hkm_learn_cal.drop, drop);
  hkm_learn_cal.populate = populate > 0 ? blend(known && hkm_learn_cal.populate > 0, hkm_learn_cal.populate, populate) : 0;
}

static void calibrate_huge(void) {
  const size_t huge = (size_t)2 << 20;
  double hfault = 0, hdrop = 0;
  int known = hkm_learn_cal.huge_done && hkm_learn_cal.huge > 0;
  hkm_learn_cal.huge_done = 1;
  if (!hkm_policy_huge_ok()) return;
  char *m = hkm_os_map(2 * huge);
  if (!m) return;
  char *h = (char *)(((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1));
  if (hkm_os_madvise(h, huge, MADV_HUGEPAGE) == 0) {
    /* The least of two, as for the small figures: a single fault timed across a preemption (9 ms, a
     * time slice, under a parallel make check) made huge pages look 8 times dearer than small ones,
     * and the learner never tried them (test_learn_sites failed so twice). Each costs 2 MiB zeroed,
     * 40-120 us here, every 30 s. */
    for (int round = 0; round < 2; round++) {
      unsigned char vec[512];
      uint64_t t = hkm_tsc();
      ((volatile char *)h)[0] = 1;
      double hf = (double)(hkm_tsc() - t);
      size_t res = 0;
      if (mincore(h, huge, vec) == 0)
        for (int i = 0; i < 512; i++) res += vec[i] & 1;
      if (res < 512) hf = 0; /* no huge page granted: the huge backing has nothing to offer now */
      t = hkm_tsc();
      hkm_os_madvise(h, huge, MADV_DONTNEED);
      double hd = (double)(hkm_tsc() - t);
      if (!round || hf < hfault) hfault = hf;
      if (!round || hd < hdrop) hdrop = hd;
    }
  }
  hkm_os_unmap(m, 2 * huge);
  hkm_learn_cal.huge = hfault > 0 ? blend(known, hkm_learn_cal.huge, hfault) : 0;
  hkm_learn_cal.drop_huge = blend(known, hkm_learn_cal.drop_huge, hdrop);
}

/* The huge-page fault is timed only once a site could use huge pages (a whale site with blocks of
 * 2 MiB or more), so that a program that never has one does not pay its 2 MiB of RSS. */
void hkm_learn_calibrate(uint64_t now, int want_huge) {
  static uint64_t huge_when;
  int small_due = !hkm_learn_cal.done || now - hkm_learn_cal.when > RECALIBRATE_NS;
  int huge_due = hkm_learn_cal.huge_done ? now - huge_when > RECALIBRATE_HUGE_NS : want_huge;
  if (!small_due && !huge_due) return;
  if (small_due) {
    hkm_learn_cal.when = now;
    calibrate_small();
  }
  if (huge_due) {
    huge_when = now;
    calibrate_huge();
  }
  publish_costs();
}

static void publish_costs(void) {
  pthread_mutex_lock(&hkm_site_view_lock);
  hkm_site_costs.fault = (uint64_t)hkm_learn_cal.fault;
  hkm_site_costs.huge_fault = (uint64_t)hkm_learn_cal.huge;
  hkm_site_costs.populate = (uint64_t)hkm_learn_cal.populate;
  hkm_site_costs.drop = (uint64_t)hkm_learn_cal.drop;
  pthread_mutex_unlock(&hkm_site_view_lock);
}

double hkm_learn_predict(int b, double P, double d, double dc) {
  if (d < 0 || !hkm_learn_cal.done) return -1;
  if (dc < 0) dc = d;
  double used = max_d(1, d * P);
  const struct hkm_learn_cal *cal = &hkm_learn_cal;
  double c;
  switch (b) {
  case HKM_BACK_HUGE: {
    double C = (double)(uint64_t)(P / HKM_HUGE_PAGES), tail = P - C * HKM_HUGE_PAGES;
    double extra = max_d(0, dc * C * HKM_HUGE_PAGES - d * C * HKM_HUGE_PAGES);
    c = cal->huge * dc * C + cal->drop_huge * dc * C + (cal->fault + cal->drop) * d * tail + cal->fault * extra;
    break;
  }
  case HKM_BACK_PREFAULT:
    c = (cal->populate + cal->drop) * P + cal->fault * (1 - d) * P;
    break;
  default:
    c = (cal->fault + cal->drop) * d * P;
  }
  return c / used;
}

