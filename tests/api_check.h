/* Shared by the test_api_* programs: a failing check names its line and exits 1, and blocks carry a
 * pattern derived from their address and size so that a block handed out twice, moved without its
 * contents, or written by a neighbour is caught when it is checked. */
#ifndef HKM_API_CHECK_H
#define HKM_API_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)

#define CHECK(cond, ...)                                                      \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "%s:%d: FAIL (%s): ", __FILE__, __LINE__, #cond);       \
      fprintf(stderr, __VA_ARGS__);                                           \
      fputc('\n', stderr);                                                    \
      exit(1);                                                                \
    }                                                                         \
  } while (0)

/* The process's resident set, from /proc/self/statm. */
static inline long api_rss_mib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size, res;
  CHECK(f && fscanf(f, "%ld %ld", &size, &res) == 2, "cannot read /proc/self/statm");
  fclose(f);
  return res * sysconf(_SC_PAGESIZE) / (long)MiB;
}

/* Sizes on both sides of every tier boundary of src/types.h (1 KiB, 32 KiB, 1 MiB, 2 MiB). */
static const size_t api_tier_sizes[] = {16,     1000,    1024,    1025,    1100,    30000,
                                        32768,  32769,   40000,   900000,  1048576, 1048577,
                                        1100000, 2097152, 2097153, 3000000, 8000000};
#define API_NSIZES (sizeof api_tier_sizes / sizeof api_tier_sizes[0])

/* Byte i of a block whose pattern is keyed by key (usually its address) and size. */
static inline unsigned char api_byte(uintptr_t key, size_t size, size_t i) {
  uint64_t x = ((uint64_t)key >> 4) * 0x9E3779B97F4A7C15ull + size * 31 + (i >> 8);
  return (unsigned char)((x >> 56) ^ i);
}

static inline void api_fill_keyed(void *p, size_t n, uintptr_t key) {
  unsigned char *b = (unsigned char *)p;
  for (size_t i = 0; i < n; i++) b[i] = api_byte(key, n, i);
}

/* Index of the first byte that differs from the pattern, or n when all match. */
static inline size_t api_bad_keyed(const void *p, size_t n, uintptr_t key) {
  const unsigned char *b = (const unsigned char *)p;
  for (size_t i = 0; i < n; i++)
    if (b[i] != api_byte(key, n, i)) return i;
  return n;
}

/* Sparse patterns for tests whose point is not memory bandwidth: whole for blocks up to 8 KiB;
 * larger ones over their first and last 4 KiB and one byte a page in between. Two overlapping
 * blocks still clash: the start of one lies inside the other, and its fully patterned first 4 KiB
 * hold one of the other's patterned bytes. */
#define API_EDGE ((size_t)4096)
#define API_FOR_SPARSE(n, from, i, body)                                        \
  do {                                                                          \
    size_t head_ = (n) <= 2 * API_EDGE ? (n) : API_EDGE;                        \
    for (size_t i = (from); i < head_; i++) body;                               \
    if ((n) > 2 * API_EDGE) {                                                   \
      for (size_t i = API_EDGE; i < (n) - API_EDGE; i += API_EDGE) body;        \
      for (size_t i = (n) - API_EDGE; i < (n); i++) body;                       \
    }                                                                           \
  } while (0)

static inline void api_fill_sparse(void *p, size_t n) {
  unsigned char *b = (unsigned char *)p;
  API_FOR_SPARSE(n, 0, i, b[i] = api_byte((uintptr_t)p, n, i));
}

static inline int api_sparse_ok(const void *p, size_t n) {
  const unsigned char *b = (const unsigned char *)p;
  API_FOR_SPARSE(n, 0, i, if (b[i] != api_byte((uintptr_t)p, n, i)) return 0);
  return 1;
}

/* xorshift64: seeded, so that a failing run can be repeated. */
static inline uint64_t api_rand(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* Weighted toward small: 75% Tiny, 20% L2, 3.7% L2.5, 1% BigCache, 0.3% whale. */
static inline size_t api_random_size(uint64_t *s) {
  uint64_t r = api_rand(s);
  unsigned w = (unsigned)(r % 1000);
  r >>= 10;
  if (w < 750) return 16 + r % (1024 - 16 + 1);
  if (w < 950) return 1025 + r % (32 * KiB - 1024);
  if (w < 987) return 32 * KiB + 1 + r % (MiB - 32 * KiB);
  if (w < 997) return MiB + 1 + r % MiB;
  return 2 * MiB + 1 + r % (6 * MiB);
}

static inline void api_fill(void *p, size_t n) { api_fill_keyed(p, n, (uintptr_t)p); }
static inline size_t api_bad(const void *p, size_t n) { return api_bad_keyed(p, n, (uintptr_t)p); }

#endif
