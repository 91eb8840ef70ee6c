/* resize: four threads, each resizing its own 24 buffers (a connection's read and write buffers, a
 * decoder's frames) with realloc to random sizes across every tier: a quarter each of 1 B-4 KiB,
 * 60 KB-1 MB, 1-2 MiB and 2-8 MiB; one step in 13 frees its buffer instead. Every buffer is written
 * whole after each resize, a byte per 512, so several mappings over 2 MiB per thread are always in
 * flight and an allocator that lets their freed pages go faults them in again at the next request.
 *   wl_resize [scale]
 * Each buffer's bytes are a function of its key; what realloc keeps is checked before it is
 * overwritten, and every buffer before it is resized or freed. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wl_rng.h"

#define THREADS 4
#define BUFS 24
#define STRIDE 512

static long steps = 10000;

static unsigned char byte_at(unsigned key, size_t i) { return (unsigned char)(key + i / STRIDE); }

static void fill(unsigned char *p, size_t n, unsigned key) {
  for (size_t i = 0; i < n; i += STRIDE) p[i] = byte_at(key, i);
  p[n - 1] = byte_at(key, n - 1);
}

/* The first n bytes as fill(p, len, key) left them (n <= len). */
static int intact(const unsigned char *p, size_t n, size_t len, unsigned key) {
  for (size_t i = 0; i < n; i += STRIDE)
    if (p[i] != byte_at(key, i)) return 0;
  return n < len || !n || p[n - 1] == byte_at(key, n - 1);
}

static size_t pick_size(uint64_t r) {
  switch (r % 4) {
  case 0: return 1 + (size_t)(r >> 8) % 4096;
  case 1: return 60000 + (size_t)(r >> 8) % 1000000;
  case 2: return ((size_t)1 << 20) + (size_t)(r >> 8) % ((size_t)1 << 20);
  default: return ((size_t)2 << 20) + (size_t)(r >> 8) % ((size_t)6 << 20);
  }
}

static void *run(void *arg) {
  uint64_t rng = WL_RNG_SEED ^ ((uintptr_t)arg * 0x9E3779B97F4A7C15ull);
  unsigned char *buf[BUFS] = {0};
  size_t len[BUFS] = {0};
  unsigned key[BUFS] = {0};
  for (long s = 0; s < steps; s++) {
    unsigned k = (unsigned)(wl_next(&rng) % BUFS);
    uint64_t r = wl_next(&rng);
    if (buf[k] && !intact(buf[k], len[k], len[k], key[k])) {
      fprintf(stderr, "resize: buffer of %zu bytes overwritten\n", len[k]);
      exit(1);
    }
    if (r % 13 == 0) {
      free(buf[k]);
      buf[k] = NULL;
      len[k] = 0;
      continue;
    }
    size_t n = pick_size(r / 13);
    unsigned char *q = realloc(buf[k], n);
    if (!q) {
      fprintf(stderr, "resize: realloc(%zu) failed\n", n);
      exit(1);
    }
    size_t kept = len[k] < n ? len[k] : n;
    if (!intact(q, kept, len[k], key[k])) {
      fprintf(stderr, "resize: realloc %zu -> %zu lost bytes\n", len[k], n);
      exit(1);
    }
    unsigned next = (unsigned)(r >> 40);
    buf[k] = q;
    fill(q, n, next);
    len[k] = n;
    key[k] = next;
  }
  for (int k = 0; k < BUFS; k++) free(buf[k]);
  return NULL;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  steps = (long)(10000 * scale);
  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; i++)
    if (pthread_create(&t[i], NULL, run, (void *)(i + 1)) != 0) {
      fprintf(stderr, "resize: pthread_create failed\n");
      return 1;
    }
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  return 0;
}
