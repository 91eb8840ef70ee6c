/* Shared by the stress tests (test_stress_*): how long they run, and blocks that carry their own
 * size and a serial number, so that a block handed from thread to thread, or moved by realloc, can be
 * checked wherever it ends up.
 *
 * HKM_STRESS_SCALE=N multiplies every stress test's work by N (default 1: a second or two each);
 * HKM_STRESS_SEED=S runs the fuzzer's seed S only. */
#ifndef HKM_STRESS_H
#define HKM_STRESS_H

#include <stdlib.h>
#include <string.h>

#include "api_check.h"

static inline unsigned stress_scale(void) {
  const char *e = getenv("HKM_STRESS_SCALE");
  long v = e ? strtol(e, NULL, 10) : 1;
  return v >= 1 ? (unsigned)v : 1;
}

/* Block layout: size (8 bytes), serial (8 bytes), then a sparse pattern keyed by the serial (the
 * address changes when realloc moves the block). */
#define STRESS_HEAD 16

static inline void stress_fill(unsigned char *p, size_t n, uint64_t serial) {
  memcpy(p, &n, sizeof n);
  memcpy(p + 8, &serial, sizeof serial);
  API_FOR_SPARSE(n, STRESS_HEAD, i, p[i] = api_byte((uintptr_t)serial, n, i));
}

/* The block's size, after checking its head and the pattern's bytes below check_n (its size, or the
 * new size after a realloc that shrank it). */
static inline size_t stress_check(const unsigned char *p, size_t check_n, const char *where) {
  size_t n;
  uint64_t serial;
  memcpy(&n, p, sizeof n);
  memcpy(&serial, p + 8, sizeof serial);
  CHECK(n >= STRESS_HEAD && n <= 64 * MiB, "%s: block %p: size word %zu overwritten", where, (const void *)p, n);
  API_FOR_SPARSE(n, STRESS_HEAD, i,
                 CHECK(i >= check_n || p[i] == api_byte((uintptr_t)serial, n, i),
                       "%s: block %p (%zu bytes, serial %llu): byte %zu overwritten", where, (const void *)p, n,
                       (unsigned long long)serial, i));
  return n;
}

#endif
