/* See alloc_slots.h. */
#include "config.h"

#include "alloc_slots.h"

void hkm_alloc_slots_init(void) {
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    hkm_prof_slot_map(HKM_SLOT_ALLOC(c), HKM_CAT_HAK_ALLOC, HKM_SLAB_ALLOC_CAT(hkm_classes[c].tier));
    hkm_prof_slot_map(HKM_SLOT_FREE(c), HKM_CAT_HAK_FREE, HKM_SLAB_FREE_CAT(hkm_classes[c].tier));
  }
  hkm_prof_slot_map(HKM_SLOT_ALLOC_OTHER, HKM_CAT_HAK_ALLOC, HKM_CAT_NONE);
  hkm_prof_slot_map(HKM_SLOT_FREE_OTHER, HKM_CAT_HAK_FREE, HKM_CAT_NONE);
}
