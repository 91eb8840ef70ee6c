/* Allocation call sites seen by the profiler: how many allocations each made and their cycles.
 *
 * Recorded only while profiling, for the allocations the profiler times (all of them, or a sample
 * that the report scales up), after the measurement ends, into one fixed table shared by all threads:
 * no allocation, no lock, so it can run inside malloc. It knows nothing of the profiler core: the
 * timed allocation path (hakmem.c) hands it the site and the cycles. */
#ifndef HKM_PROF_SITES_H
#define HKM_PROF_SITES_H

#include <stdint.h>

#define HKM_SITES_CAP 1024 /* distinct sites kept; later ones are only counted as dropped */

struct hkm_site_stat {
  uintptr_t site;
  uint64_t count, cycles;
};

/* Adds one (timed) allocation of d cycles made from site; nothing when d is 0 (a timed call set aside
 * as interrupted: prof.h). */
void hkm_prof_site_add(const void *site, uint64_t d);

/* Forgets every site (hak_prof_reset, and the child after fork). */
void hkm_prof_sites_reset(void);

/* The max sites with the most cycles, most first, into out; returns how many. *distinct gets the
 * number of sites in the table, *dropped the allocations of sites that found no room in it. */
unsigned hkm_prof_sites_top(struct hkm_site_stat *out, unsigned max, unsigned *distinct, uint64_t *dropped);

#endif
