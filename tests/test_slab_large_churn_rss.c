/* Churn of blocks of 64 KiB-1 MiB (wl_large's shape: 32 live, replaced at random, every page
 * written) stays within 2.5x the most it had live: above 64 KiB only the power-of-two L2.5 classes
 * take requests (sizeclass.c), so a few classes share their slabs' touched pages (40-46 MiB for 22
 * MiB live). With four classes per doubling each class held its own peak: 65-66 MiB. Every
 * block's contents survive until its free, and calloc's blocks read zero though they reuse pages
 * other blocks wrote. */
#include <string.h>

#include "api_check.h"

#define SLOTS 32
#define ITERS 20000
#define PAGE 4096

static uint64_t rng = 0x9e3779b97f4a7c15u;

static long peak_mib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  CHECK(f, "cannot open /proc/self/status");
  char line[256];
  long kib = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
  fclose(f);
  CHECK(kib >= 0, "no VmHWM in /proc/self/status");
  return kib / 1024;
}

int main(void) {
  static unsigned char *blk[SLOTS];
  static size_t len[SLOTS];
  static unsigned char tag[SLOTS];
  long base = peak_mib();
  size_t live = 0, live_max = 0;
  for (long i = 0; i < ITERS; i++) {
    uint64_t r = api_rand(&rng);
    unsigned k = (unsigned)(r % SLOTS);
    if (blk[k]) {
      for (size_t o = 0; o < len[k]; o += PAGE)
        CHECK(blk[k][o] == (unsigned char)(tag[k] + o / PAGE), "block of %zu bytes changed at %zu", len[k], o);
      free(blk[k]);
      live -= len[k];
    }
    len[k] = 64 * KiB + (size_t)((r >> 32) % (960 * KiB + 1));
    tag[k] = (unsigned char)(r >> 24);
    int zeroed = (r >> 20) % 8 == 0;
    blk[k] = zeroed ? calloc(1, len[k]) : malloc(len[k]);
    CHECK(blk[k], "malloc(%zu)", len[k]);
    if (zeroed)
      for (size_t o = 0; o < len[k]; o += 512) CHECK(blk[k][o] == 0, "calloc(%zu) byte %zu not zero", len[k], o);
    for (size_t o = 0; o < len[k]; o += PAGE) blk[k][o] = (unsigned char)(tag[k] + o / PAGE);
    live += len[k];
    if (live > live_max) live_max = live;
  }
  for (unsigned k = 0; k < SLOTS; k++) free(blk[k]);
  long peak = peak_mib() - base;
  printf("peak RSS %ld MiB above the start, most live %zu MiB\n", peak, live_max / MiB);
  CHECK(peak <= (long)(live_max * 5 / 2 / MiB), "peak RSS %ld MiB for at most %zu MiB live", peak, live_max / MiB);
  return 0;
}
