/* Building the size-class table. */
#include "config.h"

#include "sizeclass.h"

struct hkm_class hkm_classes[HKM_NCLASSES];
uint8_t hkm_cls_tiny[HKM_TINY_MAX / 16 + 1];
uint8_t hkm_cls_pool[HKM_POOL_MAX / 128 + 1];
uint8_t hkm_cls_l25[HKM_L25_MAX / 4096 + 1];

/* Slab length per tier: a Tiny slab is one granule; pool slabs hold at least 8 blocks of 32 KiB;
 * L2.5 slabs hold at least 4 blocks and span at least 1 MiB so refills stay rare. */
static uint32_t slab_bytes_for(uint32_t bsize, int tier) {
  size_t bytes;
  if (tier == HKM_TIER_TINY)
    bytes = HKM_GRANULE;
  else if (tier == HKM_TIER_POOL)
    bytes = 4 * HKM_GRANULE;
  else {
    bytes = (size_t)4 * bsize;
    if (bytes < ((size_t)1 << 20)) bytes = (size_t)1 << 20;
  }
  return (uint32_t)((bytes + HKM_GRANULE - 1) & ~(HKM_GRANULE - 1));
}

void hkm_sizeclass_init(void) {
  unsigned c = 0;
  for (uint32_t s = 16; s <= 128; s += 16) hkm_classes[c++].bsize = s;
  for (uint32_t base = 128; base < HKM_L25_MAX; base *= 2)
    for (uint32_t k = 1; k <= 4; k++) {
      uint32_t s = base + k * (base / 4);
      if (s > 128 && s <= HKM_L25_MAX) hkm_classes[c++].bsize = s;
    }
  for (unsigned i = 0; i < c; i++) {
    struct hkm_class *k = &hkm_classes[i];
    k->tier = k->bsize <= HKM_TINY_MAX ? HKM_TIER_TINY : k->bsize <= HKM_POOL_MAX ? HKM_TIER_POOL : HKM_TIER_L25;
    k->slab_bytes = slab_bytes_for(k->bsize, k->tier);
    k->inv = (((uint64_t)1 << 43) + k->bsize - 1) / k->bsize;
  }
  /* Each table entry: the smallest class that holds the rounded size. */
  unsigned cls = 0;
  for (size_t i = 0; i <= HKM_TINY_MAX / 16; i++) {
    while (hkm_classes[cls].bsize < i * 16) cls++;
    hkm_cls_tiny[i] = (uint8_t)cls;
  }
  for (size_t i = 0; i <= HKM_POOL_MAX / 128; i++) {
    while (hkm_classes[cls].bsize < i * 128) cls++;
    hkm_cls_pool[i] = (uint8_t)cls;
  }
  cls = 0;
  for (size_t i = 0; i <= HKM_L25_MAX / 4096; i++) {
    while (hkm_classes[cls].bsize < i * 4096) cls++;
    hkm_cls_l25[i] = (uint8_t)cls;
  }
}
