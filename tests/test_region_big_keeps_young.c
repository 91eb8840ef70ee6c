/* A Whale request the ring cannot serve drops at once only the region cache's hot spans that waited
 * out HAKMEM_RECLAIM_DELAY_MS (src/region.c, hkm_region_get_big); the younger ones are what the
 * program is reusing, and the decay takes them later (test_region_big_drops_hot checks that part).
 * 24 blocks of 256 KiB, written and freed, then 8 MiB allocated and written, then the 24 blocks again:
 * they must come back with their pages: under half of their pages fault (330 of 1,536 here: each 320
 * KiB run has pages the first round never touched, and the second round's runs fall elsewhere in the
 * merged spans). The library before dropped them at the 8 MiB request: 1,560 faults.
 * With HAKMEM_RECLAIM_DELAY_MS=2000 (it runs itself again with it), so that a loaded machine does not
 * age the spans out between the frees and the second round. */
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "api_check.h"

#define N 24
#define BLOCK (256 * KiB)
#define WHALE (8 * MiB)

static long minor_faults(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

int main(int argc, char **argv) {
  (void)argc;
  if (!getenv("HAKMEM_RECLAIM_DELAY_MS")) { /* read at start: run again with it */
    setenv("HAKMEM_RECLAIM_DELAY_MS", "2000", 1);
    execv("/proc/self/exe", argv);
    CHECK(0, "execv of itself failed");
  }
  char *b[N];
  for (int i = 0; i < N; i++) {
    CHECK((b[i] = malloc(BLOCK)), "malloc");
    memset(b[i], 1, BLOCK);
  }
  for (int i = 0; i < N; i++) free(b[i]);
  char *w = malloc(WHALE);
  CHECK(w, "malloc(8 MiB)");
  memset(w, 2, WHALE);
  long before = minor_faults();
  for (int i = 0; i < N; i++) {
    CHECK((b[i] = malloc(BLOCK)), "malloc");
    memset(b[i], 3, BLOCK);
  }
  long faults = minor_faults() - before, pages = (long)(N * BLOCK / 4096);
  printf("%ld page faults writing %ld pages of blocks freed just before an 8 MiB request\n", faults, pages);
  CHECK(faults * 2 < pages, "the freed blocks' pages were dropped at the 8 MiB request");
  for (int i = 0; i < N; i++) free(b[i]);
  CHECK(w[0] == 2 && w[WHALE - 1] == 2, "the 8 MiB block was overwritten");
  free(w);
  return 0;
}
