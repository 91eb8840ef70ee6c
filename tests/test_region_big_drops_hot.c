/* A Whale request the ring cannot serve has the region cache's hot spans beyond 1 MiB dropped
 * (region.c, hkm_region_get_big; those younger than the delay by the decay after it): they would
 * otherwise stay resident under the fresh pages it faults in, below NO_DECAY_BYTES for as long as the
 * program runs.
 * 24 blocks of 256 KiB, written and freed, leave some 7.5 MiB of hot spans (checked: the RSS stays
 * up); then 8 MiB are allocated and written. Within 2 s the RSS must come down to what the 8 MiB and
 * at most 1 MiB of kept spans account for (plus 2 MiB of slack); the library before keeps all 7.5. */
#include <string.h>
#include <time.h>

#include "api_check.h"

#define N 24
#define BLOCK (256 * KiB)
#define WHALE (8 * MiB)

int main(void) {
  long base = api_rss_mib();
  char *b[N];
  for (int i = 0; i < N; i++) {
    CHECK((b[i] = malloc(BLOCK)), "malloc");
    memset(b[i], 1, BLOCK);
  }
  for (int i = 0; i < N; i++) free(b[i]);
  long freed = api_rss_mib();
  CHECK(freed - base >= 6, "RSS %ld MiB after the frees, %ld at the start: the freed runs were not kept resident, so "
        "this test cannot tell", freed, base);
  char *w = malloc(WHALE);
  CHECK(w, "malloc(8 MiB)");
  memset(w, 2, WHALE);
  long now = api_rss_mib();
  for (int i = 0; i < 200 && now - base > 8 + 1 + 2; i++) {
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    now = api_rss_mib();
  }
  printf("RSS %ld MiB at the start, %ld with 7.5 MiB freed, %ld with 8 MiB allocated after them\n", base, freed, now);
  CHECK(now - base <= 8 + 1 + 2, "the freed runs stayed resident under the 8 MiB block (RSS +%ld MiB)", now - base);
  CHECK(w[0] == 2 && w[WHALE - 1] == 2, "the 8 MiB block was overwritten");
  free(w);
  return 0;
}
