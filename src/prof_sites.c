/* The call-site table (prof_sites.h): open addressing on the site's address, claimed with one
 * compare-and-swap, counters added atomically.
 *
 * Shared rather than per thread because a per-thread table would cost every thread's initial-exec TLS
 * (a scarce resource when the library is loaded late) for something only profiling uses. A slot, once
 * claimed, keeps its site until a reset, so readers never see a site change under them. */
#include "config.h"


#include "compiler.h"
#include "prof_sites.h"

#define PROBES 16 /* a full neighbourhood means the table is crowded: count as dropped, do not search on */

struct slot {
  uintptr_t site; /* 0 = free */
  uint64_t count, cycles;
};

static HKM_COLD_BSS struct slot table[HKM_SITES_CAP];
static uint64_t dropped;

static unsigned hash(uintptr_t a) {
  a ^= a >> 33;
  a *= 0xff51afd7ed558ccdULL;
  a ^= a >> 29;
  return (unsigned)a & (HKM_SITES_CAP - 1);
}

void hkm_prof_site_add(const void *site, uint64_t d) {
  if (!d) return;
  uintptr_t key = (uintptr_t)site;
  if (!key) key = 1; /* 0 marks a free slot; a NULL site (hak_alloc_at(n, 0)) still counts */
  unsigned h = hash(key);
  for (unsigned i = 0; i < PROBES; i++) {
    struct slot *s = &table[(h + i) & (HKM_SITES_CAP - 1)];
    uintptr_t k = __atomic_load_n(&s->site, __ATOMIC_RELAXED);
    if (k == 0) {
      uintptr_t expect = 0;
      if (__atomic_compare_exchange_n(&s->site, &expect, key, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        k = key;
      else
        k = expect;
    }
    if (k == key) {
      __atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
      __atomic_fetch_add(&s->cycles, d, __ATOMIC_RELAXED);
      return;
    }
  }
  __atomic_fetch_add(&dropped, 1, __ATOMIC_RELAXED);
}

/* Another thread adding at this moment may land its figures in a slot just cleared: a reset while
 * the program allocates is approximate by nature (hak_prof_reset says so). */
void hkm_prof_sites_reset(void) {
  for (unsigned i = 0; i < HKM_SITES_CAP; i++) {
    __atomic_store_n(&table[i].count, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&table[i].cycles, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&table[i].site, 0, __ATOMIC_RELAXED);
  }
  __atomic_store_n(&dropped, 0, __ATOMIC_RELAXED);
}

unsigned hkm_prof_sites_top(struct hkm_site_stat *out, unsigned max, unsigned *distinct, uint64_t *drop) {
  unsigned n = 0, seen = 0;
  for (unsigned i = 0; i < HKM_SITES_CAP; i++) {
    struct hkm_site_stat s = {__atomic_load_n(&table[i].site, __ATOMIC_RELAXED),
                              __atomic_load_n(&table[i].count, __ATOMIC_RELAXED),
                              __atomic_load_n(&table[i].cycles, __ATOMIC_RELAXED)};
    if (!s.site || !s.count) continue;
    seen++;
    /* insertion into the sorted top list; max is small (a report shows tens of sites) */
    unsigned j = n < max ? n++ : max;
    if (j == max && (!max || out[max - 1].cycles >= s.cycles)) continue;
    if (j == max) j = max - 1;
    while (j > 0 && out[j - 1].cycles < s.cycles) {
      out[j] = out[j - 1];
      j--;
    }
    out[j] = s;
  }
  *distinct = seen;
  *drop = __atomic_load_n(&dropped, __ATOMIC_RELAXED);
  return n;
}
