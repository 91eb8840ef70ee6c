/* The slot-replacement loop of wl_mid and wl_large: one thread, a pool of live blocks replaced at
 * random, each block written once per 4 KiB page and at its last byte and all of it checked before
 * free. Only the pool, the sizes and whether the value changes from page to page differ. */
#ifndef WL_PAGES_H
#define WL_PAGES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wl_rng.h"

#define WL_PAGE 4096
#define WL_PAGES_SLOTS_MAX 512

/* Blocks of min..min+span bytes in slots (<= WL_PAGES_SLOTS_MAX) slots; returns the exit status. */
static inline int wl_pages_run(const char *name, unsigned slots, long iters, uint32_t min, uint32_t span,
                               int per_page) {
  static unsigned char *blk[WL_PAGES_SLOTS_MAX];
  static uint32_t len[WL_PAGES_SLOTS_MAX];
  static unsigned char tag[WL_PAGES_SLOTS_MAX];
  uint64_t rng = WL_RNG_SEED;
#define WL_VALUE(k, o) ((unsigned char)(tag[k] + (per_page ? (o) / WL_PAGE : 0)))
  for (long i = 0; i < iters; i++) {
    uint64_t r = wl_next(&rng);
    unsigned k = (unsigned)(r % slots);
    if (blk[k]) {
      for (uint32_t o = 0; o < len[k]; o += WL_PAGE)
        if (blk[k][o] != WL_VALUE(k, o)) goto bad;
      if (blk[k][len[k] - 1] != WL_VALUE(k, len[k] - 1)) goto bad;
      free(blk[k]);
    }
    len[k] = min + (uint32_t)((r >> 32) % (span + 1));
    tag[k] = (unsigned char)(r >> 24);
    if (!(blk[k] = malloc(len[k]))) {
      fprintf(stderr, "%s: malloc(%u) failed\n", name, len[k]);
      return 1;
    }
    for (uint32_t o = 0; o < len[k]; o += WL_PAGE) blk[k][o] = WL_VALUE(k, o);
    blk[k][len[k] - 1] = WL_VALUE(k, len[k] - 1);
    continue;
  bad:
    fprintf(stderr, "%s: block of %u bytes in slot %u corrupted at iteration %ld\n", name, len[k], k, i);
    return 1;
  }
#undef WL_VALUE
  for (unsigned k = 0; k < slots; k++) free(blk[k]);
  return 0;
}

#endif
