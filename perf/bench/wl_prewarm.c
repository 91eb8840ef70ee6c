/* prewarm: the pre-warm trap. Two call sites allocate blocks of the same size and use them in
 * opposite ways, so that no single way of backing large blocks suits both:
 *   dense   each round allocates 24 blocks of 8 MiB, writes every 4 KiB page, checks and frees them:
 *           it wants its pages resident (kept, prefaulted, huge);
 *   sparse  each round frees the 24 blocks it allocated the round before, allocates 24 new ones,
 *           writes one page in 20 and holds them until the next round: it wants nothing resident
 *           that it does not touch (a block that comes back with the dense site's pages costs
 *           8 MiB of RSS for 400 KiB used).
 *   wl_prewarm [scale] [both|dense|sparse] [trace]
 * The sparse phase follows the dense one, so an allocator that keeps the dense site's freed pages
 * hands them to the sparse site unless it tells the sites apart. Each site's allocations come from
 * one call instruction of its own (a return address of its own).
 *
 * Prints one line on stdout: each site's seconds (its phases, allocation, touching and freeing
 * included), the most of the sparse site's blocks that was resident after a round (mincore(2),
 * whatever else the process holds), and the process's peak RSS. With "trace", each round's times
 * also go to stderr ("round N dense_ms X sparse_ms Y at_ms T"), to see when an allocator that learns
 * reaches its steady state. Data is checked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BLOCKS 24
#define SIZE ((size_t)8 << 20)
#define PAGE ((size_t)4096)
#define SPARSE_STRIDE 20

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned char value(unsigned seed, size_t page) { return (unsigned char)(seed * 131 + page * 7 + 1); }

/* One call site each: noinline keeps each malloc call where it is written. */
__attribute__((noinline)) static unsigned char *dense_alloc(void) { return malloc(SIZE); }
__attribute__((noinline)) static unsigned char *sparse_alloc(void) { return malloc(SIZE); }

static int dense_round(unsigned round) {
  unsigned char *blk[BLOCKS];
  for (unsigned k = 0; k < BLOCKS; k++)
    if (!(blk[k] = dense_alloc())) return fprintf(stderr, "prewarm: malloc(%zu) failed\n", SIZE), 1;
  for (unsigned k = 0; k < BLOCKS; k++)
    for (size_t o = 0; o < SIZE; o += PAGE) blk[k][o] = value(round * BLOCKS + k, o / PAGE);
  for (unsigned k = 0; k < BLOCKS; k++) {
    for (size_t o = 0; o < SIZE; o += PAGE)
      if (blk[k][o] != value(round * BLOCKS + k, o / PAGE))
        return fprintf(stderr, "prewarm: dense block %u page %zu wrong in round %u\n", k, o / PAGE, round), 1;
    free(blk[k]);
  }
  return 0;
}

static unsigned char *held[BLOCKS];
static unsigned held_round;

static int sparse_check_free(void) {
  for (unsigned k = 0; k < BLOCKS; k++) {
    if (!held[k]) continue;
    for (size_t o = 0; o < SIZE; o += SPARSE_STRIDE * PAGE)
      if (held[k][o] != value(held_round * BLOCKS + k + 7, o / PAGE))
        return fprintf(stderr, "prewarm: sparse block %u page %zu wrong in round %u\n", k, o / PAGE, held_round), 1;
    free(held[k]);
    held[k] = NULL;
  }
  return 0;
}

static int sparse_round(unsigned round) {
  if (sparse_check_free()) return 1;
  held_round = round;
  for (unsigned k = 0; k < BLOCKS; k++) {
    if (!(held[k] = sparse_alloc())) return fprintf(stderr, "prewarm: malloc(%zu) failed\n", SIZE), 1;
    for (size_t o = 0; o < SIZE; o += SPARSE_STRIDE * PAGE) held[k][o] = value(round * BLOCKS + k + 7, o / PAGE);
  }
  return 0;
}

/* Resident bytes of the sparse site's live blocks. */
static size_t sparse_resident(void) {
  static unsigned char vec[SIZE / PAGE + 2];
  size_t pages = 0;
  for (unsigned k = 0; k < BLOCKS; k++) {
    if (!held[k]) continue;
    uintptr_t a = (uintptr_t)held[k] & ~(PAGE - 1), end = ((uintptr_t)held[k] + SIZE + PAGE - 1) & ~(PAGE - 1);
    if (mincore((void *)a, end - a, vec) != 0) continue;
    for (size_t i = 0; i < (end - a) / PAGE; i++) pages += vec[i] & 1;
  }
  return pages * PAGE;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  const char *mode = argc > 2 ? argv[2] : "both";
  int dense = !strcmp(mode, "both") || !strcmp(mode, "dense");
  int sparse = !strcmp(mode, "both") || !strcmp(mode, "sparse");
  if (!dense && !sparse) {
    fprintf(stderr, "usage: wl_prewarm [scale] [both|dense|sparse]\n");
    return 2;
  }
  int trace = argc > 3 && !strcmp(argv[3], "trace");
  unsigned rounds = (unsigned)(10 * scale);
  if (rounds < 1) rounds = 1;
  double t_dense = 0, t_sparse = 0, start = now();
  size_t sparse_max = 0;
  for (unsigned r = 0; r < rounds; r++) {
    double d = 0, sp = 0;
    if (dense) {
      double t0 = now();
      if (dense_round(r)) return 1;
      d = now() - t0;
      t_dense += d;
    }
    if (sparse) {
      double t0 = now();
      if (sparse_round(r)) return 1;
      sp = now() - t0;
      t_sparse += sp;
      size_t res = sparse_resident();
      if (res > sparse_max) sparse_max = res;
    }
    if (trace) fprintf(stderr, "round %u dense_ms %.1f sparse_ms %.1f at_ms %.0f\n", r, d * 1e3, sp * 1e3, (now() - start) * 1e3);
  }
  double t0 = now();
  if (sparse_check_free()) return 1;
  t_sparse += now() - t0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("dense_s %.4f sparse_s %.4f sparse_resident_mib %.1f peak_rss_mib %.1f\n", t_dense, t_sparse,
         (double)sparse_max / (1 << 20), (double)ru.ru_maxrss / 1024);
  return 0;
}
