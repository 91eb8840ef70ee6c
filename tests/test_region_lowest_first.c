/* A request the region cache serves from a longer hot span takes the one lowest in memory, not the
 * shortest that fits (region.c, take_cached): requests pack at the low end and what is freed above
 * merges into longer spans (wl_churn's peak RSS 21.2 -> 19.8 MiB, perf/bench/RESULTS.md).
 * Runs of 8 and 3 granules are freed with runs kept between them, so they stay apart; a run of 2
 * granules must then be cut from the lower of the two. The library before took the 3-granule one. */
#include <stdint.h>
#include <string.h>

#include "api_check.h"

#define LONG (500 * KiB) /* 8 granules of 64 KiB with the 1 KiB lead */
#define SHORT (190 * KiB) /* 3 */
#define ASK (100 * KiB)   /* 2 */
#define KEEP (70 * KiB)   /* 2, kept between the two */

int main(void) {
  char *a = malloc(LONG), *keep1 = malloc(KEEP), *b = malloc(SHORT), *keep2 = malloc(KEEP);
  CHECK(a && keep1 && b && keep2, "malloc");
  memset(a, 1, LONG);
  memset(b, 1, SHORT);
  uintptr_t low = (uintptr_t)a < (uintptr_t)b ? (uintptr_t)a : (uintptr_t)b;
  int long_is_low = low == (uintptr_t)a;
  printf("freeing %zu KiB at %p and %zu KiB at %p\n", LONG / KiB, (void *)a, SHORT / KiB, (void *)b);
  fflush(stdout); /* before the frees: stdout's buffer is made by now, so nothing is allocated between them */
  free(a);
  free(b);
  char *c = malloc(ASK);
  CHECK(c, "malloc");
  printf("%zu KiB came back at %p\n", ASK / KiB, (void *)c);
  CHECK((uintptr_t)c == low, "the %zu KiB block was not cut from the lower freed run (%s one, at %p)", ASK / KiB,
        long_is_low ? "the longer" : "the shorter", (void *)low);
  free(c);
  free(keep1);
  free(keep2);
  return 0;
}
