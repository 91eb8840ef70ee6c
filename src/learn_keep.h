/* Where a Whale site's freed blocks wait, and for how long: ski rental on the measured time from the
 * site's frees to its next allocations.
 *
 * Keeping a freed block for the site costs its resident pages as rent (one fault's cost per page per
 * 10 s kept) until the site takes it back or the horizon passes, and spares the site a cold block
 * (what its backing costs); the shared ring keeps blocks HAKMEM_RECLAIM_DELAY_MS. The site keeps its
 * own for the horizon (16, 64, 256 or 1024 ms) that costs least, or uses the ring, whichever wins by a
 * fifth (else the keep stays as it is); the horizon is one step above the shortest that would do,
 * since gaps jitter and a block released too early costs a whole refault. */
#ifndef HKM_LEARN_KEEP_H
#define HKM_LEARN_KEEP_H

#include <stdint.h>
#include "site_rules.h"
#include "site_stats.h"

/* gap: the recent share of the site's allocations per gap bucket (site_stats.h); resident: pages a
 * freed block holds; cold_cost: cycles a block without resident pages costs under the site's backing.
 * Sets r->keep and r->keep_ms_log2 (left as they are without gaps yet, returning gain); returns the
 * cycles per block keeping its own saves against the ring. */
int64_t hkm_learn_keep(const double gap[HKM_GAP_BUCKETS], double resident, double cold_cost, int64_t gain,
                       struct hkm_site_rule *r);

#endif
