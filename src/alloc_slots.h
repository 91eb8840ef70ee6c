/* Which of the profiler's counting slots (prof.h) each malloc and free counts in: one per size class
 * for the slab tiers' allocations and frees, one for every other allocation and one for every other
 * free; a slot stands for a call of hak_alloc or hak_free and, for the slab tiers, of the tier's
 * step. The timed copies (alloc_timed.h, hakmem.c) count in them; alloc_slots.c tells the profiler. */
#ifndef HKM_ALLOC_SLOTS_H
#define HKM_ALLOC_SLOTS_H

#include "prof.h"
#include "sizeclass.h"
#include "types.h"

#define HKM_SLOT_ALLOC(c) (c)
#define HKM_SLOT_FREE(c) (HKM_NCLASSES + (c))
#define HKM_SLOT_ALLOC_OTHER (2 * HKM_NCLASSES)
#define HKM_SLOT_FREE_OTHER (2 * HKM_NCLASSES + 1)
_Static_assert(2 * HKM_NCLASSES + 2 <= HKM_PROF_SLOTS, "a profiler slot for each class's allocations and frees");

/* A slab tier's categories from the tier: prof.h lists each tier's three categories together. */
_Static_assert(HKM_CAT_POOL_GET == HKM_CAT_TINY_ALLOC + 3 && HKM_CAT_L25_GET == HKM_CAT_TINY_ALLOC + 6 &&
                   HKM_CAT_POOL_PUT == HKM_CAT_TINY_FREE + 3 && HKM_CAT_L25_PUT == HKM_CAT_TINY_FREE + 6 &&
                   HKM_TIER_TINY == 0 && HKM_TIER_POOL == 1 && HKM_TIER_L25 == 2,
               "prof.h's slab-tier categories are in tier order, three apart");
#define HKM_SLAB_ALLOC_CAT(tier) (HKM_CAT_TINY_ALLOC + 3 * (int)(tier))
#define HKM_SLAB_FREE_CAT(tier) (HKM_CAT_TINY_FREE + 3 * (int)(tier))

/* Tells the profiler which categories each slot stands for; from init, after the size classes. */
void hkm_alloc_slots_init(void);

#endif
