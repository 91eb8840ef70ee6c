/* Small-object sizes as C and C++ programs request them: every power-of-two range from 8 bytes up is
 * half as likely as the one below it, and sizes inside a range are uniform. Used by wl_alloctest and
 * wl_mstress. */
#ifndef WL_SIZES_H
#define WL_SIZES_H

#include <stdint.h>

/* A size of 8 to 8 + 2^max_exp - 1 bytes (3 <= max_exp <= 20) from 64 random bits r: range k (sizes
 * below 8 + 2^(k+3)) comes with probability 2^-(k+1), the last range takes what is left. */
static inline uint32_t wl_skewed_size(uint64_t r, unsigned max_exp) {
  unsigned ranges = max_exp - 2;
  unsigned k = (unsigned)__builtin_ctzll((r & (((uint64_t)1 << (ranges - 1)) - 1)) | ((uint64_t)1 << (ranges - 1)));
  return 8 + (uint32_t)((r >> 32) & ((8u << k) - 1));
}

#endif
