/* free() accepts a pointer into a slab only when it is the start of a block the slab has carved:
 * hkm_slab_block_ok, one multiplication and one comparison (src/types.h). Checked here for every
 * class, every byte offset of a slab, a slab with one block carved and one with all of them; each
 * class's tier against the one hkm_class_tier gives from its index; and the class of every request
 * size (the Tiny ones computed, hkm_tiny_class, and in the table the fast paths read) against the
 * smallest class that holds it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "slab.h"

struct hkm_cache_view hkm_none_view; /* slab.h names it; the test does not use it */

int main(void) {
  hkm_sizeclass_init();
  static uint16_t tiny[HKM_TINY_MAX + 1];
  hkm_sizeclass_tiny_table(tiny);
  for (size_t n = 0, want = 0; n <= HKM_SLAB_MAX; n++) {
    while (hkm_classes[want].bsize < n) want++;
    if (hkm_size_class(n) != want || (n <= HKM_TINY_MAX && tiny[n] != want * 16)) {
      fprintf(stderr, "a request of %zu bytes: class %u (table %u), the smallest that holds it is %zu (%u bytes)\n", n,
              hkm_size_class(n), n <= HKM_TINY_MAX ? tiny[n] / 16u : 0u, want, hkm_classes[want].bsize);
      return 1;
    }
  }
  struct hkm_span s = {0};
  s.base = (uintptr_t)0x7f1234560000ull; /* granule aligned, as slabs are */
  unsigned long long checked = 0;
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    const struct hkm_class *k = &hkm_classes[c];
    if (hkm_class_tier(c) != k->tier) { /* the timed allocations take the tier from the index */
      fprintf(stderr, "class %u (%u bytes): tier %d in the table, %d from its index\n", c, k->bsize, k->tier,
              hkm_class_tier(c));
      return 1;
    }
    uint32_t blocks = k->slab_bytes / k->bsize;
    s.mul = k->mul;
    uint32_t counts[] = {1, blocks};
    for (unsigned i = 0; i < 2; i++) {
      uint32_t n = counts[i];
      s.limit = n * k->step;
      for (uint64_t off = 0; off < k->slab_bytes; off++) {
        int want = off % k->bsize == 0 && off / k->bsize < n;
        if (hkm_slab_block_ok(&s, (void *)(s.base + off)) != want) {
          fprintf(stderr, "class %u (%u bytes, %u of %u blocks carved): offset %llu %s\n", c, k->bsize, n, blocks,
                  (unsigned long long)off, want ? "refused" : "accepted");
          return 1;
        }
        checked++;
      }
    }
    s.limit = 0; /* what every span that is not a live slab has */
    for (uint64_t off = 0; off < k->slab_bytes; off += k->bsize)
      if (hkm_slab_block_ok(&s, (void *)(s.base + off))) {
        fprintf(stderr, "class %u: offset %llu accepted with limit 0\n", c, (unsigned long long)off);
        return 1;
      }
  }
  printf("block test: %llu offsets in %d classes\n", checked, HKM_NCLASSES);
  return 0;
}
