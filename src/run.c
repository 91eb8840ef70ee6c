/* L2.5 runs (see run.h). No lock or cache of their own: the region cache's hot spans are the cache. */
#include "config.h"

#include "prof.h"
#include "region.h"
#include "run.h"
#include "run_density.h"

void *hkm_run_alloc(size_t n, size_t lead, const void *site) {
  HKM_TIME_START_SAMPLED(t);
  struct hkm_span *s = hkm_region_get(hkm_round_up(n, HKM_GRANULE));
  void *p = s ? hkm_span_block(s, lead, site, HKM_TIER_L25, HKM_KIND_RUN) : NULL;
  HKM_TIME_END_SAMPLED(L25_RUN_GET, t);
  return p;
}

void hkm_run_free(struct hkm_span *s) {
  HKM_TIME_START_SAMPLED(t);
  if (s->zeroed) hkm_run_density_note(s); /* handed out with no page resident (region.c) */
  hkm_region_put(s);
  HKM_TIME_END_SAMPLED(L25_RUN_PUT, t);
}

int hkm_run_grow(struct hkm_span *s, size_t n) { return hkm_region_extend(s, hkm_round_up(n, HKM_GRANULE)); }
