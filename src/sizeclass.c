/* Building the size-class table. */
#include "config.h"

#include "sizeclass.h"

_Static_assert(HKM_TINY_CLASSES == 8 + 4 * 3 && HKM_TINY_MAX == 128 << 3, "16-byte steps to 128, then four per doubling");
_Static_assert(HKM_NCLASSES == HKM_POOL_CLASSES_END + 4 && HKM_SLAB_MAX == HKM_POOL_MAX << 1, "four on L2.5's doubling");
_Static_assert(HKM_POOL_CLASSES_END == HKM_TINY_CLASSES + 5 * 5 && HKM_POOL_MAX == HKM_TINY_MAX << 5,
               "hkm_class_tier: the pool's classes end with its five doublings");

struct hkm_class hkm_classes[HKM_NCLASSES];
uint8_t hkm_cls_pool[HKM_POOL_MAX / 32 + 1];
uint8_t hkm_cls_l25[HKM_SLAB_MAX / 4096 + 1];

/* Slab length per tier: a Tiny slab is one granule; pool slabs hold at least 8 blocks of 32 KiB;
 * L2.5 slabs are 256 KiB (4 blocks of 64 KiB). Each L2.5 class holds a few partly used slabs whose
 * touched pages stay resident: with slabs of at least 1 MiB, wl_mid (2-64 KiB blocks) peaked at 32.1
 * MiB, with 256 KiB at 29.3 MiB (glibc 20.9). */
static uint32_t slab_bytes_for(int tier) {
  if (tier == HKM_TIER_TINY) return (uint32_t)HKM_GRANULE;
  if (tier == HKM_TIER_POOL) return (uint32_t)(4 * HKM_GRANULE);
  return (uint32_t)256 << 10;
}

/* A thread's cache holds up to 64 KiB of a Tiny or pool class (at least 4 and at most 256 blocks);
 * L2.5 blocks go straight back to their slab. A refill brings half of that. With 16 KiB a pool class
 * of 1-4 KiB kept 4-16 blocks, and sizes spread evenly over 8 bytes-4 KiB (wl_uniform) refilled every
 * sixth allocation, each refill's lists lock waiting for the program's stores before it: 1.28 times
 * tcmalloc's time, 1.03 with 64 KiB (128 and 256 KiB gained nothing more); the Tiny classes over 64
 * bytes then: wl_small 0.89-0.93 of 16 KiB's time, the rest level (perf/bench/RESULTS.md, twenty-third
 * session). */
static void cache_for(struct hkm_class *k) {
  uint32_t n = k->tier == HKM_TIER_L25 ? 0 : 65536 / k->bsize;
  if (k->tier != HKM_TIER_L25 && n < 4) n = 4;
  if (n > 256) n = 256;
  k->cache = (uint16_t)n;
  k->batch = (uint16_t)(n / 2 ? n / 2 : 1);
}

void hkm_sizeclass_init(void) {
  unsigned c = 0;
  for (uint32_t s = 16; s <= 128; s += 16) hkm_classes[c++].bsize = s;
  /* In the pool tier (1-32 KiB) the four classes of a doubling sit at 9/8, 11/8, 13/8 and 2 times its
   * base rather than 5/4, 6/4, 7/4 and 2: a power of two plus a small header (a database page and its
   * descriptor, a buffer and its length) is a common request, which the 5/4 class rounded up by a fifth
   * to a quarter and the 9/8 one by at most an eighth. sqlite3's page cache asks for 4104 and 4368
   * bytes: in 5120-byte blocks wl_sqlite peaked at 77.8 MiB, in 4608-byte ones at 70.6 (glibc 65.1).
   * Uniform sizes lose a little more on average (14% of the doubling's base instead of 12.5%: wl_mid
   * 27.2 -> 27.4 MiB). Tiny classes are left as they are, and so are L2.5's (on its 32-64 KiB doubling,
   * before L2.5 runs, wl_large peaked 2.5% higher). A fifth class at 33/32 takes the headers of a word
   * or two: sqlite3 also asks for 1032 bytes (24,980 times), and its 5,061 pages of 4104 bytes lost 504
   * each at 9/8 (wl_sqlite 69.9 -> 67.5 MiB, glibc 65.3), which is why the pool's lookup table goes
   * by 32 bytes. */
  for (uint32_t base = 128; base < HKM_SLAB_MAX; base *= 2) {
    int pool = base >= HKM_TINY_MAX && base < HKM_POOL_MAX;
    if (pool) hkm_classes[c++].bsize = base + base / 32;
    for (uint32_t k = 1; k <= 4; k++)
      hkm_classes[c++].bsize = !pool ? base + k * (base / 4) : k == 4 ? 2 * base : base + (2 * k - 1) * (base / 8);
  }
  for (unsigned i = 0; i < c; i++) {
    struct hkm_class *k = &hkm_classes[i];
    k->tier = k->bsize <= HKM_TINY_MAX ? HKM_TIER_TINY : k->bsize <= HKM_POOL_MAX ? HKM_TIER_POOL : HKM_TIER_L25;
    k->slab_bytes = slab_bytes_for(k->tier);
    /* ceil(2^64 / bsize), one more for a power of two (types.h says why) */
    k->mul = UINT64_MAX / k->bsize + 1 + !(k->bsize & (k->bsize - 1));
    k->step = k->bsize * k->mul;
    cache_for(k);
  }
  /* Each table entry: the smallest class that holds the rounded size (entries for sizes a smaller
   * tier serves are never read). */
  unsigned cls = HKM_TINY_CLASSES;
  for (size_t i = 0; i <= HKM_POOL_MAX / 32; i++) {
    while (hkm_classes[cls].bsize < i * 32) cls++;
    hkm_cls_pool[i] = (uint8_t)cls;
  }
  cls = HKM_TINY_CLASSES;
  for (size_t i = 0; i <= HKM_SLAB_MAX / 4096; i++) {
    while (hkm_classes[cls].bsize < i * 4096) cls++;
    hkm_cls_l25[i] = (uint8_t)cls;
  }
}

void hkm_sizeclass_tiny_table(uint16_t off[HKM_TINY_MAX + 1]) {
  for (size_t i = 0; i <= HKM_TINY_MAX; i++) off[i] = (uint16_t)(hkm_tiny_class(i) * 16);
}
