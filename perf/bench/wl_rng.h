/* The workloads' random numbers: xorshift64, cheap next to a malloc call, the same sequence under
 * every allocator. */
#ifndef WL_RNG_H
#define WL_RNG_H

#include <stdint.h>

#define WL_RNG_SEED 88172645463325252ull

/* *state must start nonzero. */
static inline uint64_t wl_next(uint64_t *state) {
  uint64_t x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

#endif
