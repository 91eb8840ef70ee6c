/* The evidence table (see site_stats.h): open addressing on the return address, like prof_sites.c. */
#include "config.h"

#include "compiler.h"
#include "site_stats.h"

HKM_COLD_BSS struct hkm_site_slot hkm_site_slots[HKM_SITE_SLOTS];
struct hkm_site_costs hkm_site_costs;
struct hkm_site_mode hkm_site_mode;
_Atomic uint64_t hkm_site_tsc_per_ms = 2500000; /* a guess until the learner has measured it */
_Atomic uint64_t hkm_site_activity;
pthread_mutex_t hkm_site_view_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned hash(uintptr_t a) {
  a ^= a >> 33;
  a *= 0xff51afd7ed558ccdULL;
  a ^= a >> 29;
  return (unsigned)a & (HKM_SITE_SLOTS - 1);
}

int hkm_site_stats_claim(const void *site, int tier) {
  uintptr_t key = site ? (uintptr_t)site : 1;
  unsigned h = hash(key);
  for (unsigned i = 0; i < HKM_SITE_SLOTS; i++) {
    struct hkm_site_slot *s = &hkm_site_slots[(h + i) & (HKM_SITE_SLOTS - 1)];
    uintptr_t k = atomic_load_explicit(&s->site, memory_order_acquire);
    if (k == 0) {
      uintptr_t expect = 0;
      if (atomic_compare_exchange_strong_explicit(&s->site, &expect, key, memory_order_acq_rel, memory_order_acquire)) {
        __atomic_store_n(&s->tier, (uint8_t)tier, __ATOMIC_RELAXED);
        return (int)((h + i) & (HKM_SITE_SLOTS - 1));
      }
      k = expect;
    }
    if (k == key) return (int)((h + i) & (HKM_SITE_SLOTS - 1));
  }
  return -1;
}

void hkm_site_sums_add(struct hkm_site_slot *s, int k, const struct hkm_site_sums *add) {
  hkm_lock(&s->sums_lock);
  uint64_t *to = (uint64_t *)&s->sums[k];
  const uint64_t *from = (const uint64_t *)add;
  for (size_t f = 0; f < sizeof *add / sizeof(uint64_t); f++) __atomic_store_n(&to[f], to[f] + from[f], __ATOMIC_RELAXED);
  hkm_unlock(&s->sums_lock);
}

void hkm_site_sums_read(struct hkm_site_slot *s, int k, struct hkm_site_sums *out) {
  hkm_lock(&s->sums_lock);
  *out = s->sums[k];
  hkm_unlock(&s->sums_lock);
}
