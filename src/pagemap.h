/* Address -> span descriptor, in O(1), for any address.
 *
 * Two levels over the 48-bit user address space: the top table (static, 512 KiB of zero BSS that only
 * becomes resident where used) is indexed by address bits 32..47, each leaf (mapped lazily) by the
 * 64 KiB granule within those 4 GiB. A lookup is two dependent loads. */
#ifndef HKM_PAGEMAP_H
#define HKM_PAGEMAP_H

#include <stdint.h>
#include "compiler.h"
#include "types.h"

#define HKM_PM_TOP_BITS 16
#define HKM_PM_LEAF_BITS 16

extern struct hkm_span **hkm_pagemap_top[1u << HKM_PM_TOP_BITS];

_Static_assert(HKM_GRANULE_SHIFT + HKM_PM_LEAF_BITS + HKM_PM_TOP_BITS == 48 && HKM_PM_LEAF_BITS + HKM_PM_TOP_BITS == 32,
               "one 32-bit granule number holds both indexes");

/* Both indexes come from one 32-bit granule number (address bits 16..47), so an address above the
 * 48-bit space is looked up by its low 48 bits with no test on the free path: a caller compares the
 * address itself with the span it gets (the block test, base + lead). */
HKM_INLINE struct hkm_span *hkm_pagemap_get(const void *p) {
  uint32_t g = (uint32_t)((uintptr_t)p >> HKM_GRANULE_SHIFT);
  struct hkm_span **leaf = hkm_pagemap_top[g >> HKM_PM_LEAF_BITS];
  if (hkm_unlikely(!leaf)) return 0;
  return leaf[g & ((1u << HKM_PM_LEAF_BITS) - 1)];
}

/* Point every granule of [base, base + bytes) at s (NULL to forget them). Returns 0, or -1 when a
 * leaf could not be mapped. base is granule-aligned. */
int hkm_pagemap_set(uintptr_t base, size_t bytes, struct hkm_span *s);

void hkm_pagemap_fork_prepare(void);
void hkm_pagemap_fork_parent(void);
void hkm_pagemap_fork_child(void);

#endif
