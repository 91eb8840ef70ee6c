/* How much of their pages the program touches in L2.5 runs, measured on the runs it frees that were
 * handed out without resident pages (from the cold set or fresh address space), where every resident
 * page at free is one the block's owner touched.
 *
 * Why: the region cache keeps freed runs resident (hot) up to 8 MiB however long they wait, so that a
 * program that refills its buffers does not fault them in again (wl_large writes every page of its
 * 64 KiB-1 MiB blocks: dropping them beyond that floor at once made it 5x slower). A program that
 * touches a few pages of each large buffer gains little from that, and over time its blocks touch
 * every page of the address space the cache holds (wl_churn, two pages of each 16-512 KiB block: 20
 * MiB resident against glibc's 14). When the runs are sparse, the region cache drops its hot spans
 * beyond the floor at once, the highest first (region.c); a later block refaults only the pages it
 * touches. */
#ifndef HKM_RUN_DENSITY_H
#define HKM_RUN_DENSITY_H

#include "types.h"

/* Run s is being freed, and its pages were not resident when it was handed out (s->zeroed): count the
 * pages it touched, one run in a while (a mincore(2) each). */
void hkm_run_density_note(const struct hkm_span *s);

/* Whether the runs measured lately were sparse: less than a quarter of their pages touched. */
int hkm_runs_sparse(void);

/* The pages counted in the current window (touched of seen), for malloc_stats. */
void hkm_run_density_stats(size_t *touched, size_t *seen);

#endif
