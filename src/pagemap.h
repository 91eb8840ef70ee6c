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

HKM_INLINE struct hkm_span *hkm_pagemap_get(const void *p) {
  uintptr_t a = (uintptr_t)p;
  if (hkm_unlikely(a >> (HKM_PM_TOP_BITS + 32))) return 0;
  struct hkm_span **leaf = hkm_pagemap_top[a >> 32];
  if (hkm_unlikely(!leaf)) return 0;
  return leaf[(a >> HKM_GRANULE_SHIFT) & ((1u << HKM_PM_LEAF_BITS) - 1)];
}

/* Point every granule of [base, base + bytes) at s (NULL to forget them). Returns 0, or -1 when a
 * leaf could not be mapped. base is granule-aligned. */
int hkm_pagemap_set(uintptr_t base, size_t bytes, struct hkm_span *s);

void hkm_pagemap_fork_prepare(void);
void hkm_pagemap_fork_parent(void);
void hkm_pagemap_fork_child(void);

#endif
