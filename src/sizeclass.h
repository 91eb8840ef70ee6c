/* Size classes of the slab tiers (Tiny, L2 pool, L2.5), all in one table.
 *
 * Classes step by 16 bytes up to 128, then four per doubling, so the worst rounding loss is 25%.
 * Every power of two is a class, which lets aligned requests pick a class whose blocks are naturally
 * aligned (slab bases are 64 KiB aligned). */
#ifndef HKM_SIZECLASS_H
#define HKM_SIZECLASS_H

#include <stddef.h>
#include <stdint.h>
#include "compiler.h"
#include "types.h"

#define HKM_NCLASSES 60

struct hkm_class {
  uint32_t bsize;      /* block size */
  uint32_t slab_bytes; /* span length of one slab of this class */
  uint64_t inv;        /* ceil(2^43 / bsize) */
  uint8_t tier;        /* HKM_TIER_TINY, _POOL or _L25 */
};

extern struct hkm_class hkm_classes[HKM_NCLASSES];
/* Lookup tables, one per tier, indexed by the size rounded up to the tier's step. */
extern uint8_t hkm_cls_tiny[HKM_TINY_MAX / 16 + 1];
extern uint8_t hkm_cls_pool[HKM_POOL_MAX / 128 + 1];
extern uint8_t hkm_cls_l25[HKM_L25_MAX / 4096 + 1];

/* Class of a request of n <= HKM_L25_MAX bytes. */
HKM_INLINE unsigned hkm_size_class(size_t n) {
  if (hkm_likely(n <= HKM_TINY_MAX)) return hkm_cls_tiny[(n + 15) >> 4];
  if (n <= HKM_POOL_MAX) return hkm_cls_pool[(n + 127) >> 7];
  return hkm_cls_l25[(n + 4095) >> 12];
}

/* Block index of byte offset off in a slab of class c, exact for every offset below 8 MiB. */
HKM_INLINE uint64_t hkm_block_index(uint64_t off, uint64_t inv) { return (off * inv) >> 43; }

/* Fill the tables; idempotent, allocation-free. */
void hkm_sizeclass_init(void);

#endif
