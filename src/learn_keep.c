/* Keep (see learn_keep.h). */
#include "config.h"

#include "learn_cost.h"
#include "learn_keep.h"
#include "reclaim.h"

#define RENT_MS 10000.0 /* keeping a page resident this long costs as much as faulting it in */
#define KEEP_MARGIN 0.8 /* a fifth either way before the keep changes */

static double max_d(double a, double b) { return a > b ? a : b; }

int64_t hkm_learn_keep(const double gap[HKM_GAP_BUCKETS], double resident, double cold_cost, int64_t gain,
                       struct hkm_site_rule *r) {
  double total = 0;
  for (int b = 0; b < HKM_GAP_BUCKETS; b++) total += gap[b];
  if (total <= 0 || cold_cost <= 0) return gain; /* no evidence yet: the rule stays */
  double rent_ms = max_d(resident, 1) * hkm_learn_cal.fault / RENT_MS; /* cycles per ms a kept block costs */
  double ring_ms = (double)hkm_reclaim_keep_ns() / 1e6; /* the ring's horizon: the keep delay (reclaim.h) */
  double cost[5], shared = 0, least = -1;
  static const int horizons[] = {-1, 4, 6, 8, 10}; /* the ring, then own: 16, 64, 256, 1024 ms */
  for (unsigned k = 0; k < 5; k++) {
    int h = horizons[k];
    double horizon = h < 0 ? ring_ms : (double)(1u << h);
    cost[k] = 0;
    for (int b = 0; b < HKM_GAP_BUCKETS; b++) {
      double g = b == 0 ? 0.5 : b == HKM_GAP_BUCKETS - 1 ? 2048 : 1.5 * (double)(1u << (b - 1));
      cost[k] += gap[b] / total * (g <= horizon ? rent_ms * g : rent_ms * horizon + cold_cost);
    }
    if (h < 0)
      shared = cost[k];
    else if (least < 0 || cost[k] < least)
      least = cost[k];
  }
  /* The shortest horizon within 5% of the cheapest, then the next one up: gaps jitter (a round of the
   * program that takes twice as long), and a block released too early costs a whole refault where
   * one kept a little longer costs little. The current one stays unless another wins by a fifth. */
  unsigned pick = 4;
  for (unsigned k = 4; k >= 1; k--)
    if (cost[k] <= 1.05 * least) pick = k;
  if (pick < 4) pick++;
  int best_log2 = horizons[pick];
  double best = cost[pick];
  if (r->keep == HKM_KEEP_OWN)
    for (unsigned k = 1; k < 5; k++)
      if (horizons[k] == r->keep_ms_log2 && cost[k] <= best / KEEP_MARGIN) {
        best_log2 = horizons[k];
        best = cost[k];
      }
  /* a fifth either way before the keep changes, so that noise does not flip it */
  if (r->keep == HKM_KEEP_OWN ? shared >= KEEP_MARGIN * best : best < KEEP_MARGIN * shared) {
    r->keep = HKM_KEEP_OWN;
    r->keep_ms_log2 = (uint8_t)best_log2;
  } else {
    r->keep = HKM_KEEP_SHARED;
    r->keep_ms_log2 = 0;
  }
  return (int64_t)(shared - best);
}

