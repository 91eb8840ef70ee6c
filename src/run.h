/* L2.5 runs: requests of (HKM_SLAB_MAX, HKM_L25_MAX] (64 KiB-1 MiB), each a span of whole granules of
 * its own from the region cache, given back to it on free.
 *
 * In slabs, each size class kept resident about the most of it that was ever live at once, and with a
 * handful of such blocks live per class that is several times its mean (wl_large, 32 live blocks of
 * 64 KiB-1 MiB: 47 MiB peak RSS against glibc's 31). As runs, a freed block's resident pages go to the
 * region cache's hot spans, merged with their freed neighbours, and serve a request of any size
 * (region.c), as a best-fit heap does. */
#ifndef HKM_RUN_H
#define HKM_RUN_H

#include <stddef.h>
#include "types.h"

/* The block starts lead bytes into its span (n counts them). NULL when no memory is left. */
void *hkm_run_alloc(size_t n, size_t lead, const void *site);
void hkm_run_free(struct hkm_span *s);
/* Grow run s in place to n bytes (its lead counted) from the free span after it (region.c); 1 when it
 * has grown. */
int hkm_run_grow(struct hkm_span *s, size_t n);

#endif
